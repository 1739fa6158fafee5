import { canonicalJson } from './digest';
import { leafHash } from './merkle';
import type { ArchivedRun, ArchiveReseal, LedgerEntry } from '../domain/records';

/**
 * What the Merkle tree's leaves are: the canonical JSON of each ledger entry (its hash and both
 * chain links included), and of each archived run's identity and SHA-256 — so an edited entry,
 * an edited archived history (its SHA-256 no longer matches) or a removed one changes the root.
 */
export interface Leaf {
  kind: 'entry' | 'archive' | 'reseal';
  /** The ledger's seq, workflow/run of an archived run, or workflow/run#n of its n-th re-sealing. */
  ref: string;
  /** Hex SHA-256(0x00 ‖ data). */
  hash: string;
}

export const entryLeafData = (entry: LedgerEntry): Buffer => Buffer.from(canonicalJson(entry), 'utf8');
export const archiveLeafData = (run: Pick<ArchivedRun, 'workflowId' | 'runIndex' | 'runId' | 'sha256'>): Buffer =>
  Buffer.from(canonicalJson({ archived: { workflowId: run.workflowId, runIndex: run.runIndex, runId: run.runId, sha256: run.sha256 } }), 'utf8');

export function leafOfEntry(entry: LedgerEntry): Leaf {
  return { kind: 'entry', ref: String(entry.seq), hash: leafHash(entryLeafData(entry)).toString('hex') };
}

export function leafOfArchivedRun(run: Pick<ArchivedRun, 'workflowId' | 'runIndex' | 'runId' | 'sha256'>): Leaf {
  return { kind: 'archive', ref: `${run.workflowId}/${run.runId}`, hash: leafHash(archiveLeafData(run)).toString('hex') };
}

export const resealLeafData = (r: ArchiveReseal): Buffer =>
  Buffer.from(
    canonicalJson({
      resealed: { workflowId: r.workflowId, runId: r.runId, n: r.n, from: r.fromSha256, to: r.toSha256, retiredKeyId: r.retiredKeyId, at: r.at },
    }),
    'utf8',
  );

export const resealRef = (r: Pick<ArchiveReseal, 'workflowId' | 'runId' | 'n'>): string => `${r.workflowId}/${r.runId}#${r.n}`;

export function leafOfReseal(r: ArchiveReseal): Leaf {
  return { kind: 'reseal', ref: resealRef(r), hash: leafHash(resealLeafData(r)).toString('hex') };
}
