// Everyone's to-do list, as the law gives it: each pending deadline of a project asks one role for
// one command; a reviewer is asked only for the reviews they still owe.
import { initialTransition } from 'xstate';
import { alliance105 } from '../../domain/calls';
import type { Actor } from '../../domain/actor';
import type { ProjectEventType } from '../../domain/project-events';
import { pendingDeadlines } from '../../machines/deadlines';
import { apply, judge, type ProjectSnapshot } from '../../machines/judge';
import { projectMachine } from '../../machines/project-machine';
import { lifecycleState, statePaths } from '../../machines/state-names';
import { byDue, todoFor } from '../../machines/todo';
import type { ProjectView } from '../../machines/views';
import { actors, anEvent } from '../fixtures/project-events';
import { anyTimePolicy, projectInput } from '../fixtures/project-input';

const rev2: Actor = { role: 'reviewer', id: 'rev-2', via: { issuer: 'https://idp.example', subject: 'rev-2' } };
const stranger: Actor = { role: 'pi', id: 'pi-chen', via: { issuer: 'https://idp.example', subject: 'pi-chen' } };

/** The project after `steps`, as the workflow's view holds it: its deadlines from the same plan its timers keep. */
function viewAfter(steps: (ProjectEventType | [ProjectEventType, Actor, Record<string, unknown>?])[]): ProjectView {
  let s: ProjectSnapshot = initialTransition(projectMachine, projectInput({ policy: anyTimePolicy }))[0];
  for (const step of steps) {
    const [type, actor, payload] = typeof step === 'string' ? [step, undefined, undefined] : step;
    const { type: t, actor: defaultActor, at, ...defaults } = anEvent(type, payload);
    const verdict = judge(s, { type: t, actor: actor ?? defaultActor, payload: payload ?? defaults }, at);
    if (!verdict.ok) throw new Error(`${type} refused: ${verdict.message}`);
    s = apply(s, verdict.event);
  }
  return {
    workflowId: 'project:alliance-105:TE2-0001',
    lifecycle: lifecycleState(s.value),
    states: statePaths(s.value),
    done: false,
    overdue: false,
    projectYear: s.context.projectYear,
    deadlines: pendingDeadlines(s, alliance105.calendar),
    context: s.context,
  };
}

describe("the law's to-do list", () => {
  it('asks the PI to submit a draft before the application deadline, and nobody else', () => {
    const draft = viewAfter([]);
    expect(todoFor(actors.pi, draft)).toEqual([
      { projectId: draft.workflowId, command: 'application.submit', deadline: 'deadline.application', due: alliance105.calendar.applicationWindow.closes },
    ]);
    for (const other of [actors.institution, actors.reviewer, actors.office, stranger]) expect(todoFor(other, draft)).toEqual([]);
  });

  it('asks the institution to endorse a submitted application, then the PI nothing until there is something to do', () => {
    const submitted = viewAfter(['application.submit']);
    expect(todoFor(actors.institution, submitted).map((i) => [i.command, i.due])).toEqual([['endorsement.record', alliance105.calendar.endorsementDeadline]]);
    expect(todoFor(actors.pi, submitted)).toEqual([]);
  });

  it('asks each assigned reviewer for the review they still owe, until they record it', () => {
    const steps: Parameters<typeof viewAfter>[0] = [
      'application.submit',
      'endorsement.record',
      'review.start',
      'reviewer.assign',
      ['reviewer.assign', actors.office, { reviewerId: 'rev-2' }],
    ];
    const assigned = viewAfter(steps);
    const due = assigned.deadlines.find((d) => d.event === 'deadline.writtenReview')!.at;
    for (const reviewer of [actors.reviewer, rev2])
      expect(todoFor(reviewer, assigned)).toEqual([{ projectId: assigned.workflowId, command: 'review.record', deadline: 'deadline.writtenReview', due }]);
    const oneRecorded = viewAfter([...steps, 'review.record']);
    expect(todoFor(actors.reviewer, oneRecorded)).toEqual([]);
    expect(todoFor(rev2, oneRecorded)).toHaveLength(1);
    expect(todoFor({ ...rev2, id: 'rev-3' }, oneRecorded)).toEqual([]);
    expect(todoFor(actors.pi, oneRecorded)).toEqual([]);
  });

  it('orders a list soonest first', () => {
    const item = (projectId: string, due: string) => ({ projectId, command: 'review.record' as const, deadline: 'deadline.writtenReview' as const, due });
    expect(
      [item('b', '2027-02-01T00:00:00.000Z'), item('c', '2027-01-01T00:00:00.000Z'), item('a', '2027-02-01T00:00:00.000Z')].sort(byDue).map((i) => i.projectId),
    ).toEqual(['c', 'a', 'b']);
  });
});
