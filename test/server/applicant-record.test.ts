import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../../domain/calls';
import reviewerPool from '../../examples/reviewers.json';
import { CallClient } from '../../gateway/calls';
import type { LedgerStore } from '../../activities/ledger/store';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { person } from '../fixtures/people';
import { call, tokenFor, withApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/**
 * The applicant's record outlives Temporal: a project of a call closed and deleted long ago (here
 * one Temporal never held) whose closing report the ledger records as overdue still refuses its
 * PI's next application, naming it; another PI applies as before.
 */
/** What a project's ledger appends leave behind: the PI's submission, and the project's last facts. */
async function recordProject(ledger: LedgerStore, workflowId: string, piId: string, facts: { institution: string; state: string; overdue: boolean }) {
  await ledger.append({
    workflowId,
    chainId: `run-${workflowId}`,
    entrySeq: 1,
    at: '2012-09-01T00:00:00.000Z',
    actor: { role: 'pi', id: piId },
    event: 'application.submit',
    from: ['draft'],
    to: ['submitted'],
    payloadDigest: 'a'.repeat(64),
  });
  const [, callId] = workflowId.split(':');
  await ledger.upsertProject({
    workflowId,
    callId: callId!,
    rocYear: 101,
    division: 'TE2',
    region: 'north',
    phase: 1,
    projectYear: 3,
    updatedAt: '2016-07-01T00:00:00.000Z',
    ...facts,
  });
}

it("refuses an application while the ledger records the PI's closing report overdue, though Temporal no longer holds that project or its call", async () => {
  await withApi(env, bundle, async (api, _projects, ledger) => {
    const gone = 'project:alliance-101:TE2-0042';
    await recordProject(ledger, gone, 'pi-lin', { institution: 'NTU', state: 'closing', overdue: true });

    const callFile = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('record'));
    expect((await call(api, 'POST', '/api/calls', await tokenFor('kao'), { call: callFile, reviewerPool })).status).toBe(201);
    const refused = await call<{ code: string; detail: string }>(api, 'POST', `/api/calls/${callFile.id}/applications`, await tokenFor('pi-lin'), {
      application: anApplication({ id: 'TE2-0001' }),
    });
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    expect(refused.body.detail).toContain(`the closing report of ${gone} is overdue; pi-lin may apply again once it is filed`);

    const other = anApplication({ id: 'TE2-0002', pi: { ...anApplication().pi, id: 'pi-chen' } });
    expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, await tokenFor('pi-chen'), { application: other })).status).toBe(201);
    for await (const w of env.client.workflow.list({ query: `WorkflowId STARTS_WITH 'project:${callFile.id}:' AND ExecutionStatus = 'Running'` }))
      await env.client.workflow.getHandle(w.workflowId).terminate('test finished');
    await env.client.workflow.getHandle(`call:${callFile.id}`).terminate('test finished');
  });
});

/**
 * The call judges the same durable record itself: a registration that reaches it without the door
 * (straight through Temporal) is refused as the door refuses it. A phase 1 declared by a PI whose
 * funded alliance at that institution still runs is refused too, naming the phase 2 to apply for.
 */
it('refuses in the call, whichever way the registration came: an overdue closing report, and a phase 1 declared again by a running alliance', async () => {
  await withApi(env, bundle, async (api, projects, ledger) => {
    await recordProject(ledger, 'project:alliance-101:TE2-0042', 'pi-lin', { institution: 'NTU', state: 'closing', overdue: true });
    await recordProject(ledger, 'project:alliance-103:TE2-0077', 'pi-chen', { institution: 'NCKU', state: 'execution', overdue: false });
    const callFile = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('record-call'));
    const calls = new CallClient(env.client, projects.taskQueue);
    await calls.open(callFile, reviewerPool);

    await expect(calls.registerApplication(callFile.id, actors.pi, anApplication({ id: 'TE2-0001' }))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('the closing report of project:alliance-101:TE2-0042 is overdue') as unknown,
    });
    const ncku = { ...anApplication().institution, id: 'NCKU', name: '國立成功大學', researchOfficeEmail: 'rd@ncku.edu.tw' };
    const chen = (id: string, institution = ncku) =>
      anApplication({ id, institution, pi: { ...anApplication().pi, id: 'pi-chen', institutionId: institution.id } });
    const again = 'pi-chen leads a running alliance of the programme at NCKU (project:alliance-103:TE2-0077, execution); a phase 1 starts a new alliance';
    await expect(calls.registerApplication(callFile.id, person('pi', 'pi-chen'), chen('TE2-0002'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining(again) as unknown,
    });
    // The door says the same before the call is asked; at another institution it is a new alliance.
    const refused = await call<{ detail: string }>(api, 'POST', `/api/calls/${callFile.id}/applications`, await tokenFor('pi-chen'), {
      application: chen('TE2-0003'),
    });
    expect([refused.status, refused.body.detail]).toEqual([403, expect.stringContaining('phase.phase1ProjectId project:alliance-103:TE2-0077') as unknown]);
    const elsewhere = chen('TE2-0004', { ...ncku, id: 'NTU', name: '國立臺灣大學', researchOfficeEmail: 'rd@ntu.edu.tw' });
    expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, await tokenFor('pi-chen'), { application: elsewhere })).status).toBe(201);
    expect((await calls.status(callFile.id)).projects.map((p) => p.applicationId)).toEqual(['TE2-0004']);
    for await (const w of env.client.workflow.list({ query: `WorkflowId STARTS_WITH 'project:${callFile.id}:' AND ExecutionStatus = 'Running'` }))
      await env.client.workflow.getHandle(w.workflowId).terminate('test finished');
    await env.client.workflow.getHandle(`call:${callFile.id}`).terminate('test finished');
  });
});
