import { allHandlersFinished, condition, continueAsNew, setHandler, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { initialTransition } from 'xstate';
import type { ProjectEvent } from '../domain/project-events';
import { fireDueDeadlines, pendingDeadlines, versionAt } from '../machines/deadlines';
import { offeredEvents, type BatchStep, type ProjectSnapshot } from '../machines/judge';
import { migrateSnapshot, persistSnapshot, restoreSnapshot } from '../machines/law';
import { projectMachines } from '../machines/project-machine';
import { lifecycleState, statePaths } from '../machines/state-names';
import { archiveWorkflow } from './archive-workflow';
import { createAuditTrail } from './audit-trail';
import { dispatchTransitionEffects } from './effects';
import { sleepUntil, type AlarmClock } from './project-alarm';
import { handleCommands } from './project-commands';
import { createNotifier } from './notifier';
import { patchCheck, type PatchCheck } from './patch-levels';
import type { Call } from '../domain/call';
import { CURRENT_PATCH_LEVEL } from '../messages/patch-levels';
import {
  offeredEventsQuery,
  projectNoticesQuery,
  projectStateQuery,
  transitionLogQuery,
  type CommandResult,
  type ProjectOutcome,
  type ProjectView,
  type ProjectWorkflowInput,
  type TransitionLogEntry,
} from '../messages/project';
import { isOverdue, projectRecord, projectSearchAttributes } from '../messages/search-attributes';
import { refuseUnsealedStart } from './sealed-start';

const now = (): string => new Date().toISOString();

/** Patch id of search attributes upserted only when they change (most commands change none of them). */
export const SEARCH_ATTRIBUTES_ON_CHANGE_PATCH = 'search-attributes-on-change-v1';

/** Before a run ends: every handler finished and every transition in the ledger, however late the last came in. */
async function quiesce(version: () => number, ...settling: { settled(): Promise<unknown> }[]): Promise<void> {
  // A command taken while this waits (its handler records at once) sends the wait round again.
  let seen: number;
  do {
    seen = version();
    await condition(allHandlersFinished);
    for (const part of settling) await part.settled();
  } while (version() !== seen || !allHandlersFinished());
}

/** Upserts the project's search attributes; since search-attributes-on-change-v1 only when they changed. */
function factsUpserter(call: Call, patched: PatchCheck): (current: ProjectSnapshot) => void {
  let upserted = '';
  return (current) => {
    const attributes = projectSearchAttributes(current, call);
    const facts = JSON.stringify(attributes);
    // Before the patch every transition upserted, changed or not: those histories replay so.
    if (facts === upserted && patched(SEARCH_ATTRIBUTES_ON_CHANGE_PATCH)) return;
    upserted = facts;
    upsertSearchAttributes(attributes);
  };
}

/** The project as its state query answers: lifecycle, states, deadlines and the whole context (views filter it per role). */
function projectViewOf(workflowId: string, snapshot: ProjectSnapshot, call: Call): ProjectView {
  return {
    workflowId,
    lifecycle: lifecycleState(snapshot.value),
    states: statePaths(snapshot.value),
    done: snapshot.status === 'done',
    overdue: isOverdue(snapshot),
    projectYear: snapshot.context.projectYear,
    deadlines: pendingDeadlines(snapshot, call.calendar),
    context: snapshot.context,
  };
}

const commandResult = (snapshot: ProjectSnapshot): CommandResult => ({
  lifecycle: lifecycleState(snapshot.value),
  states: statePaths(snapshot.value),
  projectYear: snapshot.context.projectYear,
});

/**
 * One project, from draft to closed, for years. The machine decides what is legal; every command
 * is an update validated before it enters history; deadlines are timers from the call calendar.
 * Continues as new at every project-year boundary, carrying the machine snapshot and the log.
 */
export async function projectWorkflow(input: ProjectWorkflowInput): Promise<ProjectOutcome> {
  const { call, application } = input;
  const { workflowId } = workflowInfo();
  refuseUnsealedStart(input, 'projectWorkflow');
  const patched = patchCheck(input.patchLevel);
  // A project keeps the law it started under until a year boundary; histories from before law v3 (v2) replay under v2 (v1).
  let snapshot: ProjectSnapshot = input.carried
    ? restoreSnapshot(input.carried.snapshot)
    : initialTransition(projectMachines[patched('project-law-v3') ? 3 : patched('project-law-v2') ? 2 : 1], {
        projectId: workflowId,
        callId: call.id,
        policy: call.policy,
        application,
        firstProjectYearStarts: call.calendar.firstProjectYearStarts,
      })[0];
  const log: TransitionLogEntry[] = input.carried?.log ?? [];
  const yearAtStart = snapshot.context.projectYear;
  let version = 0;
  const audit = createAuditTrail(workflowId, patched);
  const notifier = createNotifier(workflowId, call, log, input.carried?.notices, patched);

  const upsertFacts = factsUpserter(call, patched);

  /** The transition in the log and the snapshot; what its ledger append carries. */
  const logTransition = ({ before, event, after }: BatchStep) => {
    const entry: TransitionLogEntry = {
      seq: log.length + 1,
      at: event.at,
      actor: event.actor,
      event: event.type,
      from: statePaths(before.value),
      to: statePaths(after.value),
    };
    log.push(entry);
    snapshot = after;
    version++;
    dispatchTransitionEffects(entry, before, after);
    const { type: _type, actor: _actor, at: _at, ...payload } = event;
    return { entry, payload, project: projectRecord(after, call) };
  };

  const record = (before: ProjectSnapshot, event: ProjectEvent, after: ProjectSnapshot): void => {
    const transition = logTransition({ before, event, after });
    upsertFacts(after);
    if (audit.carriesNotices()) {
      // One activity for the transition's ledger append and its notices.
      audit.record(transition, notifier.prepareTransition(transition.entry.seq, event, after));
    } else {
      audit.record(transition);
      notifier.onTransition(transition.entry.seq, event, after);
    }
  };

  /** A batch's transitions: one search-attribute upsert, and one activity for their ledger entries and notices. */
  const recordBatch = (steps: BatchStep[]): void => {
    if (!audit.carriesNotices()) {
      for (const step of steps) record(step.before, step.event, step.after);
      return;
    }
    const transitions = steps.map(logTransition);
    upsertFacts(snapshot);
    audit.recordAll(
      transitions.map((transition, i) => ({ transition, notices: notifier.prepareTransition(transition.entry.seq, steps[i]!.event, steps[i]!.after) })),
    );
  };

  /** The state at `at` once the deadlines due by then have fired: what a validator judges against, without recording them. */
  const stateAt = (at: string): ProjectSnapshot => fireDueDeadlines(snapshot, call.calendar, at).at(-1)?.after ?? snapshot;

  const enforceDeadlines = (): void => {
    for (const fired of fireDueDeadlines(snapshot, call.calendar, now())) record(fired.before, fired.event, fired.after);
  };

  // The transitions recorded so far: the state's version, which an If-Match names (the API's ETag).
  const result = (): CommandResult => ({ ...commandResult(snapshot), seq: log.length });

  // The version an If-Match names: each deadline due by `at` will be one more transition once recorded.
  const seqAt = (at: string): number => versionAt(snapshot, call.calendar, log.length, at);
  handleCommands({ snapshot: () => snapshot, seqAt, enforceDeadlines, stateAt, record, recordBatch, result });

  const view = (): ProjectView => ({ ...projectViewOf(workflowId, snapshot, call), seq: log.length });
  setHandler(projectStateQuery, view);
  setHandler(offeredEventsQuery, () => offeredEvents(snapshot));
  setHandler(transitionLogQuery, () => log);
  setHandler(projectNoticesQuery, () => notifier.sent());

  upsertFacts(snapshot);

  const clock: AlarmClock = {};
  for (;;) {
    enforceDeadlines();
    if (snapshot.status === 'done') break;
    const newYear = snapshot.context.projectYear !== yearAtStart;
    if (newYear || workflowInfo().continueAsNewSuggested) {
      // A new project year starts a new run: the history of one run stays one year long.
      await quiesce(() => version, audit, notifier);
      // The year boundary is the safe point where a project moves to the current law.
      const carried = persistSnapshot(newYear ? migrateSnapshot(snapshot, call.calendar) : snapshot);
      return await continueAsNew<typeof projectWorkflow>({
        call,
        application,
        patchLevel: CURRENT_PATCH_LEVEL,
        carried: { snapshot: carried, log, notices: notifier.carry() },
      });
    }
    const seen = version;
    // Wake at the next deadline or the next reminder, whichever comes first, or on a command.
    const wakeAt = [pendingDeadlines(snapshot, call.calendar)[0]?.at, notifier.remind(snapshot, now())].filter((at) => at !== undefined).sort()[0];
    await sleepUntil(clock, wakeAt, () => version !== seen, patched);
  }
  await quiesce(() => version, audit, notifier);
  if (patched('archive-on-close-v1')) {
    // The archive copies this chain's history once it has closed, so it outlives Temporal's retention.
    await startChild(archiveWorkflow, { workflowId: `archive:${workflowId}`, args: [workflowId], parentClosePolicy: 'ABANDON' });
  }
  // The whole log in the result: an auditor checks a closed project against it without a replay.
  return { ...view(), transitionLog: log, chainId: workflowInfo().firstExecutionRunId };
}
