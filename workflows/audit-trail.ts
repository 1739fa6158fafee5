import { log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RecordTransitionInput } from '../activities/audit';
import { settle } from './settle';

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

/** Transitions in one append at most (each record adds one turn of the chain, so none is left behind). */
const MAX_BATCH = 50;

/**
 * Writes a workflow's transitions to the ledger one after another, in the order they happened,
 * so each entry can carry the hash of the one before. `settled()` waits for all of them.
 */
export function createAuditTrail(workflowId: string) {
  let chain: Promise<unknown> = Promise.resolve();
  // Transitions recorded and not yet taken by an append.
  const waiting: RecordTransitionInput[] = [];
  const append = (): Promise<unknown> => {
    // Everything that came while the previous append was on its way (or in this same activation),
    // at most 50: a batch held up by a database outage retries in bounded steps.
    const batch = waiting.splice(0, MAX_BATCH);
    if (batch.length === 0) return Promise.resolve();
    return (batch.length === 1 ? recordTransition(batch[0]!) : recordTransitions(batch))
      .catch((error: unknown) => log.error('transitions could not be written to the ledger', { workflowId, entrySeqs: batch.map((b) => b.entry.seq), error: String(error) }));
  };
  return {
    record(input: Omit<RecordTransitionInput, 'workflowId'>): void {
      if (!patched(AUDIT_LEDGER_PATCH)) return;
      const full = { ...input, workflowId, chainId: workflowInfo().firstExecutionRunId };
      const batched = patched(AUDIT_BATCH_PATCH);
      if (batched) waiting.push(full);
      // The store quarantines what it cannot append and the database being away is retried without
      // end, so nothing is expected here; should anything come, it is logged, never left to reject
      // the chain (an unhandled rejection would fail every workflow task of the project from then on).
      chain = chain
        .then(() => (batched ? append() : recordTransition(full)))
        .catch((error: unknown) => log.error('a transition could not be written to the ledger', { workflowId, entrySeq: input.entry.seq, error: String(error) }));
    },
    /** Resolves once every transition recorded so far, including any recorded while waiting, is in the ledger. */
    settled: (): Promise<void> => settle(() => chain),
  };
}
