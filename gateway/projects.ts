import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Actor, Role } from '../domain/actor';
import { NewApplication, type ApplicationInput } from '../domain/application';
import type { Call } from '../domain/call';
import { projectWorkflowId } from '../domain/ids';
import type { ProjectEventType, ProjectPayload } from '../domain/project-events';
import { checkPayloadAndRole } from '../machines/judge';
import { ownershipProblem } from '../machines/ownership';
import type { projectWorkflow } from '../workflows';
import { CURRENT_PATCH_LEVEL } from '../messages/patch-levels';
import { draftFacts, searchAttributesOf } from '../messages/search-attributes';
import {
  MAX_BATCH_COMMANDS,
  offeredEventsQuery,
  projectBatchUpdate,
  projectStateQuery,
  projectUpdates,
  transitionLogQuery,
  type BatchCommand,
  type CommandResult,
  type ProjectView,
  type TransitionLogEntry,
} from '../messages/project';
import { AllianceError } from '../domain/errors';

/** The law's refusal codes as the client edge names them. */
export const refusalCodes: Record<string, AllianceError['code']> = {
  INVALID_PAYLOAD: 'VALIDATION',
  ROLE_NOT_ALLOWED: 'ROLE_NOT_ALLOWED',
  FORBIDDEN: 'FORBIDDEN',
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  STALE: 'STALE',
};

/** How many times a command is sent when the workflow task carrying it fails. */
const UPDATE_ATTEMPTS = 5;

/** Temporal's answer when the workflow task that took an update failed or timed out before completing: the update was not kept. */
export function abortedWithItsTask(error: unknown): boolean {
  const cause = (error as { cause?: { code?: number; message?: string } }).cause;
  return cause?.code === 9 && /unexpected workflow task failure/i.test(cause.message ?? '');
}

/** Turns what Temporal threw into an AllianceError with the code a caller can act on. */
export function toAllianceError(error: unknown, what: string): AllianceError {
  if (error instanceof AllianceError) return error;
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const code = refusalCodes[error.cause.type ?? ''];
    const details = (error.cause.details?.[0] as string[] | undefined) ?? [];
    if (code) return new AllianceError(code, error.cause.message, details);
  }
  if (error instanceof WorkflowUpdateFailedError) {
    // Refused for a reason the law has no code for: the command met the workflow at a bad moment.
    return new AllianceError('ILLEGAL_TRANSITION', `${what} refused the command: ${error.cause?.message ?? error.message}`);
  }
  if (error instanceof WorkflowNotFoundError || (error as { name?: string }).name === 'WorkflowNotFoundError') {
    return new AllianceError('NOT_FOUND', `${what} does not exist (check the call and application ids).`);
  }
  // The client wraps gRPC failures ("Failed to query Workflow"): what went wrong is in the cause.
  const cause = (error as { cause?: { code?: number; message?: string } }).cause;
  const message = [error instanceof Error ? error.message : String(error), cause?.message].filter(Boolean).join(': ');
  const grpcCode = cause?.code ?? (error as { code?: number }).code;
  // A query the workflow's code failed on (it throws, or cannot replay): Temporal answers INVALID_ARGUMENT, the client names it so.
  if ((error as { name?: string }).name === 'QueryNotRegisteredError') {
    return new AllianceError(
      'NOT_REACHABLE',
      `${what} failed to answer a query (${message}): its workflow cannot run on the workers' code now; tell the operators.`,
    );
  }
  if (grpcCode === 3 || /INVALID_ARGUMENT/.test(message)) {
    return new AllianceError('VALIDATION', `Temporal refused the request as invalid (${message}); check the ids and filters.`);
  }
  // CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE, an update call timed out or
  // cancelled: Temporal or its workers are busy or away (a query meets a worker that just died):
  // worth another try, never an internal error.
  if (
    grpcCode === 1 ||
    grpcCode === 4 ||
    grpcCode === 8 ||
    grpcCode === 14 ||
    (error as { name?: string }).name === 'WorkflowUpdateRPCTimeoutOrCancelledError'
  ) {
    return new AllianceError('NOT_REACHABLE', `Temporal did not answer in time (${message}); try again in a moment.`);
  }
  if (/UNAVAILABLE|ECONNREFUSED|deadline exceeded|Failed to connect|connect/i.test(message)) {
    return new AllianceError('NOT_REACHABLE', `The Temporal service cannot be reached (${message}); is \`make start\` running, or TEMPORAL_ADDRESS right?`);
  }
  throw error;
}

/** The payload and role checks of the workflow's validator, made before sending. */
function precheck(type: ProjectEventType, actor: Actor, payload: unknown): AllianceError | null {
  const checked = checkPayloadAndRole(type, actor, payload, { fromOutside: true });
  return checked.ok ? null : new AllianceError(refusalCodes[checked.code]!, checked.message, checked.details);
}

/** The projects of the programme, as the office, PIs, institutions and reviewers reach them. */
export class ProjectClient {
  constructor(
    private readonly client: Client,
    readonly taskQueue: string,
  ) {}

  handle(projectId: string): WorkflowHandle<typeof projectWorkflow> {
    return this.client.workflow.getHandle<typeof projectWorkflow>(projectId);
  }

  /** Opens a draft application as a project workflow; its id is derived from the call and application. */
  async create(call: Call, input: ApplicationInput): Promise<string> {
    const parsed = NewApplication.safeParse(input);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => `${i.path.join('.') || '(application)'}: ${i.message}`);
      throw new AllianceError('VALIDATION', `The application is invalid: ${details.join('; ')}.`, details);
    }
    const application = parsed.data;
    const workflowId = projectWorkflowId(call.id, application.id);
    try {
      await this.client.workflow.start('projectWorkflow', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [{ call, application, patchLevel: CURRENT_PATCH_LEVEL }],
        typedSearchAttributes: searchAttributesOf(draftFacts(call, application)),
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new AllianceError(
          'VALIDATION',
          `Application ${application.id} already exists in call ${call.id} (${workflowId}); choose another application id.`,
        );
      }
      throw toAllianceError(error, workflowId);
    }
    return workflowId;
  }

  /** Sends one command; a refusal becomes an AllianceError whose code says which check refused it. */
  async send<T extends ProjectEventType>(
    projectId: string,
    type: T,
    actor: Actor,
    payload: ProjectPayload<T>,
    options: { precheck?: boolean; updateId?: string; deadlineMs?: number; ifMatch?: number } = {},
  ): Promise<CommandResult> {
    // The workflow's validator decides; these two checks need no round trip and no running worker.
    const early = options.precheck === false ? null : precheck(type, actor, payload);
    if (early) throw early;
    // The same update id again is answered with the first one's outcome: a resent command is not applied twice.
    const updateId = options.updateId ?? randomUUID();
    const update = () =>
      this.handle(projectId).executeUpdate(projectUpdates[type], {
        args: [{ actor, payload, ...(options.ifMatch === undefined ? {} : { ifMatch: options.ifMatch }) }],
        updateId,
      });
    return this.untilAnswered(projectId, update, options.deadlineMs, (coded) => this.explainEnded(projectId, type, actor, payload, coded));
  }

  /**
   * Sends several commands for one project, applied in order in one step or not at all (the
   * first refusal says which command it was). A call's bulk operations send a project's commands
   * so; a refused batch can be sent again one command at a time.
   */
  async sendBatch(projectId: string, commands: BatchCommand[], options: { updateId?: string; deadlineMs?: number } = {}): Promise<CommandResult> {
    if (commands.length === 0 || commands.length > MAX_BATCH_COMMANDS) {
      throw new AllianceError('VALIDATION', `A batch holds 1 to ${MAX_BATCH_COMMANDS} commands, not ${commands.length}; send more as several batches.`);
    }
    for (const [i, { type, actor, payload }] of commands.entries()) {
      const early = precheck(type, actor, payload);
      if (early) throw new AllianceError(early.code, `command ${i + 1} of ${commands.length} (${type}): ${early.message}`, early.details);
    }
    const updateId = options.updateId ?? randomUUID();
    const update = () => this.handle(projectId).executeUpdate(projectBatchUpdate, { args: [{ commands }], updateId });
    const first = commands[0]!;
    return this.untilAnswered(projectId, update, options.deadlineMs, (coded) => this.explainEnded(projectId, first.type, first.actor, first.payload, coded));
  }

  /** Sends an update until answered: again after a workflow task that died with it, within one deadline for every attempt. */
  private async untilAnswered(
    projectId: string,
    update: () => Promise<CommandResult>,
    deadlineMs: number | undefined,
    explainNotFound: (coded: AllianceError) => Promise<AllianceError>,
  ): Promise<CommandResult> {
    // One deadline for every attempt: a bulk operation's "no answer within 20 s" stays 20 s.
    const deadline = deadlineMs ? Date.now() + deadlineMs : undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await (deadline ? this.client.withDeadline(deadline, update) : update());
      } catch (error) {
        // The workflow task that carried the command failed (its worker died mid-task): nothing of
        // it was kept, so the command goes again under the same id, as any worker's restart would.
        if (attempt < UPDATE_ATTEMPTS && abortedWithItsTask(error) && (!deadline || Date.now() + 250 * attempt < deadline)) {
          await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
          continue;
        }
        const coded = toAllianceError(error, projectId);
        throw coded.code === 'NOT_FOUND' ? await explainNotFound(coded) : coded;
      }
    }
  }

  /** A finished project takes no updates; Temporal says "not found", the office should hear why. */
  private async explainEnded(projectId: string, type: ProjectEventType, actor: Actor, payload: unknown, notFound: AllianceError): Promise<AllianceError> {
    // No validator runs any more: the same first two checks, so the code does not depend on whether the project still runs.
    const early = precheck(type, actor, payload);
    if (early) return early;
    try {
      const view = await this.view(projectId);
      const notTheirs = ownershipProblem(view.context, type, actor, payload as object);
      if (notTheirs) return new AllianceError('FORBIDDEN', notTheirs);
      const reason = view.context.endReason ? ` — ${view.context.endReason}` : '';
      return new AllianceError('ILLEGAL_TRANSITION', `${type} was refused: the project has ended (${view.lifecycle})${reason}; it accepts nothing more.`);
    } catch {
      return notFound;
    }
  }

  /** The project's whole state; within `deadlineMs` when given (a bulk operation's read of many projects). */
  async view(projectId: string, options: { deadlineMs?: number } = {}): Promise<ProjectView> {
    const query = () => this.handle(projectId).query(projectStateQuery);
    try {
      return await (options.deadlineMs ? this.client.withDeadline(Date.now() + options.deadlineMs, query) : query());
    } catch (error) {
      throw toAllianceError(error, projectId);
    }
  }

  async offered(projectId: string): Promise<Record<Role, ProjectEventType[]>> {
    try {
      return await this.handle(projectId).query(offeredEventsQuery);
    } catch (error) {
      throw toAllianceError(error, projectId);
    }
  }

  async transitionLog(projectId: string): Promise<TransitionLogEntry[]> {
    try {
      return await this.handle(projectId).query(transitionLogQuery);
    } catch (error) {
      throw toAllianceError(error, projectId);
    }
  }
}
