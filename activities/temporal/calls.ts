import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { ApplicationFailure, type Client, type WorkflowExecutionInfo, WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import type { Actor } from '../../domain/actor';
import { Call } from '../../domain/call';
import type { ApplicationInput, Division } from '../../domain/application';
import { callWorkflowId, exhibitionWorkflowId } from '../../domain/ids';
import type { ExhibitionOutcome } from '../../workflows/exhibition-workflow';
import type { RankedApplication } from '../../domain/ranking';
import { ReviewerPool } from '../../domain/reviewers';
import { searchAttributes as keys } from '../../domain/search-attributes';
import type { callWorkflow } from '../../workflows';
import {
  amendDeadlineUpdate, announceUpdate, assignReviewerUpdate, callStatusQuery, closeCallUpdate, closeWrittenReviewUpdate, invitePresentationsUpdate, registerApplicationUpdate,
  schedulePresentationsUpdate, startDecisionMeetingUpdate, startWrittenReviewUpdate, submitRosterUpdate,
  type CallView, type OperationRecord, type ReviewRound,
} from '../../workflows/call-messages';
import { AllianceError } from '../../domain/errors';
import { toAllianceError } from './projects';

const invalid = (what: string, issues: { path: PropertyKey[]; message: string }[]): AllianceError => {
  const details = issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return new AllianceError('VALIDATION', `${what} is invalid: ${details.join('; ')}.`, details);
};

/** Progress of the bulk operation a call is running now, read from its activity's heartbeat. */
export interface BulkProgress {
  done: number;
  total: number;
}

/** The calls of the programme, as the office and the institutions reach them. */
export class CallClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  private handle(callId: string) {
    return this.client.workflow.getHandle<typeof callWorkflow>(callWorkflowId(callId));
  }

  private async run<T>(callId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toAllianceError(error, `Call ${callId}`);
    }
  }

  /** Opens a call from its file (calendar and policy) and its reviewer pool. */
  async open(callFile: unknown, poolFile: unknown): Promise<string> {
    const call = Call.safeParse(callFile);
    if (!call.success) throw invalid('The call file', call.error.issues);
    const pool = ReviewerPool.safeParse(poolFile);
    if (!pool.success) throw invalid('The reviewer pool', pool.error.issues);
    const workflowId = callWorkflowId(call.data.id);
    try {
      await this.client.workflow.start('callWorkflow', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [{ call: call.data, reviewerPool: pool.data }],
        typedSearchAttributes: [{ key: keys.callId, value: call.data.id }, { key: keys.rocYear, value: call.data.rocYear }, { key: keys.state, value: 'open' }],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new AllianceError('VALIDATION', `Call ${call.data.id} is already open; give the new call another id.`);
      throw toAllianceError(error, workflowId);
    }
    return call.data.id;
  }

  /** Every call workflow of this service (its task queue), newest first. */
  list(): AsyncIterable<WorkflowExecutionInfo> {
    return this.client.workflow.list({ query: `WorkflowType = 'callWorkflow' AND TaskQueue = '${this.taskQueue.replace(/'/g, '')}'` });
  }

  status(callId: string): Promise<CallView> {
    return this.run(callId, () => this.handle(callId).query(callStatusQuery));
  }

  /** How far the running bulk operation is, or null when none runs. */
  async progress(callId: string): Promise<BulkProgress | null> {
    const description = await this.run(callId, () => this.handle(callId).describe());
    for (const activity of description.raw.pendingActivities ?? []) {
      const payloads = activity.heartbeatDetails?.payloads;
      if (!payloads?.length) continue;
      // Heartbeat details are payloads like any other: encrypted, decoded by the client's converter.
      const details = await decodeFromPayloadsAtIndex<Partial<BulkProgress> | undefined>(this.client.options.loadedDataConverter, 0, payloads).catch(() => undefined);
      if (!details || typeof details !== 'object') continue;
      if (typeof details.done === 'number' && typeof details.total === 'number') return { done: details.done, total: details.total };
    }
    return null;
  }

  registerApplication(callId: string, actor: Actor, application: ApplicationInput): Promise<string> {
    return this.run(callId, () => this.handle(callId).executeUpdate(registerApplicationUpdate, { args: [{ actor, application }] }));
  }

  submitRoster(callId: string, actor: Actor, roster: { rosterId: string; letterReference: string; applicationIds: string[] }): Promise<OperationRecord> {
    return this.run(callId, () => this.handle(callId).executeUpdate(submitRosterUpdate, { args: [{ actor, ...roster }] }));
  }

  startWrittenReview(callId: string, actor: Actor, division?: Division): Promise<OperationRecord> {
    return this.run(callId, () => this.handle(callId).executeUpdate(startWrittenReviewUpdate, { args: [{ actor, ...(division ? { division } : {}) }] }));
  }

  /** One reviewer assigned by hand to one application, from the call's pool: recorded by the call once the project took it. */
  assignReviewer(callId: string, actor: Actor, assignment: { applicationId: string; reviewerId: string }): Promise<OperationRecord> {
    return this.run(callId, () => this.handle(callId).executeUpdate(assignReviewerUpdate, { args: [{ actor, ...assignment }] }));
  }

  amendDeadline(callId: string, actor: Actor, amendment: { deadline: 'application' | 'endorsement'; until: string; reason: string }): Promise<OperationRecord> {
    return this.run(callId, () => this.handle(callId).executeUpdate(amendDeadlineUpdate, { args: [{ actor, ...amendment }] }));
  }

  /**
   * The office selects the call's alliances for the results exhibition, once: a durable workflow of
   * its own (the call may have closed long before), refused a second time.
   */
  async selectExhibition(callId: string, actor: Actor): Promise<ExhibitionOutcome> {
    const { projects } = await this.status(callId);
    try {
      return await this.client.workflow.execute('exhibitionWorkflow', {
        workflowId: exhibitionWorkflowId(callId), taskQueue: this.taskQueue, workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        args: [{ callId, projectIds: projects.map((p) => p.projectId), actor }],
      }) as ExhibitionOutcome;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new AllianceError('ILLEGAL_TRANSITION', `The alliances of call ${callId} are already selected for its results exhibition; a call has one exhibition.`);
      // The selection's own refusal (nothing to select yet) reaches the office as the law's.
      if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure && error.cause.type === 'ILLEGAL_TRANSITION') throw new AllianceError('ILLEGAL_TRANSITION', error.cause.message);
      throw toAllianceError(error, `Call ${callId}`);
    }
  }

  closeWrittenReview(callId: string, actor: Actor, division?: Division): Promise<ReviewRound[]> {
    return this.run(callId, () => this.handle(callId).executeUpdate(closeWrittenReviewUpdate, { args: [{ actor, ...(division ? { division } : {}) }] }));
  }

  invitePresentations(callId: string, actor: Actor, choice: { topPerDivision: number } | { applicationIds: string[] }): Promise<OperationRecord> {
    return this.run(callId, () => this.handle(callId).executeUpdate(invitePresentationsUpdate, { args: [{ actor, ...choice }] }));
  }

  schedulePresentations(callId: string, actor: Actor, startsAt: string): Promise<OperationRecord> {
    return this.run(callId, () => this.handle(callId).executeUpdate(schedulePresentationsUpdate, { args: [{ actor, startsAt }] }));
  }

  startDecisionMeeting(callId: string, actor: Actor): Promise<Record<string, RankedApplication[]>> {
    return this.run(callId, () => this.handle(callId).executeUpdate(startDecisionMeetingUpdate, { args: [{ actor }] }));
  }

  announce(callId: string, actor: Actor): Promise<OperationRecord> {
    return this.run(callId, () => this.handle(callId).executeUpdate(announceUpdate, { args: [{ actor }] }));
  }

  close(callId: string, actor: Actor): Promise<string> {
    return this.run(callId, () => this.handle(callId).executeUpdate(closeCallUpdate, { args: [{ actor }] }));
  }
}
