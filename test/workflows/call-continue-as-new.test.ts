import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { fetchRunChain } from '../../activities/run-history';
import { CallClient } from '../../gateway/calls';
import type { Call } from '../../domain/call';
import { alliance105 } from '../../domain/calls';
import { callWorkflowId } from '../../domain/ids';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** Starts a call whose threshold is lowered from 10,000 events to 40, so that a handful of registrations cross it. */
async function startCallContinuingAfter40(taskQueue: string, call: Call): Promise<void> {
  await env.client.workflow.start('callWorkflow', {
    taskQueue,
    workflowId: callWorkflowId(call.id),
    args: [{ call, reviewerPool: [], continueAsNewAfterEvents: 40 }],
  });
}

it('continues a call as new before its history grows large, carrying everything it knew', async () => {
  const callId = uniqueName('long-call');
  const call = compressedCall(alliance105, Date.now(), hourLongCall, callId);
  const taskQueue = uniqueName('long-call');
  await withServiceWorker(env, bundle, taskQueue, async (projects) => {
    await startCallContinuingAfter40(taskQueue, call);
    const calls = new CallClient(env.client, taskQueue);
    const ids = ['TE2-0001', 'TE2-0002', 'TE2-0003', 'TE2-0004', 'TE2-0005', 'TE2-0006', 'TE2-0007', 'TE2-0008'];
    await calls.registerApplication(callId, actors.pi, anApplication({ id: ids[0]! }));
    // A job started from the call page before the call continues as new: its page still finds it after.
    const job = 'web-job:office:office-kao:invite:continuesAsNw';
    await calls.startOperation(callId, 'invite', actors.office, { applicationIds: [ids[0]!] }, job);
    for (let tries = 0; (await calls.operationStanding(callId, job)).status === 'running' && tries < 20; tries++);
    expect(await calls.operationStanding(callId, job)).toMatchObject({ status: 'done' });
    for (const id of ids.slice(1)) await calls.registerApplication(callId, actors.pi, anApplication({ id }));
    await calls.amendDeadline(callId, actors.office, { deadline: 'endorsement', until: new Date(Date.now() + 3_650_000).toISOString(), reason: '颱風停班' });
    const roster = await calls.submitRoster(callId, actors.institution, { rosterId: 'NTU-01', letterReference: '臺大研字第1號', applicationIds: ids });
    expect(roster).toMatchObject({ applied: ids.length, skipped: [] });

    const runs = await fetchRunChain(env.client, callWorkflowId(callId));
    const sizes = runs.map((r) => r.history.events?.length ?? 0);
    console.log(`call runs: ${runs.length}, events per run: ${sizes.join(', ')}`);
    expect(runs.length).toBeGreaterThan(1);
    // Each run stays near the threshold (a run ends only once its handlers have finished).
    for (const size of sizes.slice(0, -1)) expect(size).toBeLessThan(120);
    const status = await calls.status(callId);
    expect(status.projects.map((p) => p.applicationId)).toEqual(ids);
    expect(status.rosters).toHaveLength(1);
    expect(status.amendments).toHaveLength(1);
    expect(status.state).toBe('open');
    expect(await calls.operationStanding(callId, job)).toEqual({
      status: 'done',
      result: expect.objectContaining({ operation: 'presentation invitations', updateId: job, total: 1 }) as unknown,
    });
    await expect(calls.operationStanding(callId, `${job}x`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Registering the same id again is still refused: the carried projects are the call's.
    await expect(calls.registerApplication(callId, actors.pi, anApplication({ id: 'TE2-0001' }))).rejects.toMatchObject({ code: 'VALIDATION' });
    await Promise.all(ids.map((id) => projects.handle(`project:${callId}:${id}`).terminate('test finished')));
    await env.client.workflow.getHandle(callWorkflowId(callId)).terminate('test finished');
  });
});

it('takes up a run carried in the form calls carried before their records were the machine context', async () => {
  const callId = uniqueName('old-carry');
  const call = compressedCall(alliance105, Date.now(), hourLongCall, callId);
  const project = {
    projectId: `project:${callId}:TE2-0001`,
    applicationId: 'TE2-0001',
    institutionId: 'NTU',
    division: 'TE2',
    region: 'north',
    title: '聯盟',
    requestedNtd: 1,
  };
  // The snapshot without a context, the records beside it: as continueCall wrote them until g12.
  const carried = {
    snapshot: { status: 'active', value: 'open', historyValue: {}, children: {} },
    calendar: call.calendar,
    amendments: [],
    projects: [project],
    rosters: [],
    assignments: {},
    rounds: [],
    invited: [],
    slots: {},
    operations: [],
    transitions: 0,
  };
  await withServiceWorker(env, bundle, uniqueName('old-carry'), async (projects) => {
    await env.client.workflow.start('callWorkflow', {
      taskQueue: projects.taskQueue,
      workflowId: callWorkflowId(callId),
      args: [{ call, reviewerPool: [], carried }],
    });
    const calls = new CallClient(env.client, projects.taskQueue);
    expect(await calls.status(callId)).toMatchObject({ state: 'open', projects: [project], rosters: [] });
    // The carried project is the call's: registering its id again is refused by the law.
    await expect(calls.registerApplication(callId, actors.pi, anApplication({ id: 'TE2-0001' }))).rejects.toMatchObject({ code: 'VALIDATION' });
    await env.client.workflow.getHandle(callWorkflowId(callId)).terminate('test finished');
  });
});

it("reads a call's status again only once the call has moved, a new run included", async () => {
  const callId = uniqueName('status-reads');
  const call = compressedCall(alliance105, Date.now(), hourLongCall, callId);
  const taskQueue = uniqueName('status-reads');
  await withServiceWorker(env, bundle, taskQueue, async (projects) => {
    await startCallContinuingAfter40(taskQueue, call);
    const calls = new CallClient(env.client, taskQueue);
    // The first read waits for the call's first workflow task, which lengthens its history: read twice.
    await calls.status(callId);
    const first = await calls.status(callId);
    expect(first.projects).toEqual([]);
    // Unmoved: the same view, no query; a client under an idempotency key shares what is kept.
    expect(await calls.status(callId)).toBe(first);
    expect(await calls.idempotent('key-1').status(callId)).toBe(first);
    expect(calls.statusReads).toEqual({ kept: 2, queried: 2 });

    // Each registration is seen by the very next read (the update's events are the new version).
    const ids = Array.from({ length: 8 }, (_, i) => `TE2-000${i + 1}`);
    const runs = new Set<string>();
    for (const [i, id] of ids.entries()) {
      await calls.registerApplication(callId, actors.pi, anApplication({ id }));
      expect((await calls.status(callId)).projects.map((p) => p.applicationId)).toEqual(ids.slice(0, i + 1));
      runs.add((await env.client.workflow.getHandle(callWorkflowId(callId)).describe()).runId);
    }
    expect(runs.size).toBeGreaterThan(1);
    const reads = calls.statusReads.queried;
    const last = await calls.status(callId);
    expect(await calls.status(callId)).toBe(last);
    expect(calls.statusReads.queried).toBe(reads);

    await Promise.all(ids.map((id) => projects.handle(`project:${callId}:${id}`).terminate('test finished')));
    await env.client.workflow.getHandle(callWorkflowId(callId)).terminate('test finished');
  });
});
