import type { Division } from './application';
import type { Reviewer } from './reviewers';
import { byCodePoint } from './order';

export interface ApplicationToReview {
  applicationId: string;
  division: Division;
  institutionId: string;
}

export interface AssignmentPlan {
  /** applicationId → reviewer ids, including those assigned before. */
  assignments: Record<string, string[]>;
  /** Applications that could not get enough eligible reviewers, with why. */
  shortfalls: { applicationId: string; needed: number; eligible: number }[];
}

/** A reviewer may review an application of their division, not from their own institution, not declared in conflict. */
export function mayReview(reviewer: Reviewer, application: ApplicationToReview): boolean {
  return (
    reviewer.divisions.includes(application.division) &&
    reviewer.institutionId !== application.institutionId &&
    !reviewer.conflicts.applicationIds.includes(application.applicationId) &&
    !reviewer.conflicts.institutionIds.includes(application.institutionId)
  );
}

/**
 * Gives each application `perApplication` eligible reviewers, always the least loaded first (ties
 * by id), so the load stays even. Existing assignments are kept: planning twice changes nothing.
 */
export function planAssignments(
  applications: readonly ApplicationToReview[],
  pool: readonly Reviewer[],
  perApplication: number,
  existing: Readonly<Record<string, readonly string[]>> = {},
): AssignmentPlan {
  const load = new Map(pool.map((r) => [r.id, 0]));
  for (const ids of Object.values(existing)) for (const id of ids) load.set(id, (load.get(id) ?? 0) + 1);
  const assignments: Record<string, string[]> = {};
  const shortfalls: AssignmentPlan['shortfalls'] = [];
  const ordered = [...applications].sort((a, b) => byCodePoint(a.division, b.division) || byCodePoint(a.applicationId, b.applicationId));
  for (const application of ordered) {
    const chosen = [...(existing[application.applicationId] ?? [])];
    const eligible = pool.filter((r) => mayReview(r, application) && !chosen.includes(r.id));
    eligible.sort((a, b) => load.get(a.id)! - load.get(b.id)! || byCodePoint(a.id, b.id));
    for (const reviewer of eligible.slice(0, Math.max(0, perApplication - chosen.length))) {
      chosen.push(reviewer.id);
      load.set(reviewer.id, load.get(reviewer.id)! + 1);
    }
    assignments[application.applicationId] = chosen;
    if (chosen.length < perApplication) shortfalls.push({ applicationId: application.applicationId, needed: perApplication, eligible: chosen.length });
  }
  return { assignments, shortfalls };
}
