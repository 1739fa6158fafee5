import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { initialTransition } from 'xstate';
import { alliance105 } from '../../domain/calls';
import { exhibitionWorkflowId, projectWorkflowId } from '../../domain/ids';
import { rocYearOf } from '../../domain/roc-date';
import { persistSnapshot } from '../../machines/law';
import { projectMachine } from '../../machines/project-machine';
import type { ExhibitionOutcome } from '../../messages/call';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { drive, toExecution, type Step } from '../helpers/drive';
import { startTimeSkippingServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, shiftCall, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const member = (name: string, sector: string) => ({ name, sector, industry: 'other', annualFeeNtd: 100_000 });

it('selects the best alliances of a call on their accepted year-1 results, tells each through its law, and only once', async () => {
  const years = rocYearOf(new Date(await env.currentTimeMs())) - 105 + 1;
  const shifted = shiftCall(alliance105, years, uniqueName('alliance-105'));
  const call = {
    ...shifted,
    policy: { ...shifted.policy, exhibition: { alliances: 2, projectYear: 1 }, tranches: { ...shifted.policy.tranches!, windows: 'advisory' as const } },
  };
  // Four alliances in year 1 of execution: three with accepted results (incomes NT$0.9M, 2.1M, 1.5M), one whose report is not in.
  const incomes: (number | null)[] = [900_000, 2_100_000, 1_500_000, null];
  const started = incomes.map((income, i) => {
    const application = anApplication({ id: `TE2-000${i + 1}` });
    const workflowId = projectWorkflowId(call.id, application.id);
    const report: Step[] =
      income === null
        ? []
        : [
            [
              'progressReport.submit',
              {
                summary: 'Year 1',
                kpis: {
                  year: 1,
                  members: 2,
                  memberFeesNtd: income,
                  technologyTransferNtd: 0,
                  technicalServicesNtd: 0,
                  industryAcademiaProjectsNtd: 0,
                  memberList: [member('聯發半導體', 'company'), member('工研院', 'researchInstitute')],
                },
              },
            ],
            ['progressReport.accept', { comments: 'OK' }],
          ];
    const snapshot = drive(
      initialTransition(projectMachine, {
        projectId: workflowId,
        callId: call.id,
        policy: call.policy,
        application,
        firstProjectYearStarts: call.calendar.firstProjectYearStarts,
      })[0],
      [...toExecution, ...report],
    );
    return { workflowId, args: [{ call, application, carried: { snapshot: persistSnapshot(snapshot), log: [] } }] };
  });

  await withServiceWorker(env, bundle, uniqueName('exhibition'), async (projects) => {
    for (const { workflowId, args } of started) await env.client.workflow.start('projectWorkflow', { taskQueue: projects.taskQueue, workflowId, args });
    const select = () =>
      env.client.workflow.execute('exhibitionWorkflow', {
        taskQueue: projects.taskQueue,
        workflowId: exhibitionWorkflowId(call.id),
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ callId: call.id, projectIds: started.map((s) => s.workflowId), actor: actors.office }],
      }) as Promise<ExhibitionOutcome>;

    const selected = await select();
    expect(selected.projectYear).toBe(1);
    expect(selected.chosen).toEqual([
      { projectId: started[1]!.workflowId, rank: 1, incomeNtd: 2_100_000, countedMembers: 1 },
      { projectId: started[2]!.workflowId, rank: 2, incomeNtd: 1_500_000, countedMembers: 1 },
    ]);
    expect(selected.outcome).toMatchObject({ applied: 2, skipped: [] });
    expect((await projects.view(started[1]!.workflowId)).context.exhibitions).toEqual([expect.objectContaining({ year: 1, rank: 1 })]);
    expect((await projects.view(started[0]!.workflowId)).context.exhibitions).toEqual([]);
    // The law refuses selecting an alliance without accepted results of that year.
    await expect(projects.send(started[3]!.workflowId, 'exhibition.select', actors.office, { year: 1, rank: 3 })).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      message: expect.stringMatching(/no accepted results of project year 1/) as unknown,
    });
    // One exhibition per call.
    await expect(select()).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await Promise.all(started.map((s) => projects.handle(s.workflowId).terminate('test finished')));
  });
});
