import { addDuration, nthPeriodStart } from '../domain/duration';
import type { ProjectContext } from './project-context';

/** How far the project's clock stood still while suspended, when the policy stops it (law v2). */
export function clockStoppedMs(context: Pick<ProjectContext, 'policy' | 'clockStoppedMs'>): number {
  return context.policy.suspension === 'clockRuns' ? 0 : (context.clockStoppedMs ?? 0);
}

/**
 * When tranche 0 or 1 of the current project year may be requested: the policy's window counted
 * from the year's start (moved on by the time suspended). Unknown for projects of law v1.
 */
export function trancheWindow(context: ProjectContext, tranche: 0 | 1): { opens: string; closes: string } | undefined {
  const window = context.policy.trancheWindows[tranche];
  if (!context.firstProjectYearStarts || !window || context.projectYear < 1) return undefined;
  const start = new Date(
    nthPeriodStart(context.firstProjectYearStarts, context.policy.projectYearLength, context.projectYear).getTime() + clockStoppedMs(context),
  );
  return { opens: addDuration(start, window.opensAfter).toISOString(), closes: addDuration(start, window.closesAfter).toISOString() };
}
