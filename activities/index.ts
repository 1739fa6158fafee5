/** Everything the activities need from the outside world; each later capability adds a field. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ActivityDependencies {}

/** Builds the service's activities over their dependencies (see STYLE: dependency injection). */
export function createActivities(_deps: ActivityDependencies) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
