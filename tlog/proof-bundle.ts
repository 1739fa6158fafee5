import { signCheckpoint, type LogSigner } from './checkpoint';
import { consistencyProof, inclusionProof, rootOf, type Hash } from './merkle';

/** One leaf proven: where it is, what it is made of (so the auditor hashes it), and its path to the root. */
export interface ProvenLeaf {
  index: number;
  leafHash: string;
  proof: string[];
  /** The leaf's data (an entry's canonical JSON, or an archived run's identity and SHA-256): SHA-256(0x00 ‖ data) is the leaf. */
  leafData?: string;
  /** The command's payload (canonical JSON) whose SHA-256 the entry records as payloadDigest. */
  payload?: string;
}

/**
 * What an auditor takes away to check the log elsewhere (tools/ledger-verifier reads it): a
 * signed checkpoint, inclusion proofs of chosen entries, and the consistency proof from an older
 * checkpoint the auditor already trusts.
 */
export interface ProofBundle {
  checkpoint: string;
  entries: ProvenLeaf[];
  since?: { checkpoint: string; proof: string[] };
}

const b64 = (hashes: Hash[]): string[] => hashes.map((h) => h.toString('base64'));

/**
 * Proofs against a checkpoint signed already (the one the checkpoint writer published): inclusion
 * of each item in its tree of `size` leaves and, with `since`, consistency from the auditor's tree
 * to it. Nothing is signed here: whoever serves proofs needs no key.
 */
export function proofsAgainst(
  leaves: readonly Hash[],
  checkpoint: { note: string; size: number },
  options: { items?: { index: number; leafData?: string; payload?: string }[]; since?: { checkpoint: string; size: number } } = {},
): ProofBundle {
  const { size } = checkpoint;
  return {
    checkpoint: checkpoint.note,
    entries: (options.items ?? []).map(({ index, ...content }) => ({
      index,
      leafHash: leaves[index]!.toString('base64'),
      proof: b64(inclusionProof(leaves, index, size)),
      ...content,
    })),
    ...(options.since ? { since: { checkpoint: options.since.checkpoint, proof: b64(consistencyProof(leaves, options.since.size, size)) } } : {}),
  };
}

/** A checkpoint signed over the first `size` leaves, with proofs against it (the writer's tests and the verifier's). */
export function proofBundle(
  leaves: readonly Hash[],
  signer: LogSigner,
  origin: string,
  options: {
    size?: number;
    indices?: number[];
    items?: { index: number; leafData?: string; payload?: string }[];
    since?: { checkpoint: string; size: number };
  } = {},
): ProofBundle {
  const size = options.size ?? leaves.length;
  const items = options.items ?? (options.indices ?? []).map((index) => ({ index }));
  const note = signCheckpoint({ origin, size, root: rootOf(leaves, 0, size) }, signer);
  return proofsAgainst(leaves, { note, size }, { items, ...(options.since ? { since: options.since } : {}) });
}
