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
  })
  .strict();
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

/**
 * The programme's retention, from retention-policy.json (assumption, pending the ministry's records
 * schedule): a project's file ten years after it closes; notices, which carried only what the file
 * holds, one year.
 */
export const retentionPolicy: RetentionPolicy = RetentionPolicy.parse(policyFile);
