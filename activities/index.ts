import type { Client } from '@temporalio/client';
import type { ProjectClient } from '../client/projects';
import { createAuditActivities } from './audit';
import type { LedgerStore } from './ledger/store';
import { createProjectCommandActivities } from './project-commands';

/** Everything the activities need from the outside world. */
export interface ActivityDependencies {
  /** The service's own client, for activities that act on other workflows. */
  projects: ProjectClient;
  client: Client;
  ledger: LedgerStore;
}

/** Builds the service's activities over their dependencies (see STYLE: dependency injection). */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createProjectCommandActivities(deps),
    ...createAuditActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
