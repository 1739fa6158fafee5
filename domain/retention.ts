import { z } from 'zod';
import { IsoDuration } from './duration';
import policyFile from './retention-policy.json';

/**
 * How long the service keeps what, as policy: the Personal Data Protection Act asks that personal
 * data be kept only as long as its purpose needs. Checked at start-up against the cluster the
 * worker joins; the kinds name what a closed project leaves behind.
 */
export const RetentionPolicy = z
  .object({
    /**
     * Temporal must keep a closed workflow at least this long: the archive copies it after it
     * closes (retrying through outages of the database) and auditors compare the ledger with it.
     */
    temporalMinimumDays: z.number().int().min(1).max(36500),
    /** After a project closes, how long each kind of its records is kept (ISO-8601 durations). */
    afterClose: z
      .object({
        application: IsoDuration,
        reviews: IsoDuration,
        reports: IsoDuration,
        notices: IsoDuration,
        /** The ledger's entries (digests, who, when, what) and their checkpoints: the audit trail itself. */
        auditTrail: IsoDuration,
        /** The archived Temporal histories and the ledger's payloads, which carry the personal data. */
        archive: IsoDuration,
      })
      .strict(),
    /**
     * After an application ends without a grant (rejected, withdrawn, lapsed), how long its
     * records are kept: the applicant's and reviewers' personal data is not the file of a funded
     * project, and goes sooner.
     */
    afterUnfunded: z.object({ application: IsoDuration, reviews: IsoDuration, notices: IsoDuration, archive: IsoDuration }).strict(),
  })
  .strict();
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

/**
 * The programme's retention, from retention-policy.json (assumption, pending the ministry's records
 * schedule): a project's file ten years after it closes; an application that ended without a
 * grant three years (the window for a complaint and the next call's eligibility checks); notices,
 * which carried only what the file holds, one year.
 */
export const retentionPolicy: RetentionPolicy = RetentionPolicy.parse(policyFile);

/** States a project ends in: funded (its file) or not (an application). */
export const FUNDED_ENDS = ['closed', 'terminated'] as const;
export const UNFUNDED_ENDS = ['rejected', 'withdrawn', 'lapsed'] as const;
export const ENDED_STATES: readonly string[] = [...FUNDED_ENDS, ...UNFUNDED_ENDS];

/** What an erasure takes: the notices sent (log, alerts, mail kept), or every other kept personal datum. */
export type ErasureKind = 'notices' | 'personal-data';

/** The ledger event of a tombstone: what was erased, as its own entry in the project's chain. */
export const tombstoneEvent = (kind: ErasureKind): string => `retention.${kind}-erased`;
export const tombstoneKind = (event: string): ErasureKind | null =>
  event === tombstoneEvent('notices') ? 'notices' : event === tombstoneEvent('personal-data') ? 'personal-data' : null;
export const isTombstoneEvent = (event: string): boolean => tombstoneKind(event) !== null;

/**
 * A tombstone's payload (kept; no personal data): what was erased, under which rule, and the end
 * it was counted from, so an auditor checks that nothing went before its time.
 */
export const Tombstone = z
  .object({
    kind: z.enum(['notices', 'personal-data']),
    /** The policy's rule, e.g. `afterUnfunded.archive`. */
    rule: z.string().max(100),
    period: IsoDuration,
    /** The instant of the project's last transition before any tombstone: its end. */
    endedAt: z.iso.datetime(),
    endedIn: z.string().max(100),
    erased: z
      .object({
        /** The digests of the ledger's payloads erased. */
        payloads: z.array(z.string().max(64)).max(100_000),
        /** Archived runs whose history was erased (its SHA-256 stays, so the tree holds). */
        archivedRuns: z.array(z.string().max(200)).max(10_000),
        /** Executions Temporal still held, deleted. */
        temporalExecutions: z.array(z.string().max(400)).max(10_000),
        /** Rows of the notice log, office alerts and mail files deleted. */
        notices: z.number().int().min(0),
        alerts: z.number().int().min(0),
        mailFiles: z.number().int().min(0),
        /** The project's documents, shredded with its document key (absent from tombstones written before). */
        documents: z.number().int().min(0).optional(),
      })
      .strict(),
  })
  .strict();
export type Tombstone = z.infer<typeof Tombstone>;
