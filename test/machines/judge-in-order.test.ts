import { initialTransition } from 'xstate';
import { judgeInOrder, type ProjectSnapshot } from '../../machines/judge';
import { projectMachine } from '../../machines/project-machine';
import { statePaths } from '../../machines/state-names';
import { projectInput } from '../fixtures/project-input';
import { actors, AT } from '../fixtures/project-events';

const draft = (): ProjectSnapshot => initialTransition(projectMachine, projectInput())[0];
const submitAndEndorse = [
  { type: 'application.submit', actor: actors.pi, payload: {} },
  { type: 'endorsement.record', actor: actors.institution, payload: { rosterId: 'NTU-R1', letterReference: 'NTU-L1' } },
];

describe('judgeInOrder: a batch judged command by command', () => {
  it('judges each command against the state the ones before it leave, and returns every step', () => {
    const verdict = judgeInOrder(draft(), submitAndEndorse, AT, { fromOutside: true });
    if (!verdict.ok) throw new Error(verdict.message);
    expect(verdict.steps.map((s) => s.event.type)).toEqual(['application.submit', 'endorsement.record']);
    // Each step starts where the one before ended; the draft itself is untouched.
    expect(verdict.steps[1]!.before).toBe(verdict.steps[0]!.after);
    expect(statePaths(verdict.steps[0]!.before.value)).toEqual(statePaths(draft().value));
  });

  it('answers the first refusal, naming which command of the batch it was and keeping its code', () => {
    // The review cannot start on a draft, only once the application is in and endorsed: order matters.
    const reviewStart = { type: 'review.start', actor: actors.office, payload: {} };
    expect(judgeInOrder(draft(), [...submitAndEndorse, reviewStart], AT, { fromOutside: true }).ok).toBe(true);
    const reversed = judgeInOrder(draft(), [reviewStart, ...submitAndEndorse], AT, { fromOutside: true });
    expect(reversed).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION', message: expect.stringMatching(/^command 1 of 3 \(review\.start\): /) });
    const twice = judgeInOrder(draft(), [...submitAndEndorse, submitAndEndorse[0]!], AT, { fromOutside: true });
    expect(twice).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION', message: expect.stringMatching(/^command 3 of 3 \(application\.submit\): /) });
    const asSystem = judgeInOrder(draft(), [{ ...submitAndEndorse[0]!, actor: { role: 'system', id: 'timer' } }], AT, { fromOutside: true });
    expect(asSystem).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED' });
    // From outside, a person's command carries who authenticated them: one without is refused, the batch with it.
    const { via: _via, ...withoutLogIn } = actors.institution;
    const around = judgeInOrder(draft(), [submitAndEndorse[0]!, { ...submitAndEndorse[1]!, actor: withoutLogIn }], AT, { fromOutside: true });
    expect(around).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
      message: expect.stringMatching(/^command 2 of 2 \(endorsement\.record\): .*carries no log-in/),
    });
  });
});
