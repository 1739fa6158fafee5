// The ledger's records as they are read back: plain shapes, shared by the store, the API's
// responses, the workflows' search facts and the auditor's command line.
import type { Actor } from './actor';
import type { ErasureKind, Tombstone } from './retention';

/** One transition as the ledger keeps it. */
export type LedgerEntry = {
  /** Position in the whole ledger, from 1. */
  seq: number;
  workflowId: string;
  /**
   * Which execution chain of the workflow id wrote it (Temporal's first run id; absent in entries
   * from before it was kept): a call re-opened under the same id starts a chain of its own.
   */
  chainId?: string;
  /** The transition's number in its project's log (stable across continue-as-new). */
  entrySeq: number;
  at: string;
  actor: Actor;
  event: string;
  from: string[];
  to: string[];
  payloadDigest: string;
  /** Hash of the ledger's previous entry, and of this workflow's previous entry ('' for the first). */
  prevHash: string;
  prevWorkflowHash: string;
  hash: string;
};

export type NewLedgerEntry = Omit<LedgerEntry, 'seq' | 'prevHash' | 'prevWorkflowHash' | 'hash'>;

/** What the office searches projects by, kept beside the ledger so it outlives Temporal's retention. */
export type ProjectRecord = {
  workflowId: string;
  callId: string;
  rocYear: number;
  division: string;
  region: string;
  institution: string;
  state: string;
  phase: number;
  projectYear: number;
  overdue: boolean;
  updatedAt: string;
};

export interface ArchivedRun {
  workflowId: string;
  runIndex: number;
  runId: string;
  historyJson: string;
  /** The SHA-256 of the history as archived: what the tree's leaf covers. */
  sha256: string;
  archivedAt: string;
  /** The SHA-256 of the body as kept now, when it was sealed again under another key since (ArchiveReseal). */
  resealedSha256?: string;
}

/**
 * An archived history sealed again under the current payload key, so a retired key opens none of
 * it: what the body's SHA-256 was and became, under which key it had been sealed, when. A leaf of
 * the tree of its own (the run's leaf keeps covering the history as archived), so a checkpoint
 * signs each re-sealing and verify follows the chain from the archived SHA-256 to the body kept.
 */
export interface ArchiveReseal {
  workflowId: string;
  runId: string;
  /** 1 for the first re-sealing of this run, then 2, … */
  n: number;
  fromSha256: string;
  toSha256: string;
  retiredKeyId: string;
  at: string;
}

export interface ProjectFilter {
  callId?: string;
  division?: string;
  region?: string;
  institution?: string;
  state?: string;
  overdue?: boolean;
}

/** A transition the ledger could not take as it came: kept aside, never dropped, shown to auditors. */
export interface QuarantinedEntry {
  workflowId: string;
  chainId: string;
  entrySeq: number;
  /** Why it was set aside: the key is taken by other content. */
  reason: 'conflict';
  detail: string;
  entry: NewLedgerEntry;
  at: string;
}

/** A signed checkpoint as the ledger keeps it (the published copies are the ones that count). */
export interface StoredCheckpoint {
  size: number;
  /** Hex SHA-256 root of the first `size` leaves. */
  root: string;
  /** The signed note. */
  note: string;
  at: string;
}

/** Something the programme office must look at, kept where the office reads it even when mail is down. */
export interface OfficeAlert {
  /** Idempotency key: the same alert raised again is kept once. */
  key: string;
  kind: 'ledgerQuarantine' | 'ledgerGap' | 'ledgerRewritten' | 'noticeHeldUp' | 'noticeUncertain';
  subject: string;
  detail: string;
  at: string;
}

/** An erasure under the retention policy, as the sweep asks the ledger for it. */
export interface ErasureRequest {
  workflowId: string;
  kind: ErasureKind;
  rule: string;
  period: string;
  /** What was erased outside the ledger first (Temporal's executions, the notice log, mail files). */
  outside: { temporalExecutions: string[]; notices: number; mailFiles: number; documents: number };
}

/** What an erasure did: the tombstone it appended, or the one already there. */
export type ErasureOutcome = { status: 'erased' | 'alreadyErased'; entry: LedgerEntry; tombstone?: Tombstone };
