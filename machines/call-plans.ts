// The call's plans: who a bulk operation reaches and what it sends, decided from the call's records
// and what its projects answered. Pure, like the deadline plans beside them (deadlines.ts): the call
// workflow reads its projects (an activity), asks these, and sends what they return.
import type { Division } from '../domain/application';
import { addDuration } from '../domain/duration';
import { rankByDivision, type RankedApplication } from '../domain/ranking';

/** What the call's plans read of a registered project. */
export interface PlannedProject {
  projectId: string;
  applicationId: string;
  division: Division;
}

/** What the call's plans read of a project's answer: its lifecycle, its decision, its reviews, or that it did not answer. */
export interface ProjectStanding {
  projectId?: string;
  lifecycle: string;
  decision: { outcome: string } | null;
  unreachable?: string;
  reviews?: readonly { reviewerId: string; score: number }[];
  panelScore?: number | null;
}

/** A project's answer, named by its project id. */
export type ProjectAnswer = ProjectStanding & { projectId: string };

/** The call's records its plans read. */
export interface PlanRecords<P extends PlannedProject = PlannedProject> {
  projects: readonly P[];
  assignments: Readonly<Record<string, readonly string[]>>;
  rosters: readonly { applicationIds: readonly string[] }[];
}

export const onRoster = (records: Pick<PlanRecords, 'rosters'>, applicationId: string): boolean =>
  records.rosters.some((r) => r.applicationIds.includes(applicationId));

/** Projects with reviewers: those a ranking, a round's close and the decision meeting read. */
export const reviewed = <P extends PlannedProject>(records: PlanRecords<P>): P[] => records.projects.filter((p) => records.assignments[p.applicationId]);

/**
 * Who a ranking ranks: applications still under review (not withdrawn, lapsed, terminated or
 * announced), and that answered. For presentation invitations, also not already rejected from the
 * written review: the top N of a division are N applications that can still be invited.
 */
export function rankable(project: ProjectStanding, purpose: 'invitation' | 'decisionMeeting'): boolean {
  if (project.unreachable || project.lifecycle !== 'review') return false;
  return purpose === 'decisionMeeting' || project.decision?.outcome !== 'rejected';
}

/**
 * Each division's ranking of the projects read: panel score, then written average (domain/ranking.ts).
 * `liveOnly` (since rank-live-v1) ranks only what `rankable` admits for the purpose.
 */
export function rankingPlan(
  records: PlanRecords,
  read: readonly ProjectAnswer[],
  purpose: 'invitation' | 'decisionMeeting',
  liveOnly: boolean,
): Record<string, RankedApplication[]> {
  const summaries = liveOnly ? read.filter((s) => rankable(s, purpose)) : read;
  return rankByDivision(
    summaries.flatMap((s) => {
      const p = records.projects.find((x) => x.projectId === s.projectId);
      if (!p) return [];
      const writtenScores = (s.reviews ?? []).map((r) => r.score);
      return [{ projectId: s.projectId, applicationId: p.applicationId, division: p.division, writtenScores, panelScore: s.panelScore ?? null }];
    }),
  );
}

/** The applications invited to present: those named by hand, or the top N of each division's ranking. */
export function invitationPlan(ranking: Record<string, readonly RankedApplication[]> | null, named: readonly string[], topPerDivision?: number): string[] {
  if (topPerDivision === undefined || !ranking) return [...named];
  return Object.values(ranking).flatMap((list) => list.slice(0, topPerDivision).map((r) => r.applicationId));
}

/** Who a review start may start: on a roster, in scope, and endorsed or already under review as its project answered. */
export function reviewStartPlan<P extends PlannedProject>(candidates: readonly P[], read: readonly ProjectAnswer[]): P[] {
  return candidates.filter((p) => ['endorsed', 'review'].includes(read.find((s) => s.projectId === p.projectId)?.lifecycle ?? ''));
}

/** A round's projects: those with reviewers in its scope (a division, or the whole call). */
export const roundProjects = <P extends PlannedProject>(records: PlanRecords<P>, scope: Division | 'all'): P[] =>
  reviewed(records).filter((p) => scope === 'all' || p.division === scope);

/** The reviews a closing round still misses: each of its projects' assigned reviewers who have not reviewed. */
export function missingReviews(records: PlanRecords, scope: Division | 'all', read: readonly ProjectAnswer[]): { projectId: string; reviewerId: string }[] {
  return roundProjects(records, scope).flatMap((p) => {
    const done = read.find((s) => s.projectId === p.projectId)?.reviews?.map((r) => r.reviewerId) ?? [];
    return (records.assignments[p.applicationId] ?? []).filter((id) => !done.includes(id)).map((reviewerId) => ({ projectId: p.projectId, reviewerId }));
  });
}

/**
 * The presentation timetable: each division presents in its own room, one slot after another in
 * invitation order, from `startsAt`.
 */
export function slotPlan(
  records: Pick<PlanRecords, 'projects'>,
  invited: readonly string[],
  startsAt: string,
  slotLength: string,
): { projectId: string; applicationId: string; slot: string; venue: string }[] {
  const perDivision = new Map<string, number>();
  return invited.flatMap((id) => {
    const project = records.projects.find((p) => p.applicationId === id);
    if (!project) return [];
    const n = perDivision.get(project.division) ?? 0;
    perDivision.set(project.division, n + 1);
    let slot = new Date(startsAt);
    for (let i = 0; i < n; i++) slot = addDuration(slot, slotLength);
    return [{ projectId: project.projectId, applicationId: id, slot: slot.toISOString(), venue: `${project.division} 簡報室` }];
  });
}

/**
 * Who the announcement decides: since announce-all-v1 every project on a roster or with reviewers
 * (its law rejects the undecided, with the reason); before, those with reviewers only.
 */
export function announcementPlan<P extends PlannedProject>(records: PlanRecords<P>, everyEndorsed: boolean): P[] {
  return records.projects.filter((p) => records.assignments[p.applicationId] || (everyEndorsed && onRoster(records, p.applicationId)));
}

/** A command of a bulk operation, as far as the round's mail reads it. */
export interface SentCommand {
  projectId: string;
  type: string;
  payload: unknown;
}

/**
 * Whom a round's start is to tell of what: each reviewer with the projects whose assignment the
 * project took, in the order sent. An assignment refused or not delivered (listed by its command's
 * place in `skipped` or `unreachable`) is no one's to review, so it is in nobody's mail.
 */
export function roundAssignments(
  commands: readonly SentCommand[],
  outcome: { skipped: readonly { command?: number }[]; unreachable?: readonly { command?: number }[] },
): Map<string, string[]> {
  const notTaken = new Set([...outcome.skipped, ...(outcome.unreachable ?? [])].map((s) => s.command));
  const byReviewer = new Map<string, string[]>();
  commands.forEach((command, i) => {
    if (command.type !== 'reviewer.assign' || notTaken.has(i)) return;
    const reviewerId = (command.payload as { reviewerId: string }).reviewerId;
    byReviewer.set(reviewerId, [...(byReviewer.get(reviewerId) ?? []), command.projectId]);
  });
  return byReviewer;
}
