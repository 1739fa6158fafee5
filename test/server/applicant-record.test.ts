import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../../domain/calls';
import reviewerPool from '../../examples/reviewers.json';
import { anApplication } from '../fixtures/applications';
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
it("refuses an application while the ledger records the PI's closing report overdue, though Temporal no longer holds that project or its call", async () => {
  await withApi(env, bundle, async (api, _projects, ledger) => {
    const gone = 'project:alliance-101:TE2-0042';
    // What the project's ledger appends left behind: the PI's application, and the project's last facts.
    await ledger.append({
      workflowId: gone,
      chainId: 'run-1',
      entrySeq: 1,
      at: '2012-09-01T00:00:00.000Z',
      actor: { role: 'pi', id: 'pi-lin' },
      event: 'application.submit',
      from: ['draft'],
      to: ['submitted'],
      payloadDigest: 'a'.repeat(64),
    });
    await ledger.upsertProject({
      workflowId: gone,
      callId: 'alliance-101',
      rocYear: 101,
      division: 'TE2',
      region: 'north',
      institution: 'NTU',
      state: 'closing',
      phase: 1,
      projectYear: 3,
      overdue: true,
      updatedAt: '2016-07-01T00:00:00.000Z',
    });

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
