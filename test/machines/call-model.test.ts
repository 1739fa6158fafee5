import { getAdjacencyMap } from 'xstate/graph';
import type { SnapshotFrom } from 'xstate';
import { alliance105 } from '../../domain/calls';
import { callCommands, callEventRoles, callMachine, missedDeadline, type CallCommand, type CallEvent } from '../../machines/call-machine';
import { judgeCall, type CallStanding } from '../../machines/call-judge';
import { emptyRecords, type RecordEvent } from '../../machines/call-records';
import { anApplication } from '../fixtures/applications';
import { person } from '../fixtures/people';
import { allStateIds, allTransitionIds, takenTransitions } from './statechart-coverage';

type Snapshot = SnapshotFrom<typeof callMachine>;
const at = '2016-09-01T00:00:00.000Z';
const events: CallEvent[] = (Object.keys(callEventRoles) as CallEvent['type'][]).map((type) => ({
  type,
  actor: { role: callEventRoles[type][0]!, id: 'x' },
  at,
}));
const records = emptyRecords(alliance105.calendar);
const adjacency = getAdjacencyMap(callMachine, { events, input: records });
// The record events change the context, not the state: taken in every state, left out of the exploration (each makes a new context).
const recordEvents: RecordEvent[] = [
  { type: 'record.invited', applicationIds: ['TE2-0001'] },
  { type: 'record.slots', slots: { 'TE2-0001': at } },
];
const reachable = Object.values(adjacency).map((entry) => entry.state as Snapshot);

describe('callMachine, explored from its initial state with every event in every state', () => {
  it('visits every state and takes every transition', () => {
    const visited = new Set<string>();
    const taken = new Set<string>();
    for (const snapshot of reachable) {
      for (const node of snapshot._nodes) visited.add(node.id);
      for (const event of [...events, ...recordEvents]) if (snapshot.can(event)) for (const id of takenTransitions(callMachine, snapshot, event)) taken.add(id);
    }
    const states = allStateIds(callMachine);
    const transitions = allTransitionIds(callMachine);
    console.log(
      `call statechart coverage: states ${states.filter((id) => visited.has(id)).length}/${states.length}, transitions ${transitions.filter((id) => taken.has(id)).length}/${transitions.length}`,
    );
    expect(states.filter((id) => !visited.has(id))).toEqual([]);
    expect(transitions.filter((id) => !taken.has(id))).toEqual([]);
  });

  it("names only the machine's own states and events in the commands' law", () => {
    const states = new Set(reachable.map((s) => String(s.value)));
    for (const [command, rule] of Object.entries(callCommands)) {
      for (const state of rule.states) expect({ command, state, known: states.has(state) }).toEqual({ command, state, known: true });
      // A command that moves the call does so from at least one state it is allowed in.
      if ('event' in rule)
        expect(
          reachable.some(
            (s) => (rule.states as readonly string[]).includes(String(s.value)) && s.can({ type: rule.event, actor: { role: 'office', id: 'x' }, at }),
          ),
        ).toBe(true);
    }
  });
});

describe('a command that comes too late names the deadline it missed', () => {
  const { calendar } = alliance105;
  it('an application after the application deadline: that deadline, in ROC and ISO form, in both languages', () => {
    for (const state of ['applicationsClosed', 'endorsementsClosed', 'announced']) {
      const message = missedDeadline('call.registerApplication', state, calendar, 'alliance-105');
      expect(message).toContain('the application deadline of call alliance-105 passed at 105.09.12 17:00 (2016-09-12T17:00:00+08:00)');
      expect(message).toContain('申請截止時間105年9月12日下午5時（2016-09-12T17:00:00+08:00）已過，逾期恕不受理。');
    }
  });

  it('a roster after the endorsement deadline: that one, not the application deadline', () => {
    expect(missedDeadline('call.submitRoster', 'applicationsClosed', calendar, 'alliance-105')).toBeNull();
    const message = missedDeadline('call.submitRoster', 'endorsementsClosed', calendar, 'alliance-105');
    expect(message).toContain('institution endorsement deadline of call alliance-105 passed at 105.09.19 17:00 (2016-09-19T17:00:00+08:00)');
    expect(message).toContain('105年9月19日下午5時');
  });

  it('nothing for a command on time, or one that waits on no deadline', () => {
    expect(missedDeadline('call.registerApplication', 'open', calendar, 'c')).toBeNull();
    for (const command of Object.keys(callCommands) as CallCommand[]) {
      if (command !== 'call.registerApplication' && command !== 'call.submitRoster') expect(missedDeadline(command, 'closed', calendar, 'c')).toBeNull();
    }
  });
});

describe('judgeCall: schema, role, whose application, then the call', () => {
  const { calendar, policy } = alliance105;
  const at = (state: string, over: Partial<CallStanding> = {}): CallStanding => ({
    callId: 'alliance-105',
    state,
    calendar,
    policy,
    registering: [],
    assignments: { 'TE2-0001': ['rev-te2-01'] },
    rounds: [],
    reviewerPool: [{ id: 'rev-te2-01' }, { id: 'rev-te2-02' }],
    projects: [{ applicationId: 'TE2-0001', projectId: 'project:alliance-105:TE2-0001', institutionId: 'NTU', piId: 'pi-lin', division: 'TE2' }],
    ...over,
  });
  const ntu = person('institution', 'NTU');
  const roster = { rosterId: 'R1', letterReference: '臺大研字第1號', applicationIds: ['TE2-0001'] };
  const now = Date.parse('2016-09-01T00:00:00Z');

  it('asks in order: a malformed command first, then the role and its log-in, then whose application, then the call', () => {
    expect(judgeCall(at('closed'), 'call.submitRoster', { actor: person('pi', 'pi-lin'), ...roster, applicationIds: [] }, now)).toMatchObject({
      ok: false,
      code: 'INVALID_PAYLOAD',
    });
    expect(judgeCall(at('closed'), 'call.submitRoster', { actor: person('pi', 'pi-lin'), ...roster }, now)).toMatchObject({
      ok: false,
      code: 'ROLE_NOT_ALLOWED',
    });
    // A person's command without who authenticated them came around the door.
    expect(judgeCall(at('applicationsClosed'), 'call.submitRoster', { actor: { role: 'institution', id: 'NTU' }, ...roster }, now)).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
      message: expect.stringContaining("a person's command must carry who authenticated them (via)") as unknown,
    });
    expect(judgeCall(at('closed'), 'call.submitRoster', { actor: person('institution', 'NCKU'), ...roster }, now)).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
    expect(judgeCall(at('endorsementsClosed'), 'call.submitRoster', { actor: ntu, ...roster }, now)).toMatchObject({
      ok: false,
      code: 'ILLEGAL_TRANSITION',
      message: expect.stringContaining('institution endorsement deadline') as unknown,
    });
    expect(judgeCall(at('applicationsClosed'), 'call.submitRoster', { actor: ntu, ...roster }, now)).toMatchObject({ ok: true });
  });

  it("refuses from the call's records: a second registration of an id, one over the PI's bound, an assignment twice, a deadline moved into the past", () => {
    const pi = person('pi', 'pi-lin');
    expect(judgeCall(at('open'), 'call.registerApplication', { actor: pi, application: anApplication({ id: 'TE2-0001' }) }, now)).toMatchObject({
      ok: false,
      code: 'INVALID_PAYLOAD',
      message: expect.stringContaining('already registered') as unknown,
    });
    expect(
      judgeCall(
        at('open', { policy: { ...policy, maxApplicationsPerPi: 1 } }),
        'call.registerApplication',
        { actor: pi, application: anApplication({ id: 'TE2-0002' }) },
        now,
      ),
    ).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(judgeCall(at('open'), 'call.registerApplication', { actor: pi, application: anApplication({ id: 'TE2-0002' }) }, now)).toMatchObject({ ok: true });
    const office = person('office', 'office-kao');
    expect(judgeCall(at('onlineReview'), 'call.assignReviewer', { actor: office, applicationId: 'TE2-0001', reviewerId: 'rev-te2-01' }, now)).toMatchObject({
      ok: false,
      code: 'ILLEGAL_TRANSITION',
    });
    expect(judgeCall(at('onlineReview'), 'call.assignReviewer', { actor: office, applicationId: 'TE2-0001', reviewerId: 'rev-te9-99' }, now)).toMatchObject({
      ok: false,
      code: 'INVALID_PAYLOAD',
    });
    expect(judgeCall(at('onlineReview'), 'call.assignReviewer', { actor: office, applicationId: 'TE2-0001', reviewerId: 'rev-te2-02' }, now)).toMatchObject({
      ok: true,
    });
    expect(
      judgeCall(at('open'), 'call.amendDeadline', { actor: office, deadline: 'application', until: '2016-08-01T09:00:00+08:00', reason: '颱風' }, now),
    ).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD', message: expect.stringContaining('has already passed') as unknown });
    expect(
      judgeCall(at('open'), 'call.amendDeadline', { actor: office, deadline: 'application', until: '2016-09-13T09:00:00+08:00', reason: '颱風' }, now),
    ).toMatchObject({ ok: true });
  });

  it('moves a call-wide deadline only while it and the new instant are the lead time ahead (policy.amendmentLeadTime, absent: an hour)', () => {
    const office = person('office', 'office-kao');
    const closes = Date.parse(calendar.applicationWindow.closes);
    const amend = (nowMs: number, until: string, over: Partial<CallStanding> = {}) =>
      judgeCall(at('open', over), 'call.amendDeadline', { actor: office, deadline: 'application', until, reason: '颱風停班' }, nowMs);
    const later = new Date(closes + 86_400_000).toISOString();
    // 59 minutes before the deadline: too late to reach every project of the call.
    expect(amend(closes - 59 * 60_000, later)).toMatchObject({
      ok: false,
      code: 'ILLEGAL_TRANSITION',
      message: expect.stringContaining('too soon to move') as unknown,
    });
    expect(amend(closes - 61 * 60_000, later)).toMatchObject({ ok: true });
    // Moved to an instant closer than the lead: its projects might not all hear of it in time.
    expect(amend(closes - 2 * 3_600_000, new Date(closes - 2 * 3_600_000 + 30 * 60_000).toISOString())).toMatchObject({
      ok: false,
      code: 'INVALID_PAYLOAD',
      message: expect.stringContaining('policy.amendmentLeadTime') as unknown,
    });
    // The policy's own lead time is data: ten minutes lets the same move through.
    expect(amend(closes - 59 * 60_000, later, { policy: { ...policy, amendmentLeadTime: 'PT10M' } })).toMatchObject({ ok: true });
  });
});
