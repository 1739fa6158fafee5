import { log, patched as askHistory, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CarriedTransition, RecordTransitionInput } from '../activities/audit';
import type { PendingNotices } from './notifier';
import type { PatchCheck } from './patch-levels';
import { settle } from './settle';

const { recordTransitionWithNotices, recordTransitionsWithNotices } = proxyActivities<Activities>({
  // The notices' SMTP conversations take their time: heartbeats show the attempt alive meanwhile.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  // Without end, as the ledger's own appends; the relay being away ends at NOTICE_QUICK_ATTEMPTS.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const { recordTransition, recordTransitions } = proxyActivities<Activities>({
  // An append takes milliseconds; a worker that died mid-append is noticed and retried soon.
  startToCloseTimeout: '10 seconds',
  // The ledger may be down for a while: transitions wait for it, they are never dropped.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Patch id of the audit ledger: histories recorded before it replay without ledger activities. */
export const AUDIT_LEDGER_PATCH = 'audit-ledger-v1';

/**
 * Patch id of batched appends: the transitions that come while an append is on its way (a bulk
 * operation's, deadlines firing together) go in the next activity together, not one each.
 */
export const AUDIT_BATCH_PATCH = 'audit-batch-v1';

/**
 * Patch id of appends started at once: each transition's append is scheduled in the same step
 * that recorded it, naming the earlier append still on its way, which the ledger writes first.
 * Before it, an append waited in the workflow for the previous one to finish; whether it had
 * finished depended on how a worker that took the project over grouped the history's tasks, so
 * the order of an append and a command's answer could differ on replay (a determinism error).
 */
export const AUDIT_EAGER_PATCH = 'audit-eager-v1';

/**
 * Patch id of a transition's notices delivered by its ledger append's activity
 * (`recordTransitionWithNotices`): one activity and one workflow task per transition with notices,
 * not two of each.
 */
export const TRANSITION_NOTICES_PATCH = 'transition-notices-v1';

/**
 * Patch id of appends that carry the transitions before them: an append scheduled while earlier
 * ones are on their way takes their entries along and writes them first (those already there are
 * found so), instead of naming the latest as `after` and waiting for its activity. An append
 * whose predecessor was stuck (a busy or killed worker) waited a few seconds, failed and was
 * retried, and every later one of the project waited behind it. Only the activities' inputs
 * change, never which commands a step makes.
 */
export const AUDIT_CARRY_PATCH = 'audit-carry-v1';

/** Transitions in one append at most (each record adds one turn of the chain, so none is left behind). */
const MAX_BATCH = 50;

/**
 * Earlier transitions one append carries at most, and their payloads' length in JSON: before them
 * it names `after` and waits for that one, as before, so a long outage or a long report never
 * makes an activity's input (kept in history) large.
 */
const MAX_CARRIED = 8;
const MAX_CARRIED_JSON = 16_000;

/** The latest of `pending` that one append may carry. */
function carriable(pending: CarriedTransition[]): CarriedTransition[] {
  let length = 0;
  let from = pending.length;
  while (from > 0 && pending.length - from < MAX_CARRIED) {
    length += JSON.stringify(pending[from - 1]!.payload ?? null).length;
    if (length > MAX_CARRIED_JSON) break;
    from--;
  }
  return pending.slice(from);
}

/** What an append scheduled at once is given about the appends still on their way. */
type Ahead = { after?: number; carried?: CarriedTransition[] };

/**
 * Writes a workflow's transitions to the ledger in the order they happened, so each entry can
 * carry the hash of the one before. `settled()` waits for all of them.
 */
export function createAuditTrail(workflowId: string, patched: PatchCheck = askHistory) {
  let chain: Promise<unknown> = Promise.resolve();
  // Transitions recorded and not yet taken by an append (audit-batch-v1).
  const waiting: RecordTransitionInput[] = [];
  // Transitions whose append was scheduled at once and has not been seen to finish (audit-eager-v1), in order, by number.
  const unfinished = new Map<number, CarriedTransition>();
  // The last transition recorded the way before audit-eager-v1, in a run that switched midway: the first appends after the switch wait for it.
  let lastBeforeEager: number | undefined;
  // The store quarantines what it cannot append and the database being away is retried without
  // end, so nothing is expected here; should anything come, it is logged, never left to reject
  // (an unhandled rejection would fail every workflow task of the project from then on).
  const logged = (entrySeqs: number[]) => (error: unknown) =>
    log.error('transitions could not be written to the ledger', { workflowId, entrySeqs, error: String(error) });
  // The appends before audit-eager-v1, exactly as they were: their histories replay only so.
  const append = (): Promise<unknown> => {
    const batch = waiting.splice(0, MAX_BATCH);
    if (batch.length === 0) return Promise.resolve();
    return (batch.length === 1 ? recordTransition(batch[0]!) : recordTransitions(batch)).catch(logged(batch.map((b) => b.entry.seq)));
  };
  /**
   * Schedules an append here and now (audit-eager-v1), whatever else is on its way: the commands
   * of this step never depend on when an earlier activity's completion was seen. The transitions
   * still unwritten go along (audit-carry-v1), or the latest of them is named as `after`.
   */
  const scheduleNow = (own: CarriedTransition[], write: (ahead: Ahead) => Promise<unknown>): void => {
    const pending = [...unfinished.values()];
    const carried = pending.length > 0 && patched(AUDIT_CARRY_PATCH) ? carriable(pending) : [];
    const after = pending.length > carried.length ? pending[pending.length - carried.length - 1]!.entry.seq : lastBeforeEager;
    const seqs = own.map(({ entry }) => entry.seq);
    for (const transition of own) unfinished.set(transition.entry.seq, transition);
    const written = write({ ...(after === undefined ? {} : { after }), ...(carried.length > 0 ? { carried } : {}) })
      .catch(logged(seqs))
      .finally(() => seqs.forEach((seq) => unfinished.delete(seq)));
    chain = Promise.all([chain, written]);
  };
  return {
    /** Whether this run's appends carry their transition's notices (appends scheduled at once, and transition-notices-v1). */
    carriesNotices: (): boolean => patched(AUDIT_LEDGER_PATCH) && patched(AUDIT_EAGER_PATCH) && patched(TRANSITION_NOTICES_PATCH),
    /** Appends a transition; with `notices` (only when `carriesNotices()`), delivers them in the same activity. */
    record(input: Omit<RecordTransitionInput, 'workflowId'>, notices?: PendingNotices): void {
      if (!patched(AUDIT_LEDGER_PATCH)) return;
      const full = { ...input, workflowId, chainId: workflowInfo().firstExecutionRunId };
      const { seq } = input.entry;
      if (patched(AUDIT_EAGER_PATCH)) {
        scheduleNow([{ entry: input.entry, payload: input.payload }], (ahead) => {
          const args = { ...full, ...ahead };
          return notices
            ? recordTransitionWithNotices({ ...args, notices: notices.deliveries }).then((outcome) => notices.settle(outcome.notices))
            : recordTransition(args);
        });
        return;
      }
      lastBeforeEager = seq;
      const batched = patched(AUDIT_BATCH_PATCH);
      if (batched) waiting.push(full);
      chain = chain
        .then(() => (batched ? append() : recordTransition(full)))
        .catch((error: unknown) => log.error('a transition could not be written to the ledger', { workflowId, entrySeq: seq, error: String(error) }));
    },
    /**
     * A command batch's transitions (only when `carriesNotices()`): one activity appends them in
     * order and delivers all their notices; each transition's notices settle from its outcome.
     */
    recordAll(items: { transition: Omit<RecordTransitionInput, 'workflowId'>; notices: PendingNotices | undefined }[]): void {
      const chainId = workflowInfo().firstExecutionRunId;
      const transitions = items.map(({ transition, notices }) => ({ ...transition, workflowId, chainId, notices: notices?.deliveries ?? [] }));
      scheduleNow(
        items.map(({ transition: { entry, payload } }) => ({ entry, payload })),
        (ahead) =>
          recordTransitionsWithNotices({ transitions, ...ahead }).then((outcome) =>
            Promise.all(items.flatMap(({ notices }) => (notices ? [notices.settle(outcome.notices)] : []))),
          ),
      );
    },
    /** Resolves once every transition recorded so far, including any recorded while waiting, is in the ledger. */
    settled: (): Promise<void> => settle(() => chain),
  };
}
