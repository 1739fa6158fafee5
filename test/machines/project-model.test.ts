import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { transition, type SnapshotFrom } from 'xstate';
import { alliance105 } from '../../domain/calls';
import type { ProjectEvent } from '../../domain/project-events';
import { checkApplication } from '../../domain/rules';
import type { Role } from '../../domain/actor';
import { judge } from '../../machines/judge';
import { ownershipProblem } from '../../machines/ownership';
import { projectEventRoles, projectMachine } from '../../machines/project-machine';
import { acceptedKpis } from '../../machines/kpis';
import { anyTimePolicy, projectInput } from '../fixtures/project-input';
import { actors, sampleEvents } from '../fixtures/project-events';
import { allStateIds, allTransitionIds, takenTransitions } from './statechart-coverage';

type Snapshot = SnapshotFrom<typeof projectMachine>;
// Tranches unpaid at a year's end are carried, so that paying a carried tranche is explored too.
const input = projectInput({
  projectId: 'alliance-105-TE2-0001',
  policy: { ...anyTimePolicy, tranches: { ...anyTimePolicy.tranches!, pendingAtYearEnd: 'carry' } },
});
const events = sampleEvents();

/** What the guards can see, without the records that make every path unique. */
function abstractState(s: Snapshot): string {
  const c = s.context;
  return JSON.stringify([
    s.value,
    c.projectYear,
    c.reportYear,
    c.reportPastDue,
    c.acceptedReports,
    c.closingPastDue,
    c.reviewers,
    c.reviews.map((r) => r.reviewerId),
    (c.declinedReviews ?? []).map((d) => d.reviewerId),
    c.decision?.outcome ?? null,
    checkApplication(c.application, c.policy).length === 0,
    c.disbursements.filter((d) => d.year === c.projectYear).length,
    !!c.carriedTranche,
    // Whether the alliance may still be selected for the exhibition (accepted results, not yet selected), and whether the report in waiting states results.
    acceptedKpis(c).length > 0 && (c.exhibitions ?? []).length === 0,
    s.matches({ execution: { progressReport: 'submitted' } }) && c.reports.at(-1)?.kpis !== undefined,
    Object.keys(s.historyValue ?? {}).length > 0 ? JSON.stringify(s.value) : '',
    // Law v2's records matter to the guards only until the decision is announced.
    ...(['draft', 'submitted', 'endorsed', 'review'].some((state) => s.matches(state as never))
      ? [c.endorsement !== null, !!c.reviewClosedAt, !!c.presentationWaiver, c.presentation?.panelScore !== undefined]
      : []),
  ]);
}

const adjacency = getAdjacencyMap(projectMachine, { events, serializeState: abstractState, input, limit: 1_000_000 });
const reachable: Snapshot[] = Object.values(adjacency).map((entry) => entry.state as Snapshot);
const terminal = ['rejected', 'lapsed', 'withdrawn', 'closed', 'terminated'] as const;

describe('projectMachine, explored from its initial state with every event in every state', () => {
  it('visits every state and takes every transition', () => {
    const visitedStates = new Set<string>();
    const takenIds = new Set<string>();
    for (const snapshot of reachable) {
      for (const node of snapshot._nodes) visitedStates.add(node.id);
      for (const event of events) {
        if (snapshot.can(event)) for (const id of takenTransitions(projectMachine, snapshot, event)) takenIds.add(id);
      }
    }
    const states = allStateIds(projectMachine);
    const transitions = allTransitionIds(projectMachine);
    const line = `statechart coverage: states ${states.filter((id) => visitedStates.has(id)).length}/${states.length}, transitions ${transitions.filter((id) => takenIds.has(id)).length}/${transitions.length}`;
    console.log(`${line} (${reachable.length} abstract states explored)`);
    expect(states.filter((id) => !visitedStates.has(id))).toEqual([]);
    expect(transitions.filter((id) => !takenIds.has(id))).toEqual([]);
  });

  it('judges every event in every state as ownership and the machine do, and refuses every other role', () => {
    const roles = Object.keys(actors) as Role[];
    for (const snapshot of reachable.filter((_, i) => i % 3 === 0)) {
      for (const event of events) {
        const { type, actor, at, ...payload } = event;
        const verdict = judge(snapshot, { type, actor, payload }, at);
        const notTheirs = ownershipProblem(snapshot.context, type, actor, payload);
        expect(verdict.ok).toBe(!notTheirs && snapshot.can(event));
        if (!verdict.ok) expect(verdict.code).toBe(notTheirs ? 'FORBIDDEN' : 'ILLEGAL_TRANSITION');
        for (const role of roles.filter((r) => !projectEventRoles[type].includes(r))) {
          const wrong = judge(snapshot, { type, actor: actors[role], payload }, at);
          expect(wrong).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED' });
        }
      }
    }
  });

  it('refuses, in every state, a PI, institution or reviewer acting on a project that is not theirs', () => {
    const impostors: Partial<Record<Role, { role: Role; id: string }>> = {
      pi: { role: 'pi', id: 'pi-chen' },
      institution: { role: 'institution', id: 'NCKU' },
      reviewer: { role: 'reviewer', id: 'rev-9' },
    };
    let refused = 0;
    for (const snapshot of reachable) {
      for (const event of events) {
        const { type, actor, at, ...payload } = event;
        const impostor = impostors[actor.role];
        if (!impostor) continue;
        expect(judge(snapshot, { type, actor: impostor, payload }, at)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(reachable.length);
  });
});

describe('invariants over every explored transition and every shortest path', () => {
  const edges: [Snapshot, ProjectEvent, Snapshot][] = [];
  for (const snapshot of reachable) {
    for (const event of events) {
      if (snapshot.can(event)) edges.push([snapshot, event, transition(projectMachine, snapshot, event)[0]]);
    }
  }

  it('pays no tranche before the contract is signed', () => {
    for (const [before, event] of edges) {
      if (event.type === 'tranche.request' || event.type === 'tranche.pay') {
        // A tranche carried past the last year's end is still paid while the project closes (law v2).
        expect(before.matches('execution') || (event.type === 'tranche.pay' && before.matches('closing') && !!before.context.carriedTranche)).toBe(true);
        expect(before.context.contractNumber).not.toBeNull();
      }
    }
  });

  it("releases no tranche of year n+1 before year n's progress report is accepted", () => {
    for (const [before, event, after] of edges) {
      if (event.type === 'tranche.request') {
        const year = before.context.projectYear;
        if (year > 1) expect(before.context.acceptedReports).toContain(year - 1);
        expect(after.context.pendingTranche).not.toBeNull();
      }
    }
  });

  it('never runs more than 3 execution years in a phase, nor more than 2 phases', () => {
    for (const s of reachable) {
      expect(s.context.projectYear).toBeLessThanOrEqual(alliance105.policy.maxYearsPerPhase);
      expect(s.context.application.phase.phase).toBeLessThanOrEqual(alliance105.policy.maxPhases);
    }
    expect(reachable.some((s) => s.context.projectYear === 3)).toBe(true);
  });

  it('approves only after the presentation review or its recorded waiver (law v2)', () => {
    const approved = reachable.filter((s) => s.matches('approved'));
    expect(approved.length).toBeGreaterThan(0);
    for (const s of approved) expect(s.context.presentation?.panelScore !== undefined || !!s.context.presentationWaiver).toBe(true);
  });

  it('records no review and assigns no reviewer once the round is closed (law v2)', () => {
    for (const [before, event] of edges) {
      if (event.type === 'review.record' || event.type === 'reviewer.assign') expect(before.context.reviewClosedAt ?? null).toBeNull();
    }
  });

  it('leaves no project undecided after the announcement (law v2)', () => {
    const announced = edges.filter(([, event]) => event.type === 'decision.announce');
    expect(announced.length).toBeGreaterThan(0);
    for (const [, , after] of announced) {
      expect(['approved', 'rejected']).toContain(after.value);
      if (after.matches('rejected')) expect(after.context.decision).toMatchObject({ outcome: 'rejected' });
    }
  });

  it('reaches closed only after the closing report is accepted', () => {
    const closed = reachable.filter((s) => s.matches('closed'));
    expect(closed.length).toBeGreaterThan(0);
    for (const s of closed) expect(s.context.closingReports.at(-1)?.outcome).toBe('accepted');
  });

  it('accepts nothing more once rejected, lapsed, withdrawn, closed or terminated', () => {
    const ended = reachable.filter((s) => terminal.some((t) => s.matches(t)));
    expect(new Set(ended.map((s) => s.value as string))).toEqual(new Set<string>(terminal));
    for (const s of ended) for (const event of events) expect(s.can(event)).toBe(false);
  });

  it('holds along every shortest path from the initial state', () => {
    const paths = getShortestPaths(projectMachine, { events, serializeState: abstractState, input, limit: 1_000_000 });
    expect(paths.length).toBe(reachable.length);
    for (const path of paths) {
      let paidYears = new Set<number>();
      for (const step of path.steps) {
        const s = step.state;
        paidYears = new Set(s.context.disbursements.map((d) => d.year));
        for (const year of paidYears) if (year > 1) expect(s.context.acceptedReports).toContain(year - 1);
        if (s.context.disbursements.length > 0) expect(s.context.contractNumber).not.toBeNull();
      }
    }
  });
});
