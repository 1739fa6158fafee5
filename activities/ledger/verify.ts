import { entryHash, type LedgerEntry } from './store';
import type { BrokenEntry } from '../../tlog/reports';

export interface ChainReport {
  checked: number;
  broken: BrokenEntry | null;
}

const broken = (e: LedgerEntry, reason: string): BrokenEntry => ({ seq: e.seq, workflowId: e.workflowId, entrySeq: e.entrySeq, reason });

/**
 * Recomputes every hash and link. `entries` is the whole ledger (both chains checked) or one
 * project's entries (its own chain checked). Reports the first entry that does not hold.
 */
export function verifyChains(entries: readonly LedgerEntry[], scope: 'ledger' | 'project'): ChainReport {
  const bySeq = [...entries].sort((a, b) => a.seq - b.seq);
  const lastOfWorkflow = new Map<string, LedgerEntry>();
  let previous: LedgerEntry | undefined;
  for (const entry of bySeq) {
    const { hash, ...content } = entry;
    if (entryHash(content) !== hash) return { checked: bySeq.length, broken: broken(entry, 'its content does not match its hash: the entry was altered') };
    if (scope === 'ledger') {
      if (entry.seq !== (previous?.seq ?? 0) + 1)
        return { checked: bySeq.length, broken: broken(entry, `entry ${(previous?.seq ?? 0) + 1} is missing before it`) };
      if (entry.prevHash !== (previous?.hash ?? ''))
        return { checked: bySeq.length, broken: broken(entry, 'it does not link to the previous entry of the ledger') };
    }
    // One chain per execution chain of the workflow id (a re-used id starts its own).
    const chainKey = `${entry.workflowId}\u0000${entry.chainId ?? ''}`;
    const before = lastOfWorkflow.get(chainKey);
    if (before && entry.entrySeq !== before.entrySeq + 1)
      return { checked: bySeq.length, broken: broken(entry, `transition ${before.entrySeq + 1} of ${entry.workflowId} is missing before it`) };
    if (entry.prevWorkflowHash !== (before?.hash ?? ''))
      return { checked: bySeq.length, broken: broken(entry, `it does not link to the previous entry of ${entry.workflowId}`) };
    lastOfWorkflow.set(chainKey, entry);
    previous = entry;
  }
  return { checked: bySeq.length, broken: null };
}
