import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CallClient } from '../../gateway/calls';
import { alliance105 } from '../../domain/calls';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { person } from '../fixtures/people';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, waitForProject, withServiceWorker } from '../helpers/project-harness';

jest.setTimeout(180_000);
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const pool: unknown = JSON.parse(readFileSync(path.resolve(__dirname, '../../examples/reviewers.json'), 'utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const roster = (rosterId: string, applicationIds: string[]) => ({ rosterId, letterReference: `臺大研字第${rosterId}號`, applicationIds });

/**
 * One call under law v2, through the call workflow as the office and the institutions drive it:
 * rosters before submission and amended rosters, a round that binds when closed, an announcement
 * that decides every endorsed project.
 */
it('endorses before submission, amends a roster, binds a closed round and decides every project at the announcement', async () => {
  const callId = uniqueName('law-v2');
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 25,
      endorsementIn: 30,
      firstYearStartsIn: 3600,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
      writtenReviewPeriod: 'PT30M',
    },
    callId,
  );
  const taskQueue = uniqueName('law-v2');
  await withServiceWorker(env, bundle, taskQueue, async (projects) => {
    const calls = new CallClient(env.client, taskQueue);
    await calls.open(call, pool);
    const register = (id: string) => calls.registerApplication(callId, actors.pi, anApplication({ id }));
    const [early, lapsing] = [await register('TE2-0001'), await register('TE2-0002')];

    // The roster comes while its applicants still draft: kept, and applied when each submits.
    const first = await calls.submitRoster(callId, actors.institution, roster('1050012345', ['TE2-0001', 'TE2-0002']));
    expect(first).toMatchObject({ applied: 2, skipped: [] });
    expect((await projects.send(early, 'application.submit', actors.pi, {})).lifecycle).toBe('endorsed');

    // An application registered after the roster: the institution amends its roster before the deadline.
    const late = await register('TE2-0003');
    expect(await calls.submitRoster(callId, actors.institution, roster('1050012399', ['TE2-0003']))).toMatchObject({ applied: 1, skipped: [] });
    expect((await projects.send(late, 'application.submit', actors.pi, {})).lifecycle).toBe('endorsed');

    // Past both deadlines: the unsubmitted one lapsed, endorsed or not.
    while ((await calls.status(callId)).state !== 'endorsementsClosed') await sleep(500);
    await waitForProject(projects, lapsing, (v) => v.lifecycle === 'lapsed');

    await calls.startWrittenReview(callId, actors.office);
    const view = await projects.view(early);
    const [firstReviewer, secondReviewer] = view.context.reviewers;
    await projects.send(early, 'review.record', person('reviewer', firstReviewer!), { score: 88, recommendation: 'fund', comments: 'Credible plan' });

    // Closing one division's round leaves the round of the whole call open; closing that one binds.
    expect(await calls.closeWrittenReview(callId, actors.office, 'TE2')).toEqual([]);
    expect((await calls.status(callId)).rounds.find((r) => r.scope === 'all')?.closedAt).toBeNull();
    const [closed] = await calls.closeWrittenReview(callId, actors.office);
    expect(closed?.scope).toBe('all');
    await expect(
      projects.send(early, 'review.record', person('reviewer', secondReviewer!), { score: 20, recommendation: 'doNotFund', comments: 'Too late' }),
    ).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION', message: expect.stringMatching(/late reviews are not recorded/) as unknown });
    expect((await projects.view(early)).context.reviews).toHaveLength(1);

    await calls.invitePresentations(callId, actors.office, { applicationIds: ['TE2-0001'] });
    await calls.schedulePresentations(callId, actors.office, new Date(Date.now() + 60_000).toISOString());
    await projects.send(early, 'presentation.record', actors.office, { panelScore: 86, comments: 'Convincing' });
    await projects.send(early, 'decision.record', actors.office, { outcome: 'approved', amountsNtd: [2_000_000, 2_000_000, 2_000_000] });
    await calls.startDecisionMeeting(callId, actors.office);
    const announced = await calls.announce(callId, actors.office);
    expect(announced).toMatchObject({ applied: 2 });

    expect((await projects.view(early)).lifecycle).toBe('approved');
    const notInvited = await projects.view(late);
    expect(notInvited.lifecycle).toBe('rejected');
    expect(notInvited.context.decision).toMatchObject({ outcome: 'rejected', reason: 'not invited to the presentation review' });
    await Promise.all(
      [early, late].map((id) =>
        projects
          .handle(id)
          .terminate('test finished')
          .catch(() => undefined),
      ),
    );
  });
});

it("moves the call's application deadline for every project (a typhoon day), recorded with who and why", async () => {
  const callId = uniqueName('typhoon');
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 12,
      endorsementIn: 60,
      firstYearStartsIn: 3600,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    callId,
  );
  const taskQueue = uniqueName('typhoon');
  await withServiceWorker(env, bundle, taskQueue, async (projects) => {
    const calls = new CallClient(env.client, taskQueue);
    await calls.open(call, pool);
    const draft = await calls.registerApplication(callId, actors.pi, anApplication({ id: 'TE2-0001' }));
    const until = new Date(Date.now() + 25_000).toISOString();
    const reason = '颱風停班停課：申請截止延後';

    // Refused, nothing moved: a time already past, a time after the endorsement deadline, a PI.
    await expect(
      calls.amendDeadline(callId, actors.office, { deadline: 'application', until: new Date(Date.now() - 1000).toISOString(), reason }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      calls.amendDeadline(callId, actors.office, { deadline: 'application', until: call.calendar.reviewPeriod.closes, reason }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(calls.amendDeadline(callId, actors.pi, { deadline: 'application', until, reason })).rejects.toMatchObject({ code: 'ROLE_NOT_ALLOWED' });
    expect((await calls.status(callId)).amendments).toBeUndefined();

    expect(await calls.amendDeadline(callId, actors.office, { deadline: 'application', until, reason })).toMatchObject({ applied: 1, skipped: [] });
    const status = await calls.status(callId);
    expect(status.calendar?.applicationWindow.closes).toBe(until);
    expect(status.amendments).toEqual([
      expect.objectContaining({ deadline: 'application', until, reason, by: expect.objectContaining(actors.office) as unknown }),
    ]);
    expect((await projects.view(draft)).context.deadlineAmendments).toEqual([expect.objectContaining({ deadline: 'application', until, reason })]);

    // Past the old deadline: the call still takes applications and the draft has not lapsed.
    while (Date.now() < Date.parse(call.calendar.applicationWindow.closes) + 2000) await sleep(500);
    expect((await calls.status(callId)).state).toBe('open');
    const registeredLate = await calls.registerApplication(callId, actors.pi, anApplication({ id: 'TE2-0002' }));
    expect((await projects.view(registeredLate)).deadlines[0]).toMatchObject({ event: 'deadline.application', at: until });
    expect((await projects.view(draft)).lifecycle).toBe('draft');

    // Past the new one: both lapse, the call closes to applications.
    const lapsed = await waitForProject(projects, draft, (v) => v.lifecycle === 'lapsed', 40_000);
    expect(lapsed.context.endReason).toMatch(/^not submitted by the application deadline/);
    await waitForProject(projects, registeredLate, (v) => v.lifecycle === 'lapsed', 10_000);
    expect((await calls.status(callId)).state).toBe('applicationsClosed');
  });
});
