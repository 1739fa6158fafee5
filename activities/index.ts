import type { ProjectClient } from '../client/projects';
import { createProjectCommandActivities } from './project-commands';

/** Everything the activities need from the outside world. */
export interface ActivityDependencies {
  /** The service's own client, for activities that act on other workflows. */
  projects: ProjectClient;
}

/** Builds the service's activities over their dependencies (see STYLE: dependency injection). */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createProjectCommandActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
