import type { Client } from '@temporalio/client';
import { createApplicantRecordActivities } from './applicant-record';
import { createAuditActivities } from './audit';
import type { DocumentStore } from './documents/document-store';
import type { LedgerStore } from './ledger/store';
import { createNoticeActivities, type MailDependencies } from './notices';
import { createCheckpointActivities, type CheckpointPublishing } from './ledger/checkpoint-activity';
import { createNoticeDelivery } from './notices/delivery';
import { createDigestActivities } from './notices/digest';
import { createProjectCommandActivities, type ProjectCommandSender } from './project-commands';
import { createTransitionWithNoticesActivity } from './transition-with-notices';
import { createRetentionActivities } from './retention';
import type { RetentionPolicy } from '../domain/retention';

/** Everything the activities need from the outside world. */
export interface ActivityDependencies {
  /** The service's own client, for activities that act on other workflows. */
  projects: ProjectCommandSender;
  client: Client;
  ledger: LedgerStore;
  /** The document store the service's data converter writes: retention shreds a project's part of it. */
  documents: DocumentStore;
  mail: MailDependencies;
  /** Signed checkpoints of the ledger, and where they are published; without it none are written. */
  checkpoints?: CheckpointPublishing;
  /** The retention policy the sweep applies (default: domain/retention-policy.json). */
  retention?: RetentionPolicy;
  /** The try-out mail sink's directory, whose copies of a project's notices retention deletes too. */
  mailSinkDir?: string;
  /** How long one project may take over one command of a bulk operation (default 20 s). */
  bulkCommandDeadlineMs?: number;
}

/** Builds the service's activities over their dependencies (see STYLE: dependency injection). */
export function createActivities(deps: ActivityDependencies) {
  const audit = createAuditActivities(deps);
  const notices = createNoticeActivities(deps);
  return {
    ...createProjectCommandActivities(deps),
    ...createApplicantRecordActivities(deps),
    ...createRetentionActivities({
      ledger: deps.ledger,
      notices: deps.mail.log,
      client: deps.client,
      documents: deps.documents,
      ...(deps.retention ? { policy: deps.retention } : {}),
      ...(deps.mailSinkDir ? { mailSinkDir: deps.mailSinkDir } : {}),
    }),
    ...audit,
    ...notices,
    ...createDigestActivities(deps),
    ...createTransitionWithNoticesActivity(audit, notices),
    ...createCheckpointActivities({
      ledger: deps.ledger,
      ...(deps.checkpoints ? { publishing: deps.checkpoints } : {}),
      send: createNoticeDelivery(deps.mail),
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
