import { getAdjacencyMap } from 'xstate/graph';
import type { SnapshotFrom } from 'xstate';
import { alliance105 } from '../../domain/calls';
import { callCommands, callEventRoles, callMachine, missedDeadline, rankable, type CallCommand, type CallEvent } from '../../machines/call-machine';
import { allStateIds, allTransitionIds, takenTransitions } from './statechart-coverage';

type Snapshot = SnapshotFrom<typeof callMachine>;
const at = '2016-09-01T00:00:00.000Z';
const events: CallEvent[] = (Object.keys(callEventRoles) as CallEvent['type'][]).map((type) => ({ type, actor: { role: callEventRoles[type][0]!, id: 'x' }, at }));
const adjacency = getAdjacencyMap(callMachine, { events });
const reachable = Object.values(adjacency).map((entry) => entry.state as Snapshot);

describe('callMachine, explored from its initial state with every event in every state', () => {
  it('visits every state and takes every transition', () => {
    const visited = new Set<string>();
    const taken = new Set<string>();
    for (const snapshot of reachable) {
      for (const node of snapshot._nodes) visited.add(node.id);
      for (const event of events) if (snapshot.can(event)) for (const id of takenTransitions(callMachine, snapshot, event)) taken.add(id);
    }
    const states = allStateIds(callMachine);
    const transitions = allTransitionIds(callMachine);
    console.log(`call statechart coverage: states ${states.filter((id) => visited.has(id)).length}/${states.length}, transitions ${transitions.filter((id) => taken.has(id)).length}/${transitions.length}`);
    expect(states.filter((id) => !visited.has(id))).toEqual([]);
    expect(transitions.filter((id) => !taken.has(id))).toEqual([]);
  });

  it("names only the machine's own states and events in the commands' law", () => {
    const states = new Set(reachable.map((s) => String(s.value)));
    for (const [command, rule] of Object.entries(callCommands)) {
      for (const state of rule.states) expect({ command, state, known: states.has(state) }).toEqual({ command, state, known: true });
      // A command that moves the call does so from at least one state it is allowed in.
      if ('event' in rule) expect(reachable.some((s) => (rule.states as readonly string[]).includes(String(s.value)) && s.can({ type: rule.event, actor: { role: 'office', id: 'x' }, at }))).toBe(true);
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

describe('who a ranking ranks', () => {
  const under = (lifecycle: string, outcome?: string, unreachable?: string) => ({ lifecycle, decision: outcome ? { outcome } : null, ...(unreachable && { unreachable }) });
  it('applications still under review that answered; for invitations, not one already rejected', () => {
    expect(rankable(under('review'), 'invitation')).toBe(true);
    expect(rankable(under('review', 'rejected'), 'invitation')).toBe(false);
    expect(rankable(under('review', 'rejected'), 'decisionMeeting')).toBe(true);
    for (const ended of ['withdrawn', 'lapsed', 'rejected', 'terminated', 'unknown']) expect(rankable(under(ended), 'decisionMeeting')).toBe(false);
    expect(rankable(under('review', undefined, 'no answer'), 'invitation')).toBe(false);
  });
});
