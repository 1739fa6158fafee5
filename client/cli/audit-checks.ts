import { openCheckpoint, parseVerifierKey, type Checkpoint, type LogVerifier } from '../../tlog/checkpoint';
import { leafHash, verifyConsistency, verifyInclusion } from '../../tlog/merkle';
import { sha256 } from '../../tlog/digest';
import type { ProofBundle } from '../../tlog/proof-bundle';
import type { VerifyReport } from '../../tlog/reports';
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
  const verifier = verifierFrom(keyFile, '--since');
  const note = readTextFile(file, 'checkpoint');
  try {
    return { note, ...verifier, trusted: openCheckpoint(note, verifier.verifier) };
  } catch (error) {
    throw new AllianceError('VALIDATION', `${file}: ${(error as Error).message}.`);
  }
}

/** The auditor's verifier key, from the file they keep. */
export function verifierFrom(keyFile: string | undefined, option: string): { key: string; verifier: LogVerifier } {
  if (!keyFile) throw new AllianceError('VALIDATION', `${option} needs --key FILE: the verifier key you were given, to check the checkpoint with.`);
  const key = readTextFile(keyFile, 'verifier key').trim();
  try {
    return { key, verifier: parseVerifierKey(key) };
  } catch (error) {
    throw new AllianceError('VALIDATION', `${keyFile}: ${(error as Error).message}.`);
  }
}

/**
 * A proof bundle checked on this side before it is handed on: the checkpoint with the auditor's
 * key, every leaf hashed here from its data, every payload against its entry's digest, every
 * inclusion proof, and the consistency proof from the trusted checkpoint.
 */
export function checkedBundle(bundle: ProofBundle, verifier: LogVerifier, since?: Trusted): Checkpoint {
  let current: Checkpoint;
  try {
    current = openCheckpoint(bundle.checkpoint, verifier);
  } catch (error) {
    throw new AllianceError('INTEGRITY', `The service's checkpoint does not verify with your key: ${(error as Error).message}.`);
  }
  if (bundle.entries.length === 0) throw new AllianceError('INTEGRITY', 'The service proved nothing: its bundle has no leaves.');
  for (const entry of bundle.entries) {
    const leaf = Buffer.from(entry.leafHash, 'base64');
    // The leaf is hashed here from what it is made of, never taken on the service's word.
    if (entry.leafData === undefined) throw new AllianceError('INTEGRITY', `Leaf ${entry.index} comes without its data: it cannot be checked.`);
    if (!leafHash(Buffer.from(entry.leafData, 'utf8')).equals(leaf))
      throw new AllianceError('INTEGRITY', `Leaf ${entry.index}: its data does not hash to its leaf.`);
    if (entry.payload !== undefined && sha256(entry.payload) !== (JSON.parse(entry.leafData) as { payloadDigest?: string }).payloadDigest) {
      throw new AllianceError('INTEGRITY', `Leaf ${entry.index}: its payload does not have the digest its entry records.`);
    }
    if (
      !verifyInclusion(
        entry.index,
        current.size,
        leaf,
        entry.proof.map((h) => Buffer.from(h, 'base64')),
        current.root,
      )
    ) {
      throw new AllianceError('INTEGRITY', `Leaf ${entry.index} is not in the tree the checkpoint signed.`);
    }
  }
  if (
    since &&
    (!bundle.since ||
      !verifyConsistency(
        since.trusted.size,
        current.size,
        bundle.since.proof.map((h) => Buffer.from(h, 'base64')),
        since.trusted.root,
        current.root,
      ))
  ) {
    throw new AllianceError(
      'INTEGRITY',
      `The service's proof does not show that the tree of ${since.trusted.size} leaves you trust is the start of its tree of ${current.size}: the log was rewritten.`,
    );
  }
  return current;
}

/**
 * The service's answer, checked on this side: its new checkpoint carries a valid signature of the
 * auditor's key, and the consistency proof shows the trusted tree is the start of the new one.
 */
export function checkedGrowth(since: Trusted, report: VerifyReport): Checkpoint {
  if (!report.checkpoint || !report.ledger?.consistency)
    throw new AllianceError(
      'INTEGRITY',
      'The service sent no published checkpoint or consistency proof to check: no checkpoint is published yet, or this API has no verifier key (ALLIANCE_LOG_VERIFIER_KEY).',
    );
  let current: Checkpoint;
  try {
    current = openCheckpoint(report.checkpoint, since.verifier);
  } catch (error) {
    throw new AllianceError('INTEGRITY', `The service's new checkpoint does not verify with your key: ${(error as Error).message}.`);
  }
  const proof = report.ledger.consistency.map((h) => Buffer.from(h, 'base64'));
  if (current.origin !== since.trusted.origin || !verifyConsistency(since.trusted.size, current.size, proof, since.trusted.root, current.root)) {
    throw new AllianceError(
      'INTEGRITY',
      `The service's proof does not show that the tree of ${since.trusted.size} leaves you trust is the start of its tree of ${current.size}: the log was rewritten.`,
    );
  }
  return current;
}
