import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createProjectCommandActivities, type ProjectCommand } from '../../activities/project-commands';
import type { BulkOutcome } from '../../domain/bulk';
import { alliance105 } from '../../domain/calls';
import { workflowsPath } from '../../worker/create-worker';
import { failureConverterPath, payloadConverterPath } from '../../gateway/payload-codec';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { compressedCall, withServiceWorker } from '../helpers/project-harness';
import { startApi, tokenFor } from '../helpers/api';
import { ApiClient } from '../../client/api-client';
import { CallClient } from '../../gateway/calls';
import reviewerPool from '../../examples/reviewers.json';

let env: TestWorkflowEnvironment;
let faultyBundle: WorkflowBundle;
beforeAll(async () => {
  [env, faultyBundle] = await Promise.all([
    connectDevServer(),
    bundleWorkflowCode({
      workflowsPath,
      failureConverterPath,
      payloadConverterPath,
      workflowInterceptorModules: [require.resolve('../fixtures/stuck-workflow-interceptor')],
      logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
    }),
  ]);
});
afterAll(() => env?.teardown());

it('finishes a bulk operation when one project never answers: that one is unreachable, the others done, and a resumed run counts them done', async () => {
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 600,
      endorsementIn: 700,
      firstYearStartsIn: 800,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    uniqueName('bulk'),
  );
  await withServiceWorker(env, faultyBundle, uniqueName('bulk'), async (projects) => {
    const ids = await Promise.all(['TE2-0001', 'TE2-9999', 'TE2-0002'].map((id) => projects.create(call, anApplication({ id }))));
    for (const id of ids) await projects.send(id, 'application.submit', actors.pi, {});
    const commands: ProjectCommand[] = ids.map((projectId) => ({
      projectId,
      type: 'endorsement.record',
      actor: actors.institution,
      payload: { rosterId: 'R1', letterReference: 'L1' },
    }));
    const { applyProjectCommands } = createProjectCommandActivities({ projects, bulkCommandDeadlineMs: 3_000 });
    // One operation (the same workflow, run and activity), attempted twice: the second is a retry after a crash.
    const info = { activityId: '7', workflowExecution: { workflowId: `call:${call.id}`, runId: 'run-1' } };

    const first: BulkOutcome = await new MockActivityEnvironment(info).run(applyProjectCommands, commands);
    expect(first).toMatchObject({ total: 3, applied: 2, skipped: [] });
    expect(first.unreachable).toEqual([
      { projectId: ids[1], type: 'endorsement.record', command: 1, reason: expect.stringMatching(/^no answer within 3 s/) as unknown },
    ]);
    for (const id of [ids[0]!, ids[2]!]) expect((await projects.view(id)).states.join(' ')).toMatch(/endorsed/);

    const resumed: BulkOutcome = await new MockActivityEnvironment(info).run(applyProjectCommands, commands);
    expect(resumed).toMatchObject({ total: 3, applied: 2, skipped: [] });
    expect(resumed.unreachable?.map((u) => u.projectId)).toEqual([ids[1]]);
    // A different operation sending the same command is a new one (an amended roster, law v2): applied again, not counted done.
    const other: BulkOutcome = await new MockActivityEnvironment({ ...info, activityId: '8' }).run(applyProjectCommands, [commands[0]!]);
    expect(other).toMatchObject({ applied: 1, skipped: [] });
    expect((await projects.transitionLog(ids[0]!)).filter((e) => e.event === 'endorsement.record')).toHaveLength(2);
    await Promise.all(ids.map((id) => projects.handle(id).terminate('test finished')));
  });
});

it('announces the decisions of a call when one of its projects never answers: that one is listed unreachable, the others are told', async () => {
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 15,
      endorsementIn: 20,
      firstYearStartsIn: 900,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    uniqueName('announce'),
  );
  const taskQueue = uniqueName('announce');
  await withServiceWorker(env, faultyBundle, taskQueue, async (projects) => {
    const api = await startApi(env, taskQueue);
    const as = (username: string) => new ApiClient(api.url, () => tokenFor(username));
    const [office, pi, researchOffice] = [as('kao'), as('pi-lin'), as('ntu-rd')];
    try {
      await office.calls.open(call, reviewerPool);
      const applicationIds = ['TE2-0001', 'TE2-8888', 'TE2-0002'];
      const ids = [];
      for (const id of applicationIds) {
        const projectId = await pi.calls.registerApplication(call.id, anApplication({ id }));
        await pi.projects.send(projectId, 'application.submit', {});
        ids.push(projectId);
      }
      await researchOffice.calls.submitRoster(call.id, { rosterId: 'NTU-R1', letterReference: 'NTU-L1', applicationIds });
      for (let waited = 0; (await office.calls.status(call.id)).state !== 'endorsementsClosed'; waited += 500) {
        if (waited > 60_000) throw new Error('the endorsement deadline did not pass');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await office.calls.startWrittenReview(call.id);
      const { assignments } = await office.calls.status(call.id);
      for (const [applicationId, reviewers] of Object.entries(assignments)) {
        for (const reviewerId of reviewers) {
          await as(reviewerId).projects.send(`project:${call.id}:${applicationId}`, 'review.record', {
            score: 80,
            recommendation: 'fund',
            comments: '書面審查意見',
          });
        }
      }
      await office.calls.invitePresentations(call.id, { applicationIds });
      await office.calls.schedulePresentations(call.id, new Date(Date.now() + 3_600_000).toISOString());
      for (const id of ids) await office.projects.send(id, 'presentation.record', { panelScore: 85, comments: '簡報審查意見' });
      await office.calls.startDecisionMeeting(call.id);
      for (const id of ids) await office.projects.send(id, 'decision.record', { outcome: 'approved', amountsNtd: [2_000_000, 2_000_000, 2_000_000] });

      // While it runs (the unreachable project holds it for its deadline), its progress reads from the encrypted heartbeat.
      const announcing = office.calls.announce(call.id);
      let finished = false;
      void announcing.finally(() => (finished = true)).catch(() => undefined);
      const seen: ({ done: number; total: number } | null)[] = [];
      while (!finished) {
        seen.push(await office.calls.progress(call.id));
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(seen.some((p) => p?.total === 3)).toBe(true);
      const announced = await announcing;
      expect(announced).toMatchObject({ total: 3, applied: 2, skipped: [] });
      expect(announced.unreachable?.map((u) => [u.projectId, u.type])).toEqual([[ids[1], 'decision.announce']]);
      for (const id of [ids[0]!, ids[2]!]) expect((await projects.view(id)).lifecycle).toBe('approved');
    } finally {
      await api.close();
    }
    for await (const w of env.client.workflow.list({ query: `WorkflowId STARTS_WITH 'project:${call.id}:' AND ExecutionStatus = 'Running'` }))
      await env.client.workflow.getHandle(w.workflowId).terminate('test finished');
    await env.client.workflow.getHandle(`call:${call.id}`).terminate('test finished');
  });
});

it('starts the written review of a call when one of its projects cannot be read: that one is named unreachable, the others are reviewed', async () => {
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 8,
      endorsementIn: 12,
      firstYearStartsIn: 3600,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    uniqueName('unreadable'),
  );
  await withServiceWorker(env, faultyBundle, uniqueName('unreadable'), async (projects) => {
    const calls = new CallClient(env.client, projects.taskQueue);
    await calls.open(call, reviewerPool);
    const applicationIds = ['TE2-0001', 'TE2-7777', 'TE2-0002'];
    const ids = [];
    for (const id of applicationIds) {
      const projectId = await calls.registerApplication(call.id, actors.pi, anApplication({ id }));
      await projects.send(projectId, 'application.submit', actors.pi, {});
      ids.push(projectId);
    }
    await calls.submitRoster(call.id, actors.institution, { rosterId: 'R1', letterReference: 'L1', applicationIds });
    while ((await calls.status(call.id)).state !== 'endorsementsClosed') await new Promise((resolve) => setTimeout(resolve, 500));

    const started = await calls.startWrittenReview(call.id, actors.office);
    expect(started.unreachable).toEqual([
      { projectId: ids[1], type: 'review.start', reason: expect.stringMatching(/^state not read within 20 s: .* failed to answer a query/) as unknown },
    ]);
    for (const id of [ids[0]!, ids[2]!]) expect((await projects.view(id)).lifecycle).toBe('review');
    expect(Object.keys((await calls.status(call.id)).assignments).sort()).toEqual(['TE2-0001', 'TE2-0002']);
    await Promise.all(ids.map((id) => projects.handle(id).terminate('test finished')));
    await calls.close(call.id, actors.office).catch(() => undefined);
    await env.client.workflow
      .getHandle(`call:${call.id}`)
      .terminate('test finished')
      .catch(() => undefined);
  });
});
