import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { CallClient } from '../../gateway/calls';
import { alliance105 } from '../../domain/calls';
import reviewerPool from '../../examples/reviewers.json';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const phase1ProjectId = 'project:alliance-102:TE2-0001';
const phase2 = (id: string) =>
  anApplication({
    id,
    phase: {
      phase: 2,
      phase1ProjectId,
      phase1Year3GrantNtd: 2_000_000,
      year3Income: { memberFeesNtd: 1_500_000, technologyTransferNtd: 300_000, technicalServicesNtd: 400_000, industryAcademiaProjectsNtd: 0 },
    },
  });

it('accepts exactly one of two phase-2 registrations naming one phase-1 project at the same moment, in two calls, and refuses a second in the same call before history', async () => {
  const times = {
    applicationClosesIn: 600,
    endorsementIn: 700,
    firstYearStartsIn: 3600,
    yearLength: 'P1Y',
    progressReportDueBeforeYearEnd: 'P3M',
    closingReportGrace: 'P3M',
  };
  const [first, second] = [
    compressedCall(alliance105, Date.now(), times, uniqueName('claim-a')),
    compressedCall(alliance105, Date.now(), times, uniqueName('claim-b')),
  ];
  await withServiceWorker(env, bundle, uniqueName('claim'), async (projects) => {
    const calls = new CallClient(env.client, projects.taskQueue);
    await Promise.all([calls.open(first, reviewerPool), calls.open(second, reviewerPool)]);
    const outcomes = await Promise.allSettled([
      calls.registerApplication(first.id, actors.pi, phase2('TE2-0101')),
      calls.registerApplication(second.id, actors.pi, phase2('TE2-0102')),
    ]);
    const accepted = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(accepted).toHaveLength(1);
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!.reason as { code: string; message: string };
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining(`${phase1ProjectId} is already continued by ${accepted[0]}; an alliance has one phase 2`) as unknown,
    });

    // In the call that holds it, a second one is refused by the validator: nothing enters the call's history.
    const holderCall = accepted[0]!.includes(first.id) ? first.id : second.id;
    const before = (await env.client.workflow.getHandle(`call:${holderCall}`).fetchHistory()).events!.length;
    await expect(calls.registerApplication(holderCall, actors.pi, phase2('TE2-0103'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await env.client.workflow.getHandle(`call:${holderCall}`).fetchHistory()).events!.length).toBe(before);
    for (const call of [first, second]) {
      for await (const w of env.client.workflow.list({ query: `WorkflowId STARTS_WITH 'project:${call.id}:' AND ExecutionStatus = 'Running'` }))
        await env.client.workflow.getHandle(w.workflowId).terminate('test finished');
      await env.client.workflow.getHandle(`call:${call.id}`).terminate('test finished');
    }
  });
});
