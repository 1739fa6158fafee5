// How far the projects of a call (or of all calls) came: the funnel the office reads on its
// dashboard. Decided by the law's states alone, so it never claims more than a state proves: a
// project is counted at every stage its present state shows it passed. One that left the main
// line (withdrawn, lapsed, rejected, terminated) is counted up to the stage its end proves; a
// rejection can come straight from the endorsement (nobody reviewed it), so it proves submission only.

export const funnelStages = ['applied', 'submitted', 'endorsed', 'reviewed', 'approved', 'funded'] as const;
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

/** The furthest stage a project in `state` (a dotted path) is known to have reached. */
export const stageOf = (state: string): FunnelStage => furthest[state.split('.')[0] ?? ''] ?? 'applied';

/** How many projects reached each stage, in the funnel's order. */
export function funnel(states: readonly string[]): { stage: FunnelStage; count: number }[] {
  const reached = states.map((s) => funnelStages.indexOf(stageOf(s)));
  return funnelStages.map((stage, i) => ({ stage, count: reached.filter((r) => r >= i).length }));
}
