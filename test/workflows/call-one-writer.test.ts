import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { ApiClient } from '../../client/api-client';
import { alliance105 } from '../../domain/calls';
import { formatRocDate, formatTaipeiIso } from '../../domain/roc-date';
import reviewerPool from '../../examples/reviewers.json';
import { anApplication } from '../fixtures/applications';
import { startApi, tokenFor } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, withServiceWorker } from '../helpers/project-harness';

jest.setTimeout(240_000);
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The call is the one writer of what it decides: an endorsement, a reviewer assigned by hand and a
 * presentation invited by hand, sent on a project's own route, reach the call like its rosters and
 * bulk operations do — so the call reviews, chases, schedules and announces them like any other.
 * Each sequence here failed before the call kept them (issue: the call's law).
 */
/** Four applications of one PI, each submitted; a fifth is over the policy's bound. */
async function registerFour(pi: ApiClient, callId: string): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const id of ['TE2-0001', 'TE2-0002', 'TE2-0003', 'TE2-0004']) {
    ids[id] = await pi.calls.registerApplication(callId, anApplication({ id }));
    await pi.projects.send(ids[id], 'application.submit', {});
  }
  // A fifth application of the same PI: over the policy's bound.
  await expect(pi.calls.registerApplication(callId, anApplication({ id: 'TE2-0006' }))).rejects.toMatchObject({
    code: 'FORBIDDEN',
    message: expect.stringContaining('pi-lin has registered 4 applications in call') as unknown,
  });
  return ids;
}

/** A late application, and an endorsement after its deadline by either door, refused naming the deadline. */
async function lateCommandsNameTheirDeadline(
  office: ApiClient,
  pi: ApiClient,
  researchOffice: ApiClient,
  call: { id: string; calendar: { applicationWindow: { closes: string } } },
  ids: Record<string, string>,
): Promise<void> {
  // A late application is refused naming the application deadline, in ROC and ISO form, in both languages.
  while ((await office.calls.status(call.id)).state === 'open') await sleep(500);
  const closes = call.calendar.applicationWindow.closes;
  await expect(pi.calls.registerApplication(call.id, anApplication({ id: 'TE2-0005' }))).rejects.toMatchObject({
    code: 'ILLEGAL_TRANSITION',
    message: expect.stringContaining(
      `application deadline of call ${call.id} passed at ${formatRocDate(closes, { withTime: true })} (${formatTaipeiIso(closes)})`,
    ) as unknown,
  });
  await expect(pi.calls.registerApplication(call.id, anApplication({ id: 'TE2-0005' }))).rejects.toThrow(/申請截止時間.*逾期恕不受理/);

  // An endorsement after the endorsement deadline is refused, naming it, whichever door it comes by.
  while ((await office.calls.status(call.id)).state !== 'endorsementsClosed') await sleep(500);
  await expect(
    researchOffice.projects.send(ids['TE2-0001']!, 'endorsement.record', { rosterId: 'NTU-R9', letterReference: '臺大研字第1050000009號' }),
  ).rejects.toMatchObject({
    code: 'ILLEGAL_TRANSITION',
    message: expect.stringMatching(/institution endorsement deadline .* passed at .*逾期恕不受理/) as unknown,
  });
}

it('reviews, chases, schedules and decides what came in through the project routes; ranks live applications only; refuses a late one naming its deadline', async () => {
  const base = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 25,
      endorsementIn: 32,
      firstYearStartsIn: 3600,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
      writtenReviewPeriod: 'PT30M',
    },
    uniqueName('one-writer'),
  );
  // Two reviewers drawn per application, so the pool's third can be assigned by hand; four applications a PI.
  const call = { ...base, policy: { ...base.policy, reviewersPerApplication: 2, maxApplicationsPerPi: 4 } };
  const taskQueue = uniqueName('one-writer');
  await withServiceWorker(env, bundle, taskQueue, async () => {
    const api = await startApi(env, taskQueue);
    const as = (username: string) => new ApiClient(api.url, () => tokenFor(username));
    const [office, pi, researchOffice] = [as('kao'), as('pi-lin'), as('ntu-rd')];
    try {
      await office.calls.open(call, reviewerPool);
      const ids = await registerFour(pi, call.id);
      // (a) Endorsed from the project's own route, the others by a roster.
      expect(
        (await researchOffice.projects.send(ids['TE2-0001']!, 'endorsement.record', { rosterId: 'NTU-R0', letterReference: '臺大研字第1050000001號' }))
          .lifecycle,
      ).toBe('endorsed');
      await researchOffice.calls.submitRoster(call.id, {
        rosterId: 'NTU-R1',
        letterReference: '臺大研字第1050000002號',
        applicationIds: ['TE2-0002', 'TE2-0003', 'TE2-0004'],
      });

      await lateCommandsNameTheirDeadline(office, pi, researchOffice, call, ids);

      // (a) The project endorsed on its own route is reviewed like the others.
      const started = await office.calls.startWrittenReview(call.id);
      expect(started.unreachable ?? []).toEqual([]);
      let status = await office.calls.status(call.id);
      expect(Object.keys(status.assignments).sort()).toEqual(['TE2-0001', 'TE2-0002', 'TE2-0003', 'TE2-0004']);

      // (j) A reviewer declares a conflict after being assigned: withdrawn, replaced from the pool by the same rules (a draw whose log-in names the service and the call), and the PI told no name.
      const [stepsDown, stays] = status.assignments['TE2-0001']!;
      await as(stepsDown!).projects.send(ids['TE2-0001']!, 'review.decline', { reason: '與計畫主持人於 2015 年共同發表論文', conflict: true });
      status = await office.calls.status(call.id);
      const replacement = reviewerPool.find((r) => r.divisions.includes('TE2') && r.id !== stepsDown && r.id !== stays)!.id;
      expect(status.assignments['TE2-0001']).toEqual([stays, replacement]);
      expect(status.operations.slice(-2).map((o) => [o.operation, o.applied])).toEqual([
        [`reviewer ${stepsDown} stepped down from TE2-0001 (conflict of interest)`, 1],
        ['replacement reviewer for TE2-0001', 1],
      ]);
      expect(status.operations.at(-1)!.by).toEqual({ role: 'office', id: 'reviewer-draw', via: { issuer: 'alliance-service', subject: `call:${call.id}` } });
      expect((await office.projects.view(ids['TE2-0001']!)).context.reviewers).toEqual([stays, replacement]);
      const seenByPi = JSON.stringify([await pi.projects.view(ids['TE2-0001']!), await pi.projects.transitionLog(ids['TE2-0001']!)]);
      for (const name of [stepsDown!, stays!, replacement, '共同發表']) expect(seenByPi).not.toContain(name);
      // The one who stepped down reads the project no more, and is not drawn for it again.
      await expect(as(stepsDown!).projects.view(ids['TE2-0001']!)).rejects.toMatchObject({ code: 'NOT_FOUND' });

      // (b) A reviewer assigned by hand is in the call's assignments, in their own work and, without a review, in the round's missing list.
      const drawn = status.assignments['TE2-0002']!;
      const byHand = reviewerPool.find((r) => r.divisions.includes('TE2') && !drawn.includes(r.id))!.id;
      await office.projects.send(ids['TE2-0002']!, 'reviewer.assign', { reviewerId: byHand });
      status = await office.calls.status(call.id);
      expect(status.assignments['TE2-0002']).toEqual([...drawn, byHand]);
      const work = await as(byHand).me();
      expect(work.projects.find((p) => p.applicationId === 'TE2-0002')).toMatchObject({ assignedToMe: true });
      // Assigned twice: refused by the call, which knows.
      await expect(office.projects.send(ids['TE2-0002']!, 'reviewer.assign', { reviewerId: byHand })).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });

      const scores: Record<string, number> = { 'TE2-0001': 80, 'TE2-0002': 70, 'TE2-0003': 95, 'TE2-0004': 95 };
      for (const [applicationId, reviewers] of Object.entries(status.assignments)) {
        for (const reviewerId of reviewers.filter((r) => applicationId !== 'TE2-0002' || r !== byHand)) {
          await as(reviewerId).projects.send(ids[applicationId]!, 'review.record', {
            score: scores[applicationId]!,
            recommendation: 'fund',
            comments: '書面審查意見',
          });
        }
      }
      const [round] = await office.calls.closeWrittenReview(call.id);
      expect(round!.missing).toEqual([{ projectId: ids['TE2-0002'], reviewerId: byHand }]);

      // (g) The two best-scored applications are withdrawn and rejected: the top one invited is the best live one.
      await pi.projects.send(ids['TE2-0003']!, 'application.withdraw', { reason: '聯盟成員改組，撤回申請' });
      await office.projects.send(ids['TE2-0004']!, 'decision.record', { outcome: 'rejected', reason: '核心技術尚未成熟' });
      const invited = await office.calls.invitePresentations(call.id, { topPerDivision: 1 });
      expect(invited).toMatchObject({ total: 1, applied: 1 });
      expect((await office.calls.status(call.id)).invited).toEqual(['TE2-0001']);

      // (c) Invited by hand on the project's route: the call schedules it a slot like the others.
      expect((await office.projects.send(ids['TE2-0002']!, 'presentation.invite', {})).states).toContain('review.presentationReview.invited');
      const scheduled = await office.calls.schedulePresentations(call.id, new Date(Date.now() + 3_600_000).toISOString());
      expect(scheduled).toMatchObject({ total: 2, applied: 2, skipped: [] });
      expect(Object.keys((await office.calls.status(call.id)).slots).sort()).toEqual(['TE2-0001', 'TE2-0002']);

      for (const id of ['TE2-0001', 'TE2-0002']) {
        await office.projects.send(ids[id]!, 'presentation.record', { panelScore: 85, comments: '簡報審查意見' });
        await office.projects.send(ids[id]!, 'decision.record', { outcome: 'approved', amountsNtd: [2_000_000, 2_000_000, 2_000_000] });
      }
      const ranked = await office.calls.startDecisionMeeting(call.id);
      expect(ranked.TE2!.map((r) => r.applicationId)).not.toContain('TE2-0003');
      await office.calls.announce(call.id);
      // (a) Reviewed, presented and decided, though endorsed from its own page.
      expect((await office.projects.view(ids['TE2-0001']!)).lifecycle).toBe('approved');
      expect((await office.projects.view(ids['TE2-0002']!)).lifecycle).toBe('approved');
      expect((await office.projects.view(ids['TE2-0004']!)).lifecycle).toBe('rejected');
    } finally {
      await api.close();
    }
    for await (const w of env.client.workflow.list({ query: `WorkflowId STARTS_WITH 'project:${call.id}:' AND ExecutionStatus = 'Running'` }))
      await env.client.workflow.getHandle(w.workflowId).terminate('test finished');
    await env.client.workflow
      .getHandle(`call:${call.id}`)
      .terminate('test finished')
      .catch(() => undefined);
  });
});
