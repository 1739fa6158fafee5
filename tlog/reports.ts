// What the audit says back, as the service writes it and the auditor's command line reads it:
// the ledger's integrity, a broken chain, a verify report, checkpoints and raw histories.

export type BrokenEntry = {
  seq: number;
  workflowId: string;
  entrySeq: number;
  reason: string;
};

/** What was found wrong, named: which check failed and the first thing it failed on. */
export type IntegrityProblem = {
  /**
   * `entry`: an entry's hash or links; `payload`: a kept payload against its entry's digest;
   * `archive`: an archived history against its SHA-256; `leaves`: the tree's leaves against the
   * entries and histories they cover; `removed`: fewer leaves than a trusted checkpoint vouches
   * for (some it covers were removed); `rewritten`: the leaves a trusted checkpoint covers no longer have its root;
   * `tombstone`: an erasure's tombstone that does not hold (its payload, its end, or erased before its rule allowed).
   */
  check: 'entry' | 'payload' | 'archive' | 'leaves' | 'removed' | 'rewritten' | 'tombstone';
  reason: string;
  seq?: number;
  workflowId?: string;
  entrySeq?: number;
  /** For `rewritten`: the leaves, [from, to), the change lies in, narrowed by the published checkpoints. */
  leaves?: { from: number; to: number };
};

export type IntegrityReport = {
  entries: number;
  payloads: number;
  /**
   * The first entry whose payload the ledger keeps (entries before the step that began keeping
   * them have only their digest): shown so that an auditor notices if it ever moves.
   */
  payloadsFrom: number;
  archivedRuns: number;
  leaves: number;
  /** The tree as recomputed from the ledger's content now. */
  size: number;
  root: string;
  /** Base64 consistency proof from the trusted checkpoint's tree to this one (RFC 9162 §2.1.4). */
  consistency?: string[];
  /** Erasures under the retention policy: their tombstones, and the payloads and archived histories they account for. */
  erased?: { tombstones: number; payloads: number; archivedRuns: number };
  problem: IntegrityProblem | null;
};

export type RawHistory = {
  source: 'temporal' | 'archive';
  /** Payloads decrypted by the service's codec; false: as stored (encrypted), the form each sha256 covers. */
  decoded: boolean;
  runs: { runId: string; sha256: string; history: unknown }[];
};

export type VerifyReport = {
  checked: number;
  comparedWithTemporal: number;
  broken: BrokenEntry | null;
  /** The whole ledger checked from its content up (payloads, archive, tree), against a trusted checkpoint when given. */
  ledger?: IntegrityReport;
  /**
   * The last checkpoint the writer published (signed only after it checked that the tree extends the
   * one before; the API signs nothing), which the tree was checked against and the consistency proof
   * runs to: the auditor's next trusted one once checked.
   */
  checkpoint?: string;
  /** Leaves appended after that checkpoint: checked here, but not provable until the next one is published. */
  unpublished?: number;
  /**
   * Entries of people (office, PI, institution, reviewer) that carry no log-in (`via`): written
   * before every validator required it (sent around the door, or a replacement reviewer the call
   * drew, which now names the service). Not a break of the ledger: the auditor is told who and where.
   */
  withoutLogIn?: { count: number; first: { seq: number; workflowId: string; entrySeq: number; actor: string; event: string }[] };
};

/** A checkpoint an auditor trusts, and the verifier key they trust it with (both public). */
export interface TrustedCheckpoint {
  checkpoint: string;
  key: string;
}

/** The last checkpoint the writer published, and the key to check it with. */
export interface CurrentCheckpoint {
  checkpoint: string;
  verifierKey: string;
  size: number;
  root: string;
  /** When the writer published it. */
  publishedAt?: string;
  /** Leaves appended since: not in a published checkpoint yet, so not provable until the next one. */
  unpublished?: number;
}
