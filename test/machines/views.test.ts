import { searchedInstitution } from '../../machines/access';
import { initialTransition } from 'xstate';
import type { Actor } from '../../domain/actor';
import type { ProjectEventType } from '../../domain/project-events';
import { apply, judge, type ProjectSnapshot } from '../../machines/judge';
import { projectMachine } from '../../machines/project-machine';
import { lifecycleState, statePaths } from '../../machines/state-names';
import { callViewFor, projectViewFor, transitionLogFor, type ProjectView, type TransitionLogEntry } from '../../machines/views';
import { anyTimePolicy, projectInput } from '../fixtures/project-input';
import { actors, anEvent } from '../fixtures/project-events';

const rev2: Actor = { role: 'reviewer', id: 'rev-2' };

/** Drives the project as the office and owners would, keeping the log the workflow keeps. */
function drive(steps: (ProjectEventType | [ProjectEventType, Actor, Record<string, unknown>?])[], policy = anyTimePolicy) {
  let s: ProjectSnapshot = initialTransition(projectMachine, projectInput({ policy }))[0];
  const log: TransitionLogEntry[] = [];
  for (const step of steps) {
    const [type, actor, payload] = typeof step === 'string' ? [step, undefined, undefined] : step;
    const { type: t, actor: defaultActor, at, ...defaults } = anEvent(type, payload);
    const verdict = judge(s, { type: t, actor: actor ?? defaultActor, payload: payload ?? defaults }, at);
    if (!verdict.ok) throw new Error(`${type} refused: ${verdict.message}`);
    const next = apply(s, verdict.event);
    log.push({ seq: log.length + 1, at, actor: verdict.event.actor, event: type, from: statePaths(s.value), to: statePaths(next.value) });
    s = next;
  }
  const view: ProjectView = {
    workflowId: 'p',
    lifecycle: lifecycleState(s.value),
    states: statePaths(s.value),
    done: false,
    overdue: false,
    projectYear: 0,
    deadlines: [],
    context: s.context,
  };
  return { view, log };
}

const reviewed: Parameters<typeof drive>[0] = [
  'application.submit',
  'endorsement.record',
  'review.start',
  'reviewer.assign',
  ['reviewer.assign', actors.office, { reviewerId: 'rev-2' }],
  'review.record',
  ['review.record', rev2, { score: 64, recommendation: 'doNotFund', comments: 'Members unconvincing' }],
  'presentation.invite',
  'presentation.schedule',
  'presentation.record',
  'decision.record',
];
const secrets = ['rev-1', 'rev-2', 'Strong alliance plan', 'Members unconvincing', 'Convincing'];

describe('views: what each role may read', () => {
  it('shows a PI their project before the announcement with no reviewer id, score, comment or decision (raw JSON)', () => {
    const { view, log } = drive(reviewed);
    for (const viewer of [actors.pi, actors.institution]) {
      const raw = JSON.stringify([projectViewFor(viewer, view), transitionLogFor(viewer, view, log)]);
      for (const secret of secrets) expect(raw).not.toContain(secret);
      expect(raw).not.toMatch(/"score"|"panelScore"|amountsNtd|"decided"/);
      expect(projectViewFor(viewer, view)!.context.decision).toBeNull();
      expect(projectViewFor(viewer, view)!.context.presentation).toMatchObject({ slot: expect.any(String), venue: 'Room 1701' });
    }
  });

  it('keeps a waived presentation from the applicant until the announcement (law v2)', () => {
    const waived = ['application.submit', 'endorsement.record', 'review.start', 'reviewer.assign', 'review.record', 'presentation.waive'] as const;
    const { view, log } = drive([...waived]);
    for (const viewer of [actors.pi, actors.institution]) {
      const raw = JSON.stringify([projectViewFor(viewer, view), transitionLogFor(viewer, view, log)]);
      expect(raw).not.toMatch(/presentation\.waive|Presented in the same call last year/);
    }
    expect(projectViewFor(actors.office, view)!.context.presentationWaiver).toMatchObject({ reason: 'Presented in the same call last year' });
  });

  it("hides the written review's deadline and closing from the applicant until the announcement (law v2)", () => {
    const { view, log } = drive(['application.submit', 'endorsement.record', 'review.start', 'reviewer.assign', 'review.close']);
    const withDeadline = { ...view, deadlines: [{ event: 'deadline.writtenReview' as const, at: '2016-10-01T00:00:00.000Z', label: 'written review' }] };
    expect(projectViewFor(actors.pi, withDeadline)!.deadlines).toEqual([]);
    expect(transitionLogFor(actors.pi, view, log)!.map((e) => e.event)).not.toContain('review.close');
    expect(projectViewFor(actors.office, withDeadline)!.deadlines).toHaveLength(1);
  });

  it('shows the applicant scores and comments after the announcement, reviewers still unnamed', () => {
    const { view, log } = drive([...reviewed, 'decision.announce']);
    const shaped = projectViewFor(actors.pi, view)!;
    expect(shaped.context.reviews.map((r) => [r.reviewerId, r.score, r.comments])).toEqual([
      ['reviewer-1', 82, 'Strong alliance plan'],
      ['reviewer-2', 64, 'Members unconvincing'],
    ]);
    expect(shaped.context.decision).toMatchObject({ outcome: 'approved' });
    const raw = JSON.stringify([shaped, transitionLogFor(actors.pi, view, log)]);
    expect(raw).not.toMatch(/rev-1|rev-2/);
  });

  it("follows the call's disclosure policy: 'never' keeps scores from the applicant even after the announcement", () => {
    const policy = { ...anyTimePolicy, disclosure: { reviewsToApplicant: 'never' as const, otherReviewsToReviewer: 'never' as const } };
    const { view } = drive([...reviewed, 'decision.announce'], policy);
    expect(projectViewFor(actors.pi, view)!.context.reviews).toEqual([]);
    expect(projectViewFor(actors.pi, view)!.context.presentation).not.toHaveProperty('panelScore');
    expect(projectViewFor(actors.reviewer, view)!.context.reviews.map((r) => r.reviewerId)).toEqual(['rev-1']);
  });

  it('shows a reviewer no other review until their own is recorded, then the others unnamed', () => {
    const before = drive(reviewed.slice(0, 6)).view; // rev-1 recorded, rev-2 not yet
    expect(projectViewFor(rev2, before)!.context.reviews).toEqual([]);
    expect(JSON.stringify(projectViewFor(rev2, before))).not.toContain('Strong alliance plan');
    expect(projectViewFor(actors.reviewer, before)!.context.reviews).toHaveLength(1);
    const after = drive(reviewed.slice(0, 7)).view;
    expect(projectViewFor(rev2, after)!.context.reviews.map((r) => [r.reviewerId, r.score])).toEqual([
      ['reviewer-1', 82],
      ['rev-2', 64],
    ]);
    expect(projectViewFor(rev2, after)!.context.reviewers).toEqual(['rev-2']);
  });

  it('refuses strangers: another PI, another institution, an unassigned reviewer', () => {
    const { view, log } = drive(reviewed);
    for (const stranger of [
      { role: 'pi', id: 'pi-chen' },
      { role: 'institution', id: 'NCKU' },
      { role: 'reviewer', id: 'rev-9' },
      { role: 'system', id: 'x' },
    ] as Actor[]) {
      expect(projectViewFor(stranger, view)).toBeNull();
      expect(transitionLogFor(stranger, view, log)).toBeNull();
    }
  });

  it('shows the office and auditors everything', () => {
    const { view, log } = drive(reviewed);
    expect(projectViewFor(actors.office, view)).toBe(view);
    expect(projectViewFor(actors.auditor, view)).toBe(view);
    expect(transitionLogFor(actors.auditor, view, log)).toBe(log);
  });

  it("shapes a call's status: no one outside the office learns who reviews what", () => {
    const call = {
      projects: [
        { applicationId: 'A', institutionId: 'NTU', piId: 'pi-lin' },
        { applicationId: 'B', institutionId: 'NCKU', piId: 'pi-chen' },
      ],
      rosters: [{ institutionId: 'NTU' }, { institutionId: 'NCKU' }],
      assignments: { A: ['rev-1', 'rev-2'], B: ['rev-2'] },
      rounds: [
        {
          missing: [
            { projectId: 'project:c:A', reviewerId: 'rev-1' },
            { projectId: 'project:c:B', reviewerId: 'rev-2' },
          ],
        },
      ],
      invited: ['A', 'B'],
      slots: { A: 'x', B: 'y' },
      operations: [{ by: actors.institution }, { by: actors.office }],
    };
    expect(callViewFor(actors.office, call)).toBe(call);
    const ntu = callViewFor(actors.institution, call);
    expect(ntu).toMatchObject({
      projects: [{ applicationId: 'A' }],
      rosters: [{ institutionId: 'NTU' }],
      assignments: {},
      invited: ['A'],
      slots: { A: 'x' },
      operations: [{ by: actors.institution }],
    });
    expect(JSON.stringify(ntu)).not.toMatch(/rev-/);
    expect(callViewFor(actors.pi, call).projects).toEqual([call.projects[0]]);
    const r1 = callViewFor(actors.reviewer, call);
    expect(r1.assignments).toEqual({ A: ['rev-1'] });
    expect(JSON.stringify(r1)).not.toContain('rev-2');
  });
});

it('keeps who authenticated (issuer, subject, session) for the office and auditors', () => {
  const via = { issuer: 'https://login.example', subject: 'staff-subject-1', session: 's-1' };
  const office = { ...actors.office, via };
  const { view, log } = drive(['application.submit', 'endorsement.record', ['review.start', office], ['reviewer.assign', office, { reviewerId: 'rev-1' }]]);
  expect(JSON.stringify([projectViewFor(actors.pi, view), transitionLogFor(actors.pi, view, log)])).not.toContain('staff-subject-1');
  expect(JSON.stringify(transitionLogFor(actors.auditor, view, log))).toContain('staff-subject-1');
});

describe('whose projects a search returns', () => {
  it("an institution's search is its own, whatever it names; the office's and auditors' what they name", () => {
    expect(searchedInstitution({ role: 'institution', id: 'NTU' }, 'NCKU')).toBe('NTU');
    expect(searchedInstitution({ role: 'institution', id: 'NTU' }, undefined)).toBe('NTU');
    expect(searchedInstitution({ role: 'office', id: 'office-kao' }, 'NCKU')).toBe('NCKU');
    expect(searchedInstitution({ role: 'auditor', id: 'auditor-wu' }, undefined)).toBeUndefined();
  });
});
