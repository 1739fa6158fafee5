import { transition, initialTransition } from 'xstate';
import { alliance105 } from '../../domain/calls';
import { callMachine } from '../../machines/call-machine';
import { applyRecord, carriedRecords, emptyRecords, type CallContext, type RegisteredProject } from '../../machines/call-records';

const office = { role: 'office', id: 'office-kao' } as const;
const at = '2016-09-20T01:00:00.000Z';
const project = (applicationId: string): RegisteredProject => ({
  projectId: `project:alliance-105:${applicationId}`,
  applicationId,
  institutionId: 'NTU',
  division: 'TE2',
  region: 'north',
  title: '聯盟',
  requestedNtd: 1_000_000,
});

describe("the call's records, the call machine's context", () => {
  const opened = emptyRecords(alliance105.calendar);

  it('change only by record events, each a new value, in every state until the call closes', () => {
    let [s] = initialTransition(callMachine, opened);
    [s] = transition(callMachine, s, { type: 'record.project', project: project('TE2-0001') });
    [s] = transition(callMachine, s, { type: 'deadline.application', actor: { role: 'system', id: 't' }, at });
    [s] = transition(callMachine, s, { type: 'record.project', project: project('TE2-0002') });
    expect([s.value, s.context.projects.map((p) => p.applicationId)]).toEqual(['applicationsClosed', ['TE2-0001', 'TE2-0002']]);
    expect(opened.projects).toEqual([]);
  });

  it('keep a round, an invitation and a slot once; a reviewer who stepped down is off the list and never drawn again', () => {
    const round = { scope: 'all' as const, startedAt: at, deadline: '2016-10-20T01:00:00.000Z', closedAt: null, missing: [] };
    let r: CallContext = applyRecord(opened, { type: 'record.round', round });
    r = applyRecord(r, { type: 'record.round', round: { ...round, deadline: '2017-01-01T00:00:00.000Z' } });
    expect(r.rounds).toEqual([round]);
    r = applyRecord(r, { type: 'record.roundsClosed', closed: [{ scope: 'all', closedAt: at, missing: [{ projectId: 'p', reviewerId: 'r2' }] }] });
    r = applyRecord(r, { type: 'record.roundsClosed', closed: [{ scope: 'all', closedAt: '2017-01-01T00:00:00.000Z', missing: [] }] });
    expect(r.rounds[0]).toMatchObject({ closedAt: at, missing: [{ projectId: 'p', reviewerId: 'r2' }] });
    r = applyRecord(r, { type: 'record.invited', applicationIds: ['A', 'B', 'A'] });
    r = applyRecord(r, { type: 'record.invited', applicationIds: ['B', 'C'] });
    expect(r.invited).toEqual(['A', 'B', 'C']);
    r = applyRecord(r, { type: 'record.assignments', assignments: { A: ['r1', 'r2'] } });
    r = applyRecord(r, { type: 'record.declined', applicationId: 'A', reviewerId: 'r1' });
    expect([r.assignments.A, r.declined?.A]).toEqual([['r2'], ['r1']]);
  });

  it('move the calendar with an amendment, keeping the amendment', () => {
    const amendment = { deadline: 'endorsement' as const, until: '2016-09-26T09:00:00.000Z', reason: '颱風停班', by: office, at };
    const r = applyRecord(opened, { type: 'record.amendment', amendment });
    expect([r.calendar.endorsementDeadline, r.calendar.applicationWindow, r.amendments]).toEqual([
      amendment.until,
      opened.calendar.applicationWindow,
      [amendment],
    ]);
  });

  it('are read from a carried run of either form: in the snapshot, or beside it as runs from before carried them', () => {
    const [s] = transition(callMachine, initialTransition(callMachine, opened)[0], { type: 'record.project', project: project('TE2-0001') });
    const now = carriedRecords({ snapshot: callMachine.getPersistedSnapshot(s) }, alliance105.calendar);
    expect(now.projects.map((p) => p.applicationId)).toEqual(['TE2-0001']);
    const before = { snapshot: { value: 'open', status: 'active' }, projects: [project('TE2-0009')], transitions: 4, amendments: [] };
    const read = carriedRecords(before, alliance105.calendar);
    expect([read.projects.map((p) => p.applicationId), read.calendar, read.rosters, 'transitions' in read]).toEqual([
      ['TE2-0009'],
      alliance105.calendar,
      [],
      false,
    ]);
  });
});
