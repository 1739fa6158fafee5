import {
  announcementPlan,
  invitationPlan,
  missingReviews,
  rankable,
  rankingPlan,
  reviewStartPlan,
  roundAssignments,
  slotPlan,
  type PlanRecords,
} from '../../machines/call-plans';

// Three applications in two divisions: A1 and A2 in TE2, B1 in TB1; A1 and B1 have reviewers, A3 is only on a roster.
const project = (applicationId: string, division: string) => ({ projectId: `project:c:${applicationId}`, applicationId, division: division as never });
const records: PlanRecords = {
  projects: [project('A1', 'TE2'), project('A2', 'TE2'), project('B1', 'TB1'), project('A3', 'TE2')],
  assignments: { A1: ['r1', 'r2'], A2: ['r3'], B1: ['r1'] },
  rosters: [{ applicationIds: ['A1', 'A2', 'B1', 'A3'] }],
};
const answer = (applicationId: string, lifecycle: string, scores: number[], extra: object = {}) => ({
  projectId: `project:c:${applicationId}`,
  lifecycle,
  decision: null,
  reviews: scores.map((score, i) => ({ reviewerId: `r${i + 1}`, score })),
  panelScore: null,
  ...extra,
});

describe('the call plans, pure', () => {
  const under = (lifecycle: string, outcome?: string, unreachable?: string) => ({
    lifecycle,
    decision: outcome ? { outcome } : null,
    ...(unreachable && { unreachable }),
  });
  it('ranks applications still under review that answered; for invitations, not one already rejected', () => {
    expect(rankable(under('review'), 'invitation')).toBe(true);
    expect(rankable(under('review', 'rejected'), 'invitation')).toBe(false);
    expect(rankable(under('review', 'rejected'), 'decisionMeeting')).toBe(true);
    for (const ended of ['withdrawn', 'lapsed', 'rejected', 'terminated', 'unknown']) expect(rankable(under(ended), 'decisionMeeting')).toBe(false);
    expect(rankable(under('review', undefined, 'no answer'), 'invitation')).toBe(false);
  });

  it('invites the top N of each division among live applications, or those named by hand', () => {
    const read = [answer('A1', 'withdrawn', [90, 90]), answer('A2', 'review', [70]), answer('B1', 'review', [80])];
    const live = rankingPlan(records, read, 'invitation', true);
    expect(invitationPlan(live, [], 1)).toEqual(['A2', 'B1']);
    // Before rank-live-v1 the withdrawn A1 took TE2's place.
    expect(invitationPlan(rankingPlan(records, read, 'invitation', false), [], 1)).toEqual(['A1', 'B1']);
    expect(invitationPlan(null, ['A3'])).toEqual(['A3']);
  });

  it('tells each reviewer of the assignments the projects took, not of one refused or not delivered', () => {
    const assign = (projectId: string, reviewerId: string) => ({ projectId, type: 'reviewer.assign', payload: { reviewerId } });
    const commands = [
      { projectId: 'p1', type: 'review.start', payload: {} },
      assign('p1', 'r1'),
      assign('p1', 'r2'),
      { projectId: 'p2', type: 'review.start', payload: {} },
      assign('p2', 'r1'),
      assign('p3', 'r2'),
    ];
    // r2's assignment to p1 refused (a conflict), p3 unreachable; an entry the call added itself has no command.
    const outcome = { skipped: [{ command: 2 }, {}], unreachable: [{ command: 5 }] };
    expect([...roundAssignments(commands, outcome)]).toEqual([['r1', ['p1', 'p2']]]);
    expect([...roundAssignments(commands, { skipped: [] })]).toEqual([
      ['r1', ['p1', 'p2']],
      ['r2', ['p1', 'p3']],
    ]);
  });

  it('starts a review only for projects that answered endorsed or under review', () => {
    const read = [answer('A1', 'endorsed', []), answer('A2', 'lapsed', []), answer('B1', 'review', []), { ...answer('A3', 'unknown', []), unreachable: 'x' }];
    expect(reviewStartPlan(records.projects, read).map((p) => p.applicationId)).toEqual(['A1', 'B1']);
  });

  it("lists a closing round's missing reviews: assigned and not reviewed, in the round's scope", () => {
    const read = [answer('A1', 'review', [80]), answer('A2', 'review', []), answer('B1', 'review', [])];
    expect(missingReviews(records, 'TE2', read)).toEqual([
      { projectId: 'project:c:A1', reviewerId: 'r2' },
      { projectId: 'project:c:A2', reviewerId: 'r3' },
    ]);
    expect(missingReviews(records, 'all', read)).toHaveLength(3);
  });

  it('gives each division its own room and one slot after another in invitation order', () => {
    const slots = slotPlan(records, ['A2', 'B1', 'A1'], '2017-01-10T01:00:00.000Z', 'PT30M');
    expect(slots).toEqual([
      { projectId: 'project:c:A2', applicationId: 'A2', slot: '2017-01-10T01:00:00.000Z', venue: 'TE2 簡報室' },
      { projectId: 'project:c:B1', applicationId: 'B1', slot: '2017-01-10T01:00:00.000Z', venue: 'TB1 簡報室' },
      { projectId: 'project:c:A1', applicationId: 'A1', slot: '2017-01-10T01:30:00.000Z', venue: 'TE2 簡報室' },
    ]);
  });

  it('announces every endorsed project, reviewed or not (before announce-all-v1: the reviewed only)', () => {
    expect(announcementPlan(records, true).map((p) => p.applicationId)).toEqual(['A1', 'A2', 'B1', 'A3']);
    expect(announcementPlan(records, false).map((p) => p.applicationId)).toEqual(['A1', 'A2', 'B1']);
  });
});
