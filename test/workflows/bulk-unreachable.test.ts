import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createProjectCommandActivities, type BulkOutcome, type ProjectCommand } from '../../activities/project-commands';
import { alliance105 } from '../../domain/calls';
import { workflowsPath } from '../../worker/create-worker';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { compressedCall, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let faultyBundle: WorkflowBundle;
beforeAll(async () => {
  [env, faultyBundle] = await Promise.all([
    connectDevServer(),
    bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [require.resolve('../fixtures/stuck-workflow-interceptor')], logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error } }),
  ]);
});
afterAll(() => env?.teardown());

it('finishes a bulk operation when one project never answers: that one is unreachable, the others done, and a resumed run counts them done', async () => {
  const call = compressedCall(alliance105, Date.now(), {
    applicationClosesIn: 600, endorsementIn: 700, firstYearStartsIn: 800, yearLength: 'P1Y', progressReportDueBeforeYearEnd: 'P3M', closingReportGrace: 'P3M',
  }, uniqueName('bulk'));
  await withServiceWorker(env, faultyBundle, uniqueName('bulk'), async (projects) => {
    const ids = await Promise.all(['TE2-0001', 'TE2-9999', 'TE2-0002'].map((id) => projects.create(call, anApplication({ id }))));
    for (const id of ids) await projects.send(id, 'application.submit', actors.pi, {});
    const commands: ProjectCommand[] = ids.map((projectId) => ({ projectId, type: 'endorsement.record', actor: actors.institution, payload: { rosterId: 'R1', letterReference: 'L1' } }));
    const { applyProjectCommands } = createProjectCommandActivities({ projects, bulkCommandDeadlineMs: 3_000 });
    // One operation (the same workflow, run and activity), attempted twice: the second is a retry after a crash.
    const info = { activityId: '7', workflowExecution: { workflowId: `call:${call.id}`, runId: 'run-1' } };

    const first: BulkOutcome = await new MockActivityEnvironment(info).run(applyProjectCommands, commands);
    expect(first).toMatchObject({ total: 3, applied: 2, skipped: [] });
    expect(first.unreachable).toEqual([{ projectId: ids[1], type: 'endorsement.record', reason: expect.stringMatching(/^no answer within 3 s/) as unknown }]);
    for (const id of [ids[0]!, ids[2]!]) expect((await projects.view(id)).states.join(' ')).toMatch(/endorsed/);

    const resumed: BulkOutcome = await new MockActivityEnvironment(info).run(applyProjectCommands, commands);
    expect(resumed).toMatchObject({ total: 3, applied: 2, skipped: [] });
    expect(resumed.unreachable?.map((u) => u.projectId)).toEqual([ids[1]]);
    // A different operation sending the same commands is refused: they are done already.
    const other: BulkOutcome = await new MockActivityEnvironment({ ...info, activityId: '8' }).run(applyProjectCommands, [commands[0]!]);
    expect(other).toMatchObject({ applied: 0, skipped: [{ projectId: ids[0], type: 'endorsement.record' }] });
    await Promise.all(ids.map((id) => projects.handle(id).terminate('test finished')));
  });
});
