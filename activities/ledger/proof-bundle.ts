import { signCheckpoint, type LogSigner } from './checkpoint';
import { consistencyProof, inclusionProof, rootOf, type Hash } from './merkle';

/**
 * What an auditor takes away to check the log elsewhere (tools/ledger-verifier reads it): a
 * signed checkpoint, inclusion proofs of chosen entries, and the consistency proof from an older
 * checkpoint the auditor already trusts.
 */
export interface ProofBundle {
  checkpoint: string;
  entries: { index: number; leafHash: string; proof: string[] }[];
  since?: { checkpoint: string; proof: string[] };
}

const b64 = (hashes: Hash[]): string[] => hashes.map((h) => h.toString('base64'));

export function proofBundle(
  leaves: readonly Hash[], signer: LogSigner, origin: string,
  options: { size?: number; indices?: number[]; since?: { checkpoint: string; size: number } } = {},
): ProofBundle {
  const size = options.size ?? leaves.length;
  return {
    checkpoint: signCheckpoint({ origin, size, root: rootOf(leaves, 0, size) }, signer),
    entries: (options.indices ?? []).map((index) => ({ index, leafHash: leaves[index]!.toString('base64'), proof: b64(inclusionProof(leaves, index, size)) })),
    ...(options.since ? { since: { checkpoint: options.since.checkpoint, proof: b64(consistencyProof(leaves, options.since.size, size)) } } : {}),
  };
}
