import { openCheckpoint, parseVerifierKey, type Checkpoint } from '../tlog/checkpoint';
import type { LedgerStore } from '../activities/ledger/store';
import { AllianceError } from '../domain/errors';

/**
 * What the API knows of the log besides the ledger: only public things. It holds no signing key
 * and signs nothing; the checkpoint writer (the worker's schedule) alone signs, and only a tree that
 * extends the checkpoint it published last.
 */
export interface PublishedLog {
  /** The verifier key auditors are given (public): served with the checkpoint, and checks the one the ledger kept. */
  verifierKey: string;
  /** How long the writer waits at most before publishing what was added (ALLIANCE_CHECKPOINT_EVERY_MINUTES). */
  everyMinutes?: number;
}

/** A signed checkpoint as published (its note) and what it says. */
export interface Published {
  note: string;
  checkpoint: Checkpoint;
  /** When the writer published it; absent for a checkpoint the auditor brought. */
  at?: string;
  /** Whose checkpoint it is, for messages. */
  whose: 'the last published checkpoint' | 'the checkpoint you trust';
}

/** When what was appended since the last checkpoint becomes provable. */
export const nextCheckpoint = (log?: PublishedLog): string =>
  log?.everyMinutes
    ? `the next checkpoint is published within ${log.everyMinutes} minutes of the last one`
    : "the next checkpoint is published on the writer's schedule (ALLIANCE_CHECKPOINT_EVERY_MINUTES)";

/**
 * The last checkpoint the writer published, as the ledger keeps it: checked with the verifier key
 * when this API has one (a note the key did not sign means the database was altered).
 */
export async function latestPublished(ledger: LedgerStore, log?: PublishedLog): Promise<Published | null> {
  const stored = await ledger.latestCheckpoint();
  if (!stored) return null;
  const whose = 'the last published checkpoint';
  if (!log) return { note: stored.note, checkpoint: { origin: '', size: stored.size, root: Buffer.from(stored.root, 'hex') }, at: stored.at, whose };
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(stored.note, parseVerifierKey(log.verifierKey));
  } catch (error) {
    throw new AllianceError(
      'INTEGRITY',
      `The ledger's last checkpoint (${stored.size} leaves) does not verify with the log's verifier key: ${(error as Error).message}. The database was altered: compare with the witness directory.`,
    );
  }
  if (checkpoint.size !== stored.size || checkpoint.root.toString('hex') !== stored.root)
    throw new AllianceError('INTEGRITY', `The ledger's last checkpoint says ${checkpoint.size} leaves, its record ${stored.size}: the database was altered.`);
  return { note: stored.note, checkpoint, at: stored.at, whose };
}

/** The larger of the last published checkpoint and the auditor's own (both signed by the writer): what proofs and growth are shown against. */
export function newest(published: Published | null, trusted?: { note: string; checkpoint: Checkpoint }): Published | null {
  if (trusted && (!published || trusted.checkpoint.size > published.checkpoint.size)) return { ...trusted, whose: 'the checkpoint you trust' };
  return published;
}

/** 409: asked to prove what no published checkpoint covers yet. */
export function notYetPublished(what: string, published: Published | null, log?: PublishedLog): AllianceError {
  const last = published ? `${published.whose} covers ${published.checkpoint.size} leaves` : 'none is published yet';
  return new AllianceError('ILLEGAL_TRANSITION', `${what} not yet in a published checkpoint (${last}): ${nextCheckpoint(log)}; ask again then.`);
}
