import { openCheckpoint, parseVerifierKey, type Checkpoint, type LogVerifier } from '../../activities/ledger/checkpoint';
import { verifyConsistency } from '../../activities/ledger/merkle';
import type { VerifyReport } from '../../activities/temporal/audit';
import { AllianceError } from '../../domain/errors';
import { readTextFile } from './session';

/** A checkpoint the auditor kept, opened with the auditor's own key before anything is asked of the service. */
export interface Trusted {
  note: string;
  key: string;
  verifier: LogVerifier;
  trusted: Checkpoint;
}

export function trustedCheckpoint(file: string, keyFile: string | undefined, project: string | undefined): Trusted {
  if (project) throw new AllianceError('VALIDATION', '--since checks the whole ledger: give it without a project.');
  if (!keyFile) throw new AllianceError('VALIDATION', '--since needs --key FILE: the verifier key you were given, to check the checkpoint with.');
  const note = readTextFile(file, 'checkpoint');
  const key = readTextFile(keyFile, 'verifier key').trim();
  try {
    const verifier = parseVerifierKey(key);
    return { note, key, verifier, trusted: openCheckpoint(note, verifier) };
  } catch (error) {
    throw new AllianceError('VALIDATION', `${file}: ${(error as Error).message}.`);
  }
}

/**
 * The service's answer, checked on this side: its new checkpoint carries a valid signature of the
 * auditor's key, and the consistency proof shows the trusted tree is the start of the new one.
 */
export function checkedGrowth(since: Trusted, report: VerifyReport): Checkpoint {
  if (!report.checkpoint || !report.ledger?.consistency) throw new AllianceError('INTEGRITY', 'The service sent no signed checkpoint or consistency proof to check: it signs no checkpoints (ALLIANCE_LOG_SIGNING_KEY_FILE).');
  let current: Checkpoint;
  try {
    current = openCheckpoint(report.checkpoint, since.verifier);
  } catch (error) {
    throw new AllianceError('INTEGRITY', `The service's new checkpoint does not verify with your key: ${(error as Error).message}.`);
  }
  const proof = report.ledger.consistency.map((h) => Buffer.from(h, 'base64'));
  if (current.origin !== since.trusted.origin || !verifyConsistency(since.trusted.size, current.size, proof, since.trusted.root, current.root)) {
    throw new AllianceError('INTEGRITY', `The service's proof does not show that the tree of ${since.trusted.size} leaves you trust is the start of its tree of ${current.size}: the log was rewritten.`);
  }
  return current;
}
