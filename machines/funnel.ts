// How far the projects of a call (or of all calls) came: the funnel the office reads on its
// dashboard. Decided by the law's states alone, so it never claims more than a state proves: a
// project is counted at every stage its present state shows it passed. One that left the main
// line (withdrawn, lapsed, rejected, terminated) is counted up to the stage its end proves; a
// rejection can come straight from the endorsement (nobody reviewed it), so it proves submission only.
// "Presented" is the presentation review passed: the panel's result recorded, or the presentation
// excused by the office's recorded waiver; the final decision's wait proves it (it is entered no
// other way), a decision recorded does not (a rejection may come straight from the written review),
// and an approval does, since law v2 approves only after it (law v1, of projects begun before
// 2026-11-26, did not ask: its approvals are counted as presented all the same).

export const funnelStages = ['applied', 'submitted', 'endorsed', 'reviewed', 'presented', 'approved', 'funded'] as const;
export type FunnelStage = (typeof funnelStages)[number];

/** The furthest stage each top-level state proves. */
const furthest: Record<string, FunnelStage> = {
  draft: 'applied',
  withdrawn: 'applied',
  submitted: 'submitted',
  lapsed: 'submitted',
  rejected: 'submitted',
  endorsed: 'endorsed',
  review: 'reviewed',
  approved: 'approved',
  contracting: 'approved',
  execution: 'funded',
  suspended: 'funded',
  closing: 'funded',
  closed: 'funded',
  terminated: 'funded',
};

/** Within the review, the states that prove more than the review itself. */
const furthestInReview: Record<string, FunnelStage> = { 'review.finalDecision.pending': 'presented' };

/** The furthest stage a project in `state` (a dotted path) is known to have reached. */
export const stageOf = (state: string): FunnelStage => furthestInReview[state] ?? furthest[state.split('.')[0] ?? ''] ?? 'applied';

/** How many projects reached each stage, in the funnel's order. */
export function funnel(states: readonly string[]): { stage: FunnelStage; count: number }[] {
  const reached = states.map((s) => funnelStages.indexOf(stageOf(s)));
  return funnelStages.map((stage, i) => ({ stage, count: reached.filter((r) => r >= i).length }));
}
