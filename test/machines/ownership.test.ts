import { initialTransition } from 'xstate';
import type { ProjectEventType } from '../../domain/project-events';
import { apply, judge, type ProjectSnapshot } from '../../machines/judge';
import { registrationProblem, rosterProblem } from '../../machines/ownership';
import { projectMachine } from '../../machines/project-machine';
import { projectInput } from '../fixtures/project-input';
import { anApplication } from '../fixtures/applications';
import { actors, anEvent, AT } from '../fixtures/project-events';

const start = (): ProjectSnapshot => initialTransition(projectMachine, projectInput())[0];

function drive(types: ProjectEventType[]): ProjectSnapshot {
  return types.reduce((s, type) => {
    const { type: t, actor, at, ...payload } = anEvent(type);
    const verdict = judge(s, { type: t, actor, payload }, at);
    if (!verdict.ok) throw new Error(`${type} refused: ${verdict.message}`);
    return apply(s, verdict.event);
  }, start());
}

const send = (s: ProjectSnapshot, type: ProjectEventType, actor: { role: 'pi' | 'institution' | 'reviewer' | 'office'; id: string }, payload?: object) => {
  const { type: _t, actor: _a, at: _at, ...defaults } = anEvent(type);
  return judge(s, { type, actor, payload: payload ?? defaults }, AT);
};

describe('ownership: whose project it is', () => {
  it("refuses another PI's withdrawal, submission, consent and reports with FORBIDDEN", () => {
    const draft = start();
    for (const type of ['application.withdraw', 'application.submit'] as const) {
      expect(send(draft, type, { role: 'pi', id: 'pi-chen' })).toMatchObject({
        ok: false,
        code: 'FORBIDDEN',
        message: expect.stringContaining('does not name pi-chen as its PI'),
      });
      expect(send(draft, type, actors.pi as never).ok).toBe(true);
    }
    const contracting = drive([
      'application.submit',
      'endorsement.record',
      'review.start',
      'reviewer.assign',
      'review.record',
      'presentation.invite',
      'presentation.schedule',
      'presentation.record',
      'decision.record',
      'decision.announce',
      'contract.issue',
    ]);
    expect(send(contracting, 'consent.sign', { role: 'pi', id: 'pi-chen' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('refuses an update that hands the application to another PI or institution', () => {
    const other = anApplication({ pi: { ...anApplication().pi, id: 'pi-chen' } });
    expect(send(start(), 'application.update', actors.pi as never, { application: other })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
      message: expect.stringContaining('cannot be handed to another PI'),
    });
    const moved = anApplication({ institution: { ...anApplication().institution, id: 'NCKU' } });
    expect(send(start(), 'application.update', actors.pi as never, { application: moved })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(send(start(), 'application.update', actors.pi as never, { application: anApplication({ title: '新標題' }) }).ok).toBe(true);
  });

  it("refuses an update that drops or redirects the research office's address, so the institution still hears of its application", () => {
    const { researchOfficeEmail: _dropped, ...withoutAddress } = anApplication().institution;
    for (const institution of [withoutAddress, { ...anApplication().institution, researchOfficeEmail: 'pi-lin@example.com' }]) {
      expect(send(start(), 'application.update', actors.pi as never, { application: anApplication({ institution }) })).toMatchObject({
        ok: false,
        code: 'FORBIDDEN',
        message: expect.stringContaining('told at the address registered with application TE2-0001 (rd@ntu.edu.tw)'),
      });
    }
  });

  it('lets an assigned reviewer step down before reviewing, never after, and not be assigned to it again', () => {
    const inReview = drive(['application.submit', 'endorsement.record', 'review.start', 'reviewer.assign']);
    const decline = { reason: 'Co-author of the PI', conflict: true };
    expect(send(inReview, 'review.decline', { role: 'reviewer', id: 'rev-2' }, decline)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const verdict = send(inReview, 'review.decline', actors.reviewer as never, decline);
    if (!verdict.ok) throw new Error(verdict.message);
    const stepped = apply(inReview, verdict.event);
    expect(stepped.context.reviewers).toEqual([]);
    expect(stepped.context.declinedReviews).toEqual([expect.objectContaining({ reviewerId: 'rev-1', conflict: true })]);
    expect(send(stepped, 'reviewer.assign', actors.office as never, { reviewerId: 'rev-1' })).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    const reviewed = drive(['application.submit', 'endorsement.record', 'review.start', 'reviewer.assign', 'review.record']);
    expect(send(reviewed, 'review.decline', actors.reviewer as never, decline)).toMatchObject({
      ok: false,
      code: 'ILLEGAL_TRANSITION',
      message: expect.stringContaining('a recorded review is not withdrawn'),
    });
  });
});

describe('ownership: whose endorsement, review and registration it is', () => {
  it("refuses another institution's endorsement, contract signature and tranche request", () => {
    const submitted = drive(['application.submit']);
    expect(send(submitted, 'endorsement.record', { role: 'institution', id: 'NCKU' })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
      message: expect.stringContaining('was not filed through institution NCKU'),
    });
    const executing = drive([
      'application.submit',
      'endorsement.record',
      'review.start',
      'reviewer.assign',
      'review.record',
      'presentation.invite',
      'presentation.schedule',
      'presentation.record',
      'decision.record',
      'decision.announce',
      'contract.issue',
      'contract.sign',
      'consent.sign',
    ]);
    expect(send(executing, 'tranche.request', { role: 'institution', id: 'NCKU' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(send(executing, 'tranche.request', actors.institution as never).ok).toBe(true);
  });

  it('lets only an assigned reviewer record, and refuses a conflicted assignment', () => {
    const inReview = drive(['application.submit', 'endorsement.record', 'review.start', 'reviewer.assign']);
    expect(send(inReview, 'review.record', { role: 'reviewer', id: 'rev-2' })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
      message: expect.stringContaining('not assigned'),
    });
    expect(send(inReview, 'review.record', actors.reviewer as never).ok).toBe(true);
    expect(send(inReview, 'reviewer.assign', actors.office as never, { reviewerId: 'rev-3', institutionId: 'NTU' })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
      message: expect.stringContaining('conflict of interest'),
    });
    expect(
      send(inReview, 'reviewer.assign', actors.office as never, { reviewerId: 'rev-4', institutionId: 'NCKU', conflicts: { applicationIds: ['TE2-0001'] } }),
    ).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(
      send(inReview, 'reviewer.assign', actors.office as never, { reviewerId: 'rev-5', institutionId: 'NCKU', conflicts: { institutionIds: ['NTU'] } }),
    ).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(send(inReview, 'reviewer.assign', actors.office as never, { reviewerId: 'rev-6', institutionId: 'NCKU' }).ok).toBe(true);
  });

  it('checks whose project it is before the state: a stranger learns nothing of where it stands', () => {
    const ended = drive(['application.withdraw']);
    expect(send(ended, 'application.submit', { role: 'pi', id: 'pi-chen' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('lets only the named PI register an application, and an institution endorse only its own', () => {
    expect(registrationProblem({ role: 'pi', id: 'pi-lin' }, anApplication())).toBeNull();
    expect(registrationProblem({ role: 'pi', id: 'pi-chen' }, anApplication())).toMatch(/only the PI it names may register it/);
    expect(rosterProblem({ role: 'institution', id: 'NTU' }, { applicationId: 'TE2-0001', institutionId: 'NTU' })).toBeNull();
    expect(rosterProblem({ role: 'institution', id: 'NCKU' }, { applicationId: 'TE2-0001', institutionId: 'NTU' })).toMatch(/only its own applicants/);
  });
});

describe('refusals tell no more than the view', () => {
  it('does not name the owner of a project to someone who is not its owner', () => {
    const refused = send(start(), 'application.withdraw', { role: 'pi', id: 'pi-chen' }, { reason: 'x' });
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).not.toMatch(/pi-lin|NTU/);
  });

  it('does not tell an applicant which review step the project is at before the announcement', () => {
    const inReview = drive(['application.submit', 'endorsement.record', 'review.start', 'reviewer.assign']);
    const rejection = send(inReview, 'decision.record', actors.office as never, { outcome: 'rejected', reason: '未獲推薦' });
    if (!rejection.ok) throw new Error(rejection.message);
    const decided = apply(inReview, rejection.event);
    const refused = send(decided, 'application.submit', actors.pi as never);
    expect(refused).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(JSON.stringify(refused)).not.toMatch(/finalDecision|decided|writtenReview/);
    expect(JSON.stringify(send(decided, 'presentation.invite', actors.office as never))).toMatch(/finalDecision/);
  });
});
