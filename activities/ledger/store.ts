import type { Actor } from '../../domain/actor';
import { canonicalJson, sha256 } from './digest';

/** One transition as the ledger keeps it. */
export type LedgerEntry = {
  /** Position in the whole ledger, from 1. */
  seq: number;
  workflowId: string;
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
  sha256: string;
  archivedAt: string;
}

export interface ProjectFilter {
  callId?: string;
  division?: string;
  region?: string;
  institution?: string;
  state?: string;
  overdue?: boolean;
}

/**
 * The append-only audit store. SQLite by default (one file under the data directory); any
 * database that can run the appends of one workflow in a transaction can serve.
 */
export interface LedgerStore {
  /** Appends once: the same (workflowId, entrySeq) again returns the entry already there. */
  append(entry: NewLedgerEntry): LedgerEntry;
  entries(filter?: { workflowId?: string; callId?: string; from?: string; to?: string }): LedgerEntry[];
  upsertProject(project: ProjectRecord): void;
  projects(filter?: ProjectFilter): ProjectRecord[];
  archiveRun(run: ArchivedRun): void;
  archivedRuns(workflowId: string): ArchivedRun[];
  close(): void;
}

/** The fields a hash covers: everything but the hash itself. */
export function entryHash(entry: Omit<LedgerEntry, 'hash'>): string {
  return sha256(canonicalJson(entry));
}

/** Raised when an entry arrives whose predecessor in its project is not in the ledger yet. */
export class LedgerGapError extends Error {
  override readonly name = 'LedgerGapError';
}

/** Raised when the same transition is appended twice with different content. */
export class LedgerConflictError extends Error {
  override readonly name = 'LedgerConflictError';
}
