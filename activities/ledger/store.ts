import { canonicalJson, sha256 } from '../../tlog/digest';
import type { Leaf } from '../../tlog/leaves';

import type {
  ErasureOutcome,
  ErasureRequest,
  LedgerEntry,
  NewLedgerEntry,
  ProjectRecord,
  ArchivedRun,
  ArchiveReseal,
  ProjectFilter,
  QuarantinedEntry,
  StoredCheckpoint,
  OfficeAlert,
} from '../../domain/records';

export type {
  ErasureOutcome,
  ErasureRequest,
  LedgerEntry,
  NewLedgerEntry,
  ProjectRecord,
  ArchivedRun,
  ArchiveReseal,
  ProjectFilter,
  QuarantinedEntry,
  StoredCheckpoint,
  OfficeAlert,
} from '../../domain/records';

export type AppendOutcome =
  /** `gap`: entries before it are missing (a restored backup); it is appended, the office alerted, and verify names the hole. */
  | { status: 'appended' | 'alreadyThere'; entry: LedgerEntry; gap?: string }
  | { status: 'quarantined'; quarantined: QuarantinedEntry }
  /** Only with `after`: that transition is not in the ledger yet, so nothing was written; ask again. */
  | { status: 'predecessorPending' };

export interface AppendOptions {
  /**
   * The transition of the same chain whose append the workflow started before this one and had
   * not seen finish: this one is written only after it, so the chain keeps the workflow's order
   * however the two activities are run.
   */
  after?: number;
  /**
   * The project's facts after this transition, written in the append's own transaction when the
   * entry is appended, or when it is already there and is still the last of its chain.
   */
  project?: ProjectRecord;
}

export interface LedgerFilter {
  workflowId?: string;
  callId?: string;
  from?: string;
  to?: string;
}

/**
 * The append-only audit store: the ledger, the project records, the archive of closed histories,
 * the quarantine and the office's alerts. SQLite for one machine (one file under the data
 * directory), PostgreSQL (DATABASE_URL) for many workers.
 */
export interface LedgerStore {
  /**
   * Appends once, keyed by (workflowId, chainId, entrySeq). The same entry again returns the one
   * already there; other content under a taken key is quarantined and an entry whose predecessor
   * is missing appended, each with an alert to the office, never thrown: a workflow must not
   * wedge on its ledger. `payload` is the command's payload as canonical JSON (its SHA-256 is the
   * entry's payloadDigest), kept by digest in the same transaction so verify can check it.
   */
  append(entry: NewLedgerEntry, payload?: string, options?: AppendOptions): Promise<AppendOutcome>;
  /** The payloads kept for these digests (canonical JSON), and the first entry whose payload is kept. */
  payloads(digests: readonly string[]): Promise<Map<string, string>>;
  payloadsFromSeq(): Promise<number>;
  entries(filter?: LedgerFilter): Promise<LedgerEntry[]>;
  /**
   * Erases a project's personal data or its notices under a retention rule and appends the
   * tombstone that says what, under which rule and when, in one transaction; once per kind.
   */
  erase(request: ErasureRequest): Promise<ErasureOutcome>;
  /** The tombstones of erasures, in ledger order. */
  tombstones(): Promise<LedgerEntry[]>;
  upsertProject(project: ProjectRecord): Promise<void>;
  projects(filter?: ProjectFilter): Promise<ProjectRecord[]>;
  /** The records of every project this PI acted on (applied with, at the least), from the ledger: long after Temporal deleted them. */
  projectsOfPi(piId: string): Promise<ProjectRecord[]>;
  archiveRun(run: ArchivedRun): Promise<void>;
  archivedRuns(workflowId: string): Promise<ArchivedRun[]>;
  /** Seals the payloads kept in plaintext before the store had keys; returns how many. */
  sealPlaintextPayloads(): Promise<number>;
  /** Retiring a payload key: the payloads and office alerts sealed under it, sealed again under the current key. */
  resealTexts(keyId: string): Promise<{ payloads: number; alerts: number }>;
  /** An archived run's body replaced by the same history sealed under the current key: its re-sealing recorded and a leaf of the tree. */
  resealArchivedRun(run: { workflowId: string; runId: string; historyJson: string; retiredKeyId: string }): Promise<ArchiveReseal>;
  archiveReseals(): Promise<ArchiveReseal[]>;
  /** Archived runs whose kept history holds this text (a key id's base64, as payload metadata carries it). */
  archivedRunsMentioning(text: string): Promise<{ workflowId: string; runId: string }[]>;
  /** The run ids of a workflow the archive holds (without their histories). */
  archivedRunIds(workflowId: string): Promise<Set<string>>;
  quarantined(workflowId?: string): Promise<QuarantinedEntry[]>;
  /** The Merkle tree's leaves in order (the first `size`, or all): one per entry and per archived run. */
  leaves(size?: number): Promise<Leaf[]>;
  /** Keeps a signed checkpoint (once per size); the newest one, if any. */
  saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  /**
   * Claims the phase 2 of a phase-1 project for one application's project, once and durably: the
   * claim stands while its holder lives; one whose holder lapsed, was withdrawn or rejected passes
   * to the new claimant. Returns the holder after the attempt (the claimant when it won).
   */
  claimPhase2(phase1ProjectId: string, projectId: string): Promise<string>;
  raiseAlert(alert: OfficeAlert): Promise<void>;
  alerts(): Promise<OfficeAlert[]>;
  close(): Promise<void>;
}

/** The fields that decide whether an append repeats an entry already there. */
export const appendContent = (e: NewLedgerEntry | LedgerEntry) => ({
  workflowId: e.workflowId,
  chainId: e.chainId || undefined,
  entrySeq: e.entrySeq,
  at: e.at,
  actor: e.actor,
  event: e.event,
  from: e.from,
  to: e.to,
  payloadDigest: e.payloadDigest,
});

/** The alert that goes with a quarantined entry. */
export function quarantineAlert(q: QuarantinedEntry): OfficeAlert {
  return {
    key: `ledger/${q.workflowId}/${q.chainId}/${q.entrySeq}/conflict/${q.entry.at}/${q.entry.event}`,
    kind: 'ledgerQuarantine',
    subject: `Ledger: transition ${q.entrySeq} of ${q.workflowId} (${q.entry.event}) set aside`,
    detail: `${q.detail}. The workflow went on; the entry is in the quarantine (alliance audit quarantine). A Temporal reset of the workflow causes this.`,
    at: q.at,
  };
}

/** The alert for an entry whose predecessors are missing from the ledger. */
export function gapAlert(entry: NewLedgerEntry, detail: string, at: string): OfficeAlert {
  return {
    key: `ledger/${entry.workflowId}/${entry.chainId ?? ''}/${entry.entrySeq}/gap`,
    kind: 'ledgerGap',
    subject: `Ledger: transitions of ${entry.workflowId} are missing before ${entry.entrySeq}`,
    detail: `${detail}. The entry was appended and the workflow went on; audit verify names the hole. A ledger restored from an older backup causes this.`,
    at,
  };
}

/** The fields a hash covers: everything but the hash itself. */
export function entryHash(entry: Omit<LedgerEntry, 'hash'>): string {
  return sha256(canonicalJson(entry));
}
