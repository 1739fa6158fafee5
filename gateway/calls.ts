import { InstitutionRegistry } from '../domain/institutions';
import { decodeFromPayloadsAtIndex, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { temporal } from '@temporalio/proto';
import {
  ApplicationFailure,
  type Client,
  type WorkflowExecutionInfo,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import { Call } from '../domain/call';
import type { ApplicationInput, Division } from '../domain/application';
import { callWorkflowId, exhibitionWorkflowId } from '../domain/ids';
import type { ExhibitionOutcome } from '../messages/call';
import type { RankedApplication } from '../domain/ranking';
import { ReviewerPool } from '../domain/reviewers';
import { searchAttributes as keys } from '../domain/search-attributes';
import type { callWorkflow } from '../workflows';
import {
  amendDeadlineUpdate,
  assignReviewerUpdate,
  callStatusQuery,
  declineReviewUpdate,
  registerApplicationUpdate,
  submitRosterUpdate,
  type CallView,
  type OperationRecord,
  type ReviewRound,
} from '../messages/call';
import { AllianceError } from '../domain/errors';
import { buildOperation, type CallOperationName, type OperationBody, type OperationResult } from './call-operations';
import { refusalCodes, toAllianceError } from './projects';
import { checkCallBodyAndRole } from '../machines/call-judge';
import { CallStatusCache, callVersion } from './call-status-cache';
import type { CallCommand } from '../machines/call-machine';

const invalid = (what: string, issues: { path: PropertyKey[]; message: string }[]): AllianceError => {
  const details = issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return new AllianceError('VALIDATION', `${what} is invalid: ${details.join('; ')}.`, details);
};

/** Progress of the bulk operation a call is running now, read from its activity's heartbeat. */
export interface BulkProgress {
  done: number;
  total: number;
}

/** Where an operation started under an id stands: still running, done with its outcome, or refused or failed with the reason. */
export type OperationStanding = { status: 'running' } | { status: 'done'; result: unknown } | { status: 'failed'; error: string };

/** How long a look at a running operation waits for its outcome before saying it is still running. */
const OUTCOME_WAIT_MS = 500;

/** The calls of the programme, as the office and the institutions reach them. */
export class CallClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /** The update id the next commands go under (an idempotency key): a command sent again under it is answered with its first outcome. */
    private readonly updateId?: string,
    /** The views of running calls read lately, shared by this client's idempotent copies. */
    private readonly statusCache = new CallStatusCache(),
  ) {}

  /** This client with its commands under `updateId` (none: each command its own random id, as Temporal gives). */
  idempotent(updateId: string | undefined): CallClient {
    return updateId ? new CallClient(this.client, this.taskQueue, updateId, this.statusCache) : this;
  }

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

  /**
   * Sends one of the call's commands, after the two checks that need no call (its schema and the
   * acting role: `checkCallBodyAndRole`, the law's): a command the call would refuse for them is
   * refused here without a round trip.
   */
  private command<R, A extends { actor: Actor }>(callId: string, update: UpdateDefinition<R, [A]>, args: A): Promise<R> {
    const early = checkCallBodyAndRole(update.name as CallCommand, args);
    if (!early.ok) return Promise.reject(new AllianceError(refusalCodes[early.code]!, early.message, early.details));
    return this.run(callId, () => this.handle(callId).executeUpdate(update, { args: [args], ...(this.updateId ? { updateId: this.updateId } : {}) }));
  }

  /** Opens a call from its file (calendar and policy), its reviewer pool and, if given, the registry of institutions. */
  async open(callFile: unknown, poolFile: unknown, institutionsFile?: unknown): Promise<string> {
    const call = Call.safeParse(callFile);
    if (!call.success) throw invalid('The call file', call.error.issues);
    const pool = ReviewerPool.safeParse(poolFile);
    if (!pool.success) throw invalid('The reviewer pool', pool.error.issues);
    const institutions = institutionsFile === undefined ? undefined : InstitutionRegistry.safeParse(institutionsFile);
    if (institutions && !institutions.success) throw invalid('The registry of institutions', institutions.error.issues);
    const workflowId = callWorkflowId(call.data.id);
    try {
      await this.client.workflow.start('callWorkflow', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [{ call: call.data, reviewerPool: pool.data, ...(institutions && { institutions: institutions.data }) }],
        typedSearchAttributes: [
          { key: keys.callId, value: call.data.id },
          { key: keys.rocYear, value: call.data.rocYear },
          { key: keys.state, value: 'open' },
        ],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        throw new AllianceError('VALIDATION', `Call ${call.data.id} is already open; give the new call another id.`);
      throw toAllianceError(error, workflowId);
    }
    return call.data.id;
  }

  /** Every call workflow of this service (its task queue), newest first. */
  list(): AsyncIterable<WorkflowExecutionInfo> {
    return this.client.workflow.list({ query: `WorkflowType = 'callWorkflow' AND TaskQueue = '${this.taskQueue.replace(/'/g, '')}'` });
  }

  /**
   * The call's status: its view as the law keeps it, with its title, calendar and policy. Read
   * again only when the call has moved since the last read (one describe, answered by the server
   * alone, tells); otherwise the view kept is the answer (frozen: shared by every reader).
   */
  status(callId: string): Promise<CallView> {
    return this.run(callId, async () => {
      const handle = this.handle(callId);
      const version = callVersion(await handle.describe());
      return this.statusCache.get(callId, version) ?? this.statusCache.set(callId, version, await handle.query(callStatusQuery));
    });
  }

  /** How many status reads were answered from the views kept, and how many queried their call. */
  get statusReads(): Readonly<{ kept: number; queried: number }> {
    return this.statusCache.counts;
  }

  /**
   * A completed call's last view, read from its result (its close event alone) where a status
   * query would replay its whole history on a worker; null while the call still runs.
   */
  finalView(callId: string): Promise<CallView | null> {
    return this.run(callId, async () => {
      const run = await this.handle(callId).describe();
      if (run.status.name !== 'COMPLETED') return null;
      return this.client.workflow.result<typeof callWorkflow>(callWorkflowId(callId), run.runId, { followRuns: false });
    });
  }

  /** How far the running bulk operation is, or null when none runs. */
  async progress(callId: string): Promise<BulkProgress | null> {
    const description = await this.run(callId, () => this.handle(callId).describe());
    for (const activity of description.raw.pendingActivities ?? []) {
      const payloads = activity.heartbeatDetails?.payloads;
      if (!payloads?.length) continue;
      // Heartbeat details are payloads like any other: encrypted, decoded by the client's converter.
      const details = await decodeFromPayloadsAtIndex<Partial<BulkProgress> | undefined>(this.client.options.loadedDataConverter, 0, payloads).catch(
        () => undefined,
      );
      if (!details || typeof details !== 'object') continue;
      if (typeof details.done === 'number' && typeof details.total === 'number') return { done: details.done, total: details.total };
    }
    return null;
  }

  /**
   * Starts one of the call's operations under an id of the caller's choosing and returns once the
   * call has accepted it (a refusal throws at once, coded). Its outcome is kept by Temporal under
   * that id: any process of the service can follow it (`operationStanding`), not only the one that
   * started it.
   */
  async startOperation<N extends CallOperationName>(callId: string, name: N, actor: Actor, body: OperationBody<N>, operationId: string): Promise<void> {
    const { update, args } = buildOperation(name, actor, body);
    const early = checkCallBodyAndRole(update.name as CallCommand, args);
    if (!early.ok) throw new AllianceError(refusalCodes[early.code]!, early.message, early.details);
    await this.run(callId, () => this.handle(callId).startUpdate(update, { args: [args], updateId: operationId, waitForStage: WorkflowUpdateStage.ACCEPTED }));
  }

  /**
   * Where the operation started under this id stands: Temporal answers at once with the outcome of
   * a finished one; one still running is given a moment, then said to be running (a page reloads
   * to ask again).
   */
  async operationStanding(callId: string, operationId: string): Promise<OperationStanding> {
    const poll = () =>
      this.client.workflowService.pollWorkflowExecutionUpdate({
        namespace: this.client.options.namespace,
        updateRef: { workflowExecution: { workflowId: callWorkflowId(callId) }, updateId: operationId },
        identity: this.client.options.identity,
        waitPolicy: { lifecycleStage: temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED },
      });
    const { outcome, missing } = await this.run(callId, () => this.client.withDeadline(Date.now() + OUTCOME_WAIT_MS, poll)).then(
      ({ outcome }) => ({ outcome, missing: false }),
      (error: unknown) => {
        if (error instanceof AllianceError && error.code === 'NOT_REACHABLE') return { outcome: null, missing: false };
        // gRPC NOT_FOUND: no such call, or no operation of that id in its current run.
        if ((error instanceof AllianceError && error.code === 'NOT_FOUND') || (error as { code?: number }).code === 5) return { outcome: null, missing: true };
        throw error;
      },
    );
    if (missing) {
      // Not in the call's current run: a bulk operation of an earlier run (the call continued as new) is in its records.
      const recorded = (await this.status(callId)).operations.find((o) => o.updateId === operationId);
      if (recorded) return { status: 'done', result: recorded };
      throw new AllianceError('NOT_FOUND', `Call ${callId} has no operation ${operationId}.`);
    }
    if (!outcome) return { status: 'running' };
    const converter = this.client.options.loadedDataConverter;
    if (outcome.failure) {
      const failure = await decodeOptionalFailureToOptionalError(converter, outcome.failure);
      return { status: 'failed', error: failure?.message ?? 'The operation failed.' };
    }
    return { status: 'done', result: await decodeFromPayloadsAtIndex(converter, 0, outcome.success?.payloads) };
  }

  registerApplication(callId: string, actor: Actor, application: ApplicationInput): Promise<string> {
    return this.command(callId, registerApplicationUpdate, { actor, application });
  }

  submitRoster(callId: string, actor: Actor, roster: { rosterId: string; letterReference: string; applicationIds: string[] }): Promise<OperationRecord> {
    return this.command(callId, submitRosterUpdate, { actor, ...roster });
  }

  /** One of the operations of the table (call-operations.ts), sent and awaited like any command. */
  private operation<N extends CallOperationName>(callId: string, name: N, actor: Actor, body: OperationBody<N>): Promise<OperationResult<N>> {
    const { update, args } = buildOperation(name, actor, body);
    return this.command(callId, update, args) as Promise<OperationResult<N>>;
  }

  startWrittenReview(callId: string, actor: Actor, division?: Division): Promise<OperationRecord> {
    return this.operation(callId, 'written-review', actor, { division });
  }

  /** One reviewer assigned by hand to one application, from the call's pool: recorded by the call once the project took it. */
  assignReviewer(callId: string, actor: Actor, assignment: { applicationId: string; reviewerId: string }): Promise<OperationRecord> {
    return this.command(callId, assignReviewerUpdate, { actor, ...assignment });
  }

  /** An assigned reviewer steps down from one application before reviewing it; the call draws a replacement. */
  declineReview(callId: string, actor: Actor, decline: { applicationId: string; reason: string; conflict: boolean }): Promise<OperationRecord> {
    return this.command(callId, declineReviewUpdate, { actor, ...decline });
  }

  amendDeadline(callId: string, actor: Actor, amendment: { deadline: 'application' | 'endorsement'; until: string; reason: string }): Promise<OperationRecord> {
    return this.command(callId, amendDeadlineUpdate, { actor, ...amendment });
  }

  /**
   * The office selects the call's alliances for the results exhibition, once: a durable workflow of
   * its own (the call may have closed long before), refused a second time.
   */
  async selectExhibition(callId: string, actor: Actor): Promise<ExhibitionOutcome> {
    const { projects } = await this.status(callId);
    try {
      return (await this.client.workflow.execute('exhibitionWorkflow', {
        workflowId: exhibitionWorkflowId(callId),
        taskQueue: this.taskQueue,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        args: [{ callId, projectIds: projects.map((p) => p.projectId), actor }],
      })) as ExhibitionOutcome;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        throw new AllianceError(
          'ILLEGAL_TRANSITION',
          `The alliances of call ${callId} are already selected for its results exhibition; a call has one exhibition.`,
        );
      // The selection's own refusal (nothing to select yet) reaches the office as the law's.
      if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure && error.cause.type === 'ILLEGAL_TRANSITION')
        throw new AllianceError('ILLEGAL_TRANSITION', error.cause.message);
      throw toAllianceError(error, `Call ${callId}`);
    }
  }

  closeWrittenReview(callId: string, actor: Actor, division?: Division): Promise<ReviewRound[]> {
    return this.operation(callId, 'close-round', actor, { division });
  }

  invitePresentations(callId: string, actor: Actor, choice: { topPerDivision: number } | { applicationIds: string[] }): Promise<OperationRecord> {
    return this.operation(callId, 'invite', actor, choice);
  }

  schedulePresentations(callId: string, actor: Actor, startsAt: string): Promise<OperationRecord> {
    return this.operation(callId, 'schedule', actor, { startsAt });
  }

  startDecisionMeeting(callId: string, actor: Actor): Promise<Record<string, RankedApplication[]>> {
    return this.operation(callId, 'decision-meeting', actor, undefined);
  }

  announce(callId: string, actor: Actor): Promise<OperationRecord> {
    return this.operation(callId, 'announce', actor, undefined);
  }

  close(callId: string, actor: Actor): Promise<string> {
    return this.operation(callId, 'close', actor, undefined);
  }
}
