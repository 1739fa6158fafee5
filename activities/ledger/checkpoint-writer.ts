import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openCheckpoint, parseVerifierKey, signCheckpoint, verifierKeyOf, type Checkpoint, type LogSigner, type LogVerifier } from '../../tlog/checkpoint';
import { rootOf } from '../../tlog/merkle';
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

/** The largest checkpoint in the witness directory, opened with the log's own key; null when there is none. */
function lastPublished(witnessDir: string, verifier: LogVerifier): Checkpoint | null {
  const newest = readdirSync(witnessDir)
    .filter((f) => /^checkpoint-\d{12}\.txt$/.test(f))
    .sort()
    .at(-1);
  return newest ? openCheckpoint(readFileSync(path.join(witnessDir, newest), 'utf8'), verifier) : null;
}

/** A tree head: its size and root (hex). */
export interface TreeHead {
  size: number;
  root: string;
}

/** A tree that does not extend what was published: never signed; the office and auditors must look. */
export class LogRewrittenError extends Error {
  override readonly name = 'LogRewrittenError';
  constructor(
    message: string,
    /** The checkpoint published last (witness directory, else the ledger's own record). */
    readonly published: TreeHead,
    /** What the ledger holds now: the whole tree, and its first `published.size` leaves where it has as many. */
    readonly found: TreeHead & { prefixRoot?: string },
  ) {
    super(message);
  }
}

/**
 * Signs the tree as it stands and publishes the checkpoint: kept in the ledger's database and,
 * where configured, written to the witness directory as one read-only file per size — a place the
 * operator makes append-only on the host (or another machine's mount), out of the database's reach.
 * Before signing, the tree must extend the last checkpoint published there (or, without one, the
 * last the ledger kept): a rewritten ledger is refused, not signed, so a forged history never gets
 * the key's signature.
 */
export function createCheckpointWriter(deps: { ledger: LedgerStore; signer: LogSigner; origin: string; witnessDir?: string; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  const verifier = parseVerifierKey(verifierKeyOf(deps.signer));
  const publish = (checkpoint: StoredCheckpoint): void => {
    if (!deps.witnessDir) return;
    try {
      writeFileSync(path.join(deps.witnessDir, `checkpoint-${String(checkpoint.size).padStart(12, '0')}.txt`), checkpoint.note, { flag: 'wx', mode: 0o444 });
    } catch (error) {
      // Published already (by another worker, or an earlier attempt): the same tree, the same root.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  };
  return async function writeCheckpoint(): Promise<{ checkpoint: StoredCheckpoint; written: boolean } | null> {
    const leaves = (await deps.ledger.leaves()).map((l) => Buffer.from(l.hash, 'hex'));
    const latest = await deps.ledger.latestCheckpoint();
    if (leaves.length === 0) return null;
    if (latest && latest.size === leaves.length) {
      publish(latest);
      return { checkpoint: latest, written: false };
    }
    const before =
      (deps.witnessDir ? lastPublished(deps.witnessDir, verifier) : null) ?? (latest ? { size: latest.size, root: Buffer.from(latest.root, 'hex') } : null);
    if (before && (before.size > leaves.length || !rootOf(leaves, 0, before.size).equals(before.root))) {
      throw new LogRewrittenError(
        `The ledger's tree of ${leaves.length} leaves does not extend the published checkpoint of ${before.size}: it was rewritten or truncated. Not signed; run alliance audit verify --since with that checkpoint.`,
        { size: before.size, root: before.root.toString('hex') },
        {
          size: leaves.length,
          root: rootOf(leaves).toString('hex'),
          ...(before.size <= leaves.length ? { prefixRoot: rootOf(leaves, 0, before.size).toString('hex') } : {}),
        },
      );
    }
    const root = rootOf(leaves);
    const checkpoint: StoredCheckpoint = {
      size: leaves.length,
      root: root.toString('hex'),
      note: signCheckpoint({ origin: deps.origin, size: leaves.length, root }, deps.signer),
      at: now().toISOString(),
    };
    await deps.ledger.saveCheckpoint(checkpoint);
    publish(checkpoint);
    return { checkpoint, written: true };
  };
}
