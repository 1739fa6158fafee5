import { createActor } from 'xstate';
import type { ProjectContext } from './project-context';
import { currentLaw, lawV2Records, projectMachines, type LawVersion, type ProjectSnapshot } from './project-machine';

/** The law a project runs under: projects from before versions were recorded run under v1. */
export const lawOf = (context: Pick<ProjectContext, 'lawVersion'>): LawVersion => (context.lawVersion ?? 1) as LawVersion;

/** A persisted snapshot brought back under the version of the law it was taken under. */
export function restoreSnapshot(persisted: unknown): ProjectSnapshot {
  const { context } = persisted as { context: ProjectContext };
  const machine = projectMachines[lawOf(context)];
  if (!machine) throw new RangeError(`project law v${context.lawVersion} is not known to this code; it knows v1 to v${currentLaw}`);
  return createActor(machine, { snapshot: persisted as never, input: undefined }).getSnapshot();
}

/** The persisted form of a snapshot, by its own version's machine. */
export const persistSnapshot = (snapshot: ProjectSnapshot): unknown => snapshot.machine.getPersistedSnapshot(snapshot);

/** What a migration may need to know of the project's call. */
export type CallFacts = { firstProjectYearStarts: string };
type Step = (context: ProjectContext, call: CallFacts) => ProjectContext;

/**
 * One step per version: what a context of version n−1 needs to live under version n. The state
 * value and history carry over unchanged (v2 added transitions and records, no states).
 */
const steps: Record<Exclude<LawVersion, 1>, Step> = {
  2: (context, call) => ({ ...context, lawVersion: 2, ...lawV2Records(call.firstProjectYearStarts) }),
  // v3 added documents: the project has none yet.
  3: (context) => ({ ...context, lawVersion: 3, documents: context.documents ?? [] }),
};

/**
 * Moves a project to the current law at a safe point (a project-year boundary, where nothing is
 * half-done): pure, one step per version, so a v1 project reaches v3 through v2.
 */
export function migrateSnapshot(snapshot: ProjectSnapshot, call: CallFacts, to: LawVersion = currentLaw): ProjectSnapshot {
  let persisted = persistSnapshot(snapshot) as { context: ProjectContext };
  for (let version = lawOf(persisted.context) + 1; version <= to; version++) {
    persisted = { ...persisted, context: steps[version as Exclude<LawVersion, 1>](persisted.context, call) };
  }
  return restoreSnapshot(persisted);
}
