import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { signCheckpoint, type LogSigner } from './checkpoint';
import { rootOf } from './merkle';
import type { LedgerStore, StoredCheckpoint } from './store';

/** When a new checkpoint is due: after this many new leaves, or this long after the last one if anything was added. */
export interface CheckpointPolicy {
  everyEntries: number;
  everyMs: number;
}

/** Pure: whether a checkpoint of `size` leaves is due now, given the last one. */
export function checkpointDue(policy: CheckpointPolicy, latest: Pick<StoredCheckpoint, 'size' | 'at'> | null, size: number, now: Date): boolean {
  if (size === 0) return false;
  if (!latest) return true;
  if (size <= latest.size) return false;
  return size - latest.size >= policy.everyEntries || now.getTime() - Date.parse(latest.at) >= policy.everyMs;
}

/**
 * Signs the tree as it stands and publishes the checkpoint: kept in the ledger's database and,
 * where configured, written to the witness directory as one read-only file per size — a place the
 * operator makes append-only on the host (or another machine's mount), out of the database's reach.
 */
export function createCheckpointWriter(deps: { ledger: LedgerStore; signer: LogSigner; origin: string; witnessDir?: string; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return async function writeCheckpoint(): Promise<{ checkpoint: StoredCheckpoint; written: boolean } | null> {
    const leaves = (await deps.ledger.leaves()).map((l) => Buffer.from(l.hash, 'hex'));
    const latest = await deps.ledger.latestCheckpoint();
    if (leaves.length === 0) return null;
    if (latest && latest.size === leaves.length) return { checkpoint: latest, written: false };
    const root = rootOf(leaves);
    const checkpoint: StoredCheckpoint = { size: leaves.length, root: root.toString('hex'), note: signCheckpoint({ origin: deps.origin, size: leaves.length, root }, deps.signer), at: now().toISOString() };
    await deps.ledger.saveCheckpoint(checkpoint);
    if (deps.witnessDir) {
      try {
        writeFileSync(path.join(deps.witnessDir, `checkpoint-${String(checkpoint.size).padStart(12, '0')}.txt`), checkpoint.note, { flag: 'wx', mode: 0o444 });
      } catch (error) {
        // Another worker published this size first: the same tree, the same root.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return { checkpoint, written: true };
  };
}
