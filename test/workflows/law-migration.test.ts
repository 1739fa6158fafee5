import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { initialTransition } from 'xstate';
import { fetchRunChain } from '../../activities/run-history';
import { alliance105 } from '../../domain/calls';
import { addDuration } from '../../domain/duration';
import { projectWorkflowId } from '../../domain/ids';
import { rocYearOf } from '../../domain/roc-date';
import { projectDeadlines } from '../../machines/deadlines';
import { persistSnapshot } from '../../machines/law';
import { projectMachines } from '../../machines/project-machine';
import type { ProjectWorkflowInput } from '../../messages/project';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { drive, toExecution } from '../helpers/drive';
import { startTimeSkippingServer, uniqueName } from '../helpers/environments';
import { clockSkipper } from '../helpers/life-105';
import { bundleServiceWorkflows, shiftCall, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

it('runs a project started under law v1 across its year boundary, where it moves through v2 to the current law (v3)', async () => {
  const years = rocYearOf(new Date(await env.currentTimeMs())) - 105 + 1;
  const call = shiftCall(alliance105, years, uniqueName('alliance-105'));
  const application = anApplication({ id: 'TE2-0001' });
  const workflowId = projectWorkflowId(call.id, application.id);
  // Where a project of law v1 stood when its previous run ended: year 1 of execution under v1.
  const year1 = drive(
    initialTransition(projectMachines[1], {
      projectId: workflowId,
      callId: call.id,
      policy: call.policy,
      application,
      firstProjectYearStarts: call.calendar.firstProjectYearStarts,
    })[0],
    toExecution,
  );
  expect(year1.context.lawVersion).toBeUndefined();
  const input: ProjectWorkflowInput = { call, application, carried: { snapshot: persistSnapshot(year1), log: [] } };
  const due = projectDeadlines(year1.context, call.calendar);
  const amend = {
    deadline: 'progressReport',
    until: addDuration(due.progressReport(2), 'P14D').toISOString(),
    reason: 'Extension granted on request',
  } as const;

  await withServiceWorker(env, bundle, uniqueName('law-migration'), async (projects) => {
    await env.client.workflow.start('projectWorkflow', { taskQueue: projects.taskQueue, workflowId, args: [input] });
    const send = projects.send.bind(projects, workflowId);
    // Year 1 runs under v1: the office cannot move a deadline yet.
    await env.sleep(1000);
    await expect(send('deadline.amend', actors.office, { ...amend, until: addDuration(due.progressReport(1), 'P14D').toISOString() })).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
    });
    await send('progressReport.submit', actors.pi, { summary: 'Year 1 as planned' });
    await send('progressReport.accept', actors.office, { comments: 'Accepted' });

    // The year ends by its timer; the next run starts under the current law.
    await clockSkipper(env)(addDuration(due.yearEnd(1), 'PT1H'));
    const view = await projects.view(workflowId);
    expect(view.projectYear).toBe(2);
    expect(view.context.lawVersion).toBe(3);
    // v2's records and v3's (no documents yet), each step of the way.
    expect(view.context.deadlineAmendments).toEqual([]);
    expect(view.context.documents).toEqual([]);
    expect(view.states).toContain('execution.progressReport.awaiting');
    await send('deadline.amend', actors.office, amend);
    const moved = await projects.view(workflowId);
    expect(moved.deadlines.find((d) => d.event === 'deadline.progressReport')?.at).toBe(amend.until);
    expect(moved.context.deadlineAmendments).toEqual([
      expect.objectContaining({ deadline: 'progressReport', year: 2, until: amend.until, by: expect.objectContaining(actors.office) }),
    ]);
    const runs = await fetchRunChain(env.client, workflowId);
    expect(runs).toHaveLength(2);
    await projects.handle(workflowId).terminate('test over');
  });
});
