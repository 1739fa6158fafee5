import type { Client } from '@temporalio/client';
import { createApplicantRecordActivities } from './applicant-record';
import { createAuditActivities } from './audit';
import type { LedgerStore } from './ledger/store';
import { createNoticeActivities, type MailDependencies } from './notices';
import { createCheckpointActivities, type CheckpointPublishing } from './ledger/checkpoint-activity';
import { createNoticeDelivery } from './notices/delivery';
import { createProjectCommandActivities, type ProjectCommandSender } from './project-commands';
import { createTransitionWithNoticesActivity } from './transition-with-notices';

/** Everything the activities need from the outside world. */
export interface ActivityDependencies {
  /** The service's own client, for activities that act on other workflows. */
  projects: ProjectCommandSender;
  client: Client;
  ledger: LedgerStore;
  mail: MailDependencies;
  /** Signed checkpoints of the ledger, and where they are published; without it none are written. */
  checkpoints?: CheckpointPublishing;
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
    ...audit,
    ...notices,
    ...createTransitionWithNoticesActivity(audit, notices),
    ...createCheckpointActivities({
      ledger: deps.ledger,
      ...(deps.checkpoints ? { publishing: deps.checkpoints } : {}),
      send: createNoticeDelivery(deps.mail),
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
