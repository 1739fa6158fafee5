// One run of a call: its records, its chart, and the checks and queue every handler shares. The
// handlers (registration.ts, review.ts, decision.ts) and the workflow's loop (../call-workflow.ts)
// read and change the call only through it.
import type { InstitutionAddress } from '../../domain/institutions';
import { ApplicationFailure, currentUpdateInfo, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { createActor, initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { Activities } from '../../activities';
import type { ProjectCommand } from '../../activities/project-commands';
import { Actor } from '../../domain/actor';
import type { Application, Division } from '../../domain/application';
import type { Call } from '../../domain/call';
import type { Reviewer } from '../../domain/reviewers';
import { searchAttributes as keys } from '../../domain/search-attributes';
import { callCommands, callMachine, type CallCommand, type CallEvent } from '../../machines/call-machine';
import { onRoster } from '../../machines/call-plans';
import { judgeCall, stateProblem, type CallStanding } from '../../machines/call-judge';
import { carriedRecords, emptyRecords, type RecordEvent } from '../../machines/call-records';
import type { CallView, CallWorkflowInput, OperationRecord, RegisteredProject, ReviewRound, Roster } from '../../messages/call';
import { isUnsealed, unsealedRefusal } from '../../messages/sealed';
import { createAuditTrail } from '../audit-trail';

export const { applyProjectCommands, claimPhase2Continuation, summarizeProjects } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The applicant's record, read from the shared store: bounded, so a store that does not answer gives
 * the registration one clear refusal instead of holding the call's door.
 */
export const { applicantRecordProblem } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

export const now = (): string => new Date().toISOString();
export const refuse = (code: string, message: string): never => {
  throw ApplicationFailure.create({ type: code, message, details: [[]], nonRetryable: true });
};

type Settle = (record: OperationRecord) => void;

export class CallRun {
  readonly call: Call;
  readonly reviewerPool: Reviewer[];
  readonly institutions: InstitutionAddress[] | undefined;
  snapshot: SnapshotFrom<typeof callMachine>;
  /** Bumped on every change: the workflow's loop wakes on it. */
  version = 0;
  transitions: number;
  readonly audit = createAuditTrail(workflowInfo().workflowId);
  /** Ids being registered right now: a second registration of the same id, sent before the first's child has started, is refused too. */
  readonly registering = new Map<string, Application>();
  // Bulk operations run one at a time, in the order they were accepted.
  private queue: Promise<unknown> = Promise.resolve();

  constructor({ call, reviewerPool, institutions, carried }: CallWorkflowInput) {
    this.call = call;
    this.reviewerPool = reviewerPool;
    this.institutions = institutions;
    if (carried) {
      const persisted = { ...(carried.snapshot as object), context: carriedRecords(carried, call.calendar) };
      this.snapshot = createActor(callMachine, { snapshot: persisted as never, input: persisted.context }).getSnapshot();
    } else {
      this.snapshot = initialTransition(callMachine, emptyRecords(call.calendar))[0];
    }
    this.transitions = carried?.transitions ?? 0;
  }

  // The call's records: the machine's context, read afresh at every use (each record event makes a new one).
  get projects(): readonly RegisteredProject[] {
    return this.snapshot.context.projects;
  }
  get rosters(): readonly Roster[] {
    return this.snapshot.context.rosters;
  }
  get assignments(): Readonly<Record<string, string[]>> {
    return this.snapshot.context.assignments;
  }
  get declined(): Readonly<Record<string, string[]>> {
    return this.snapshot.context.declined ?? {};
  }
  get rounds(): readonly ReviewRound[] {
    return this.snapshot.context.rounds;
  }
  get invited(): readonly string[] {
    return this.snapshot.context.invited;
  }
  /** The call's dates as the office amended them: its own timers, and the projects registered after, follow them. */
  get calendar(): Call['calendar'] {
    return this.snapshot.context.calendar;
  }

  /**
   * Changes the call's records through its machine: the one way they change. It wakes nothing: the
   * call's loop wakes on `version`, which the handlers bump where they always did (a wake-up sets a
   * new timer, so recorded histories replay only with the same wake-ups).
   */
  record(event: RecordEvent): void {
    this.snapshot = transition(callMachine, this.snapshot, event)[0];
  }

  state(): string {
    return this.snapshot.value;
  }

  move(type: CallEvent['type'], actor: Actor): void {
    const event: CallEvent = { type, actor, at: now() };
    if (this.snapshot.can(event)) {
      const from = this.state();
      this.snapshot = transition(callMachine, this.snapshot, event)[0];
      this.version++;
      upsertSearchAttributes([{ key: keys.state, value: this.state() }]);
      this.audit.record({ entry: { seq: ++this.transitions, at: event.at, actor, event: type as never, from: [from], to: [this.state()] }, payload: {} });
    }
  }

  /**
   * The handlers' own check, role and call state, as the law words them: the validator has asked the
   * whole law before (validators do not run on replay, so older histories replay by these two alone).
   */
  admit(command: CallCommand, args: { actor?: unknown }): Actor {
    const actor = Actor.safeParse(args?.actor);
    if (!actor.success) refuse('INVALID_PAYLOAD', `${command} was refused: name the acting role and id (actor: { role, id }).`);
    const roles: readonly string[] = callCommands[command].roles;
    if (!roles.includes(actor.data!.role))
      refuse('ROLE_NOT_ALLOWED', `${command} may be sent only by ${roles.join(' or ')}, not by ${actor.data!.role} ${actor.data!.id}.`);
    const wrongState = stateProblem(this.standing(), command);
    if (wrongState) refuse('ILLEGAL_TRANSITION', wrongState);
    return actor.data!;
  }

  /** The call as its law reads it (machines/call-judge.ts). */
  standing(): CallStanding {
    const { call, projects, assignments, rounds, reviewerPool, calendar, institutions } = this;
    return {
      callId: call.id,
      state: this.state(),
      calendar,
      policy: call.policy,
      projects,
      registering: [...this.registering.values()],
      assignments,
      rounds,
      reviewerPool,
      ...(institutions && { institutions }),
    };
  }

  /** Every validator asks the call's law: a refused command never enters the call's history. */
  validate(command: CallCommand): { validator: (args: unknown) => void } {
    return {
      validator: (args) => {
        if (isUnsealed(args)) throw ApplicationFailure.create({ type: 'FORBIDDEN', message: unsealedRefusal(command), details: [[]], nonRetryable: true });
        const verdict = judgeCall(this.standing(), command, args, Date.now());
        if (!verdict.ok) throw ApplicationFailure.create({ type: verdict.code, message: verdict.message, details: [verdict.details], nonRetryable: true });
      },
    };
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends the commands to their projects; `settle` records in the call what the projects took (and
   * may add to the operation's record), before the next operation starts.
   */
  async operate(operation: string, actor: Actor, commands: ProjectCommand[], settle?: Settle, updateId = currentUpdateInfo()?.id): Promise<OperationRecord> {
    const outcome = await applyProjectCommands(commands);
    const record: OperationRecord = { operation, by: actor, at: now(), ...outcome, ...(updateId && { updateId }) };
    settle?.(record);
    this.record({ type: 'record.operation', record });
    this.version++;
    return record;
  }

  /** A bulk operation in the call's queue, recorded under the id of the update that asked for it (a job page finds it by that id in any later run). */
  bulk(operation: string, actor: Actor, commands: ProjectCommand[], settle?: Settle): Promise<OperationRecord> {
    const updateId = currentUpdateInfo()?.id;
    return this.exclusive(() => this.operate(operation, actor, commands, settle, updateId));
  }

  inScope(division?: Division): RegisteredProject[] {
    return this.projects.filter((p) => !division || p.division === division);
  }

  onRoster(p: RegisteredProject): boolean {
    return onRoster(this, p.applicationId);
  }

  view(): CallView {
    const { projects, rosters, assignments, rounds, invited, slots, operations, amendments } = this.snapshot.context;
    return {
      callId: this.call.id,
      state: this.state(),
      projects,
      rosters,
      assignments,
      rounds,
      invited,
      slots,
      operations,
      reviewerPool: this.reviewerPool,
      ...(amendments.length > 0 && { amendments }),
    };
  }
}
