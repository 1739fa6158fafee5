import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../../domain/calls';
import { anApplication } from '../fixtures/applications';
import { call, tokenFor, withApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall as slowCall } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  // The sweep lists only the closed workflows of its own task queue: the shared namespace serves.
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

jest.setTimeout(5 * 60_000);

it('archives a terminated project and a terminated call; the archived history decodes for an auditor after Temporal has deleted it', async () => {
  await withApi(env, bundle, async (api, projects, ledger) => {
    const callFile = compressedCall(alliance105, Date.now(), slowCall, uniqueName('sweep-call'));
    expect((await call(api, 'POST', '/api/calls', await tokenFor('kao'), { call: callFile, reviewerPool: [] })).status).toBe(201);
    expect(
      (await call(api, 'POST', `/api/calls/${callFile.id}/applications`, await tokenFor('pi-lin'), { application: anApplication({ id: 'TE2-0001' }) })).status,
    ).toBe(201);
    const projectId = `project:${callFile.id}:TE2-0001`;
    const callId = `call:${callFile.id}`;
    // An operator's terminate skips the project's own archive step.
    await env.client.workflow.getHandle(projectId).terminate('opened in error');
    await env.client.workflow.getHandle(callId).terminate('opened in error');

    const sweep = () =>
      env.client.workflow.execute('archiveSweepWorkflow', {
        taskQueue: projects.taskQueue,
        workflowId: uniqueName('sweep'),
        args: [projects.taskQueue],
      }) as Promise<{ archived: string[]; failed: string[] }>;
    const archived = new Set<string>();
    // Visibility lists a closed workflow a moment after it closed.
    for (let attempt = 0; archived.size < 2 && attempt < 60; attempt++) {
      for (const id of (await sweep()).archived) archived.add(id);
      if (archived.size < 2) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect([...archived].sort()).toEqual([callId, projectId].sort());
    expect((await sweep()).archived).toEqual([]);
    expect((await ledger.archivedRuns(projectId)).length).toBeGreaterThan(0);

    for (const id of [projectId, callId]) {
      await env.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: id } });
      // The dev server deletes through its task queues: behind a loaded run's backlog that takes a while.
      const giveUp = Date.now() + 120_000;
      while (
        await env.client.workflow
          .getHandle(id)
          .describe()
          .then(
            () => true,
            () => false,
          )
      ) {
        if (Date.now() > giveUp) throw new Error(`Temporal did not delete ${id} within 120 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const auditor = await tokenFor('wu');
    const seen = await call<{ source: string; decoded: boolean; runs: { history: unknown }[] }>(
      api,
      'GET',
      `/api/audit/history/${projectId}?raw=true`,
      auditor,
    );
    expect(seen.status).toBe(200);
    expect(seen.body.source).toBe('archive');
    const texts = JSON.stringify(seen.body.runs)
      .match(/"data":"[A-Za-z0-9+/=]+"/g)!
      .map((d) => Buffer.from(d.slice(8, -1), 'base64').toString('utf8'))
      .join('\n');
    expect(texts).toContain('林志明');
    const stored = await call<{ runs: unknown[] }>(api, 'GET', `/api/audit/history/${projectId}?raw=true&decode=false`, auditor);
    expect(JSON.stringify(stored.body.runs)).not.toContain(Buffer.from('林志明').toString('base64'));
    expect((await call(api, 'GET', `/api/audit/history/${callId}?raw=true`, auditor)).status).toBe(200);
  });
});
