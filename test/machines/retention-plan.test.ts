import { retentionPolicy } from '../../domain/retention';
import { erasedInTime, retentionPlan, rulesFor } from '../../machines/retention-plan';

const project = (workflowId: string, state: string, endedAt = '2026-01-10T00:00:00.000Z') => ({ workflowId, state, endedAt });

describe('the retention plan', () => {
  it('keeps a funded file by afterClose and an unfunded application by afterUnfunded; a running project by none', () => {
    expect(rulesFor(retentionPolicy, project('p', 'closed'))).toEqual([
      { kind: 'notices', rule: 'afterClose.notices', period: 'P1Y' },
      { kind: 'personal-data', rule: 'afterClose.archive', period: 'P10Y' },
    ]);
    expect(rulesFor(retentionPolicy, project('p', 'rejected'))).toEqual([
      { kind: 'notices', rule: 'afterUnfunded.notices', period: 'P1Y' },
      { kind: 'personal-data', rule: 'afterUnfunded.archive', period: 'P3Y' },
    ]);
    expect(rulesFor(retentionPolicy, project('p', 'execution'))).toEqual([]);
  });

  it('takes personal data when the longest of the kinds it holds has passed', () => {
    const policy = { ...retentionPolicy, afterUnfunded: { application: 'P5Y', reviews: 'P3Y', notices: 'P1Y', archive: 'P3Y' } };
    expect(rulesFor(policy, project('p', 'lapsed'))[1]).toEqual({ kind: 'personal-data', rule: 'afterUnfunded.application', period: 'P5Y' });
  });

  it('lists what fell due and no tombstone records yet, oldest first', () => {
    const ended = [project('project:c:B', 'withdrawn', '2026-03-01T00:00:00.000Z'), project('project:c:A', 'rejected'), project('project:c:C', 'closed')];
    const now = new Date('2029-02-01T00:00:00.000Z');
    expect(retentionPlan(retentionPolicy, ended, new Set(), now).map((e) => `${e.workflowId} ${e.kind} ${e.due}`)).toEqual([
      'project:c:A notices 2027-01-10T00:00:00.000Z',
      'project:c:C notices 2027-01-10T00:00:00.000Z',
      'project:c:B notices 2027-03-01T00:00:00.000Z',
      'project:c:A personal-data 2029-01-10T00:00:00.000Z',
    ]);
    const done = new Set(['project:c:A notices', 'project:c:C notices', 'project:c:B notices']);
    expect(retentionPlan(retentionPolicy, ended, done, now).map((e) => e.workflowId)).toEqual(['project:c:A']);
  });

  it('says whether an erasure came in time', () => {
    expect(erasedInTime('2029-01-10T00:00:00.000Z', '2026-01-10T00:00:00.000Z', 'P3Y')).toBe(true);
    expect(erasedInTime('2029-01-09T23:59:59.000Z', '2026-01-10T00:00:00.000Z', 'P3Y')).toBe(false);
  });
});
