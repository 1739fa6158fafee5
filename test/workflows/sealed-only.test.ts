import { Client, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { CallClient } from '../../gateway/calls';
import { alliance105 } from '../../domain/calls';
import reviewerPool from '../../examples/reviewers.json';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, testDataConverter, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** What a sender around the service gets from Temporal's own refusal: the failure's type and message. */
async function refusal(sent: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  const error = await sent.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as { type?: string; message: string };
  return { type: cause.type, message: cause.message };
}

/**
 * Only the service commands its workflows: a command or a start sent straight to Temporal with a
 * plaintext payload (the `temporal` CLI, a script with the SDK and no keys) is refused before it
 * enters history, or ends the run it started at once; the same commands sealed by the service pass.
 */
it('refuses a plaintext update before history, ends a plaintext start, and takes the same commands sealed', async () => {
  const call = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('sealed'));
  await withServiceWorker(env, bundle, uniqueName('sealed'), async (projects) => {
    const calls = new CallClient(env.client, projects.taskQueue);
    await calls.open(call, reviewerPool);
    const projectId = await calls.registerApplication(call.id, actors.pi, anApplication({ id: 'TE2-0001' }));
    // A client of the same server that sends in plaintext, as anyone who reaches port 7233 can (it reads the
    // service's sealed answers only so that the test can show which refusal came back).
    const sealed = testDataConverter();
    const readOnly: PayloadCodec = {
      encode: (payloads) => Promise.resolve(payloads),
      decode: async (payloads) => {
        for (const codec of [...sealed.payloadCodecs!].reverse()) payloads = await codec.decode(payloads);
        return payloads;
      },
    };
    const plain = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter: { ...sealed, payloadCodecs: [readOnly] } });
    // The updates each history took (a project's own first steps add events of their own meanwhile).
    const accepted = async (id: string) =>
      (await plain.workflow.getHandle(id).fetchHistory()).events!.flatMap(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? [],
      );
    const [projectBefore, callBefore] = [await accepted(projectId), await accepted(`call:${call.id}`)];
    expect([projectBefore, callBefore]).toEqual([[], ['call.registerApplication']]);

    const payment = plain.workflow.getHandle(projectId).executeUpdate('application.submit', { args: [{ actor: actors.pi, payload: {} }] });
    expect(await refusal(payment)).toEqual({
      type: 'FORBIDDEN',
      message: expect.stringContaining('application.submit was refused: only the service commands its workflows') as unknown,
    });
    const registration = plain.workflow
      .getHandle(`call:${call.id}`)
      .executeUpdate('call.registerApplication', { args: [{ actor: actors.pi, application: anApplication({ id: 'TE2-0002' }) }] });
    expect(await refusal(registration)).toMatchObject({ type: 'FORBIDDEN' });
    expect([await accepted(projectId), await accepted(`call:${call.id}`)]).toEqual([projectBefore, callBefore]);

    // A project started around the call: the run ends at once, naming why.
    const forged = `project:${call.id}:TE2-0999`;
    const started = plain.workflow.execute('projectWorkflow', {
      taskQueue: projects.taskQueue,
      workflowId: forged,
      args: [{ call, application: anApplication({ id: 'TE2-0999' }) }],
    });
    const failed = await started.then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect((failed as WorkflowFailedError).cause).toMatchObject({
      type: 'FORBIDDEN',
      message: expect.stringContaining('Starting projectWorkflow was refused') as unknown,
    });

    // The service's own commands, sealed, go on as ever.
    expect((await projects.send(projectId, 'application.submit', actors.pi, {})).lifecycle).toBe('submitted');
    await plain.workflow.getHandle(projectId).terminate('test finished');
    await plain.workflow.getHandle(`call:${call.id}`).terminate('test finished');
  });
});

/**
 * Holding the keys is not enough to act as a person: a sealed command of a person that names no
 * log-in (`via`, which the door sets from the provider's verified token) came around the door, and
 * the project's and the call's validators refuse it before it enters history, with one coded
 * refusal; the same commands carrying it are taken. The deadline timers (`system`) need none.
 */
it("refuses a sealed person's command that names no log-in (via) before history, and takes it with one", async () => {
  const call = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('via'));
  await withServiceWorker(env, bundle, uniqueName('via'), async (projects) => {
    const calls = new CallClient(env.client, projects.taskQueue);
    await calls.open(call, reviewerPool);
    const projectId = await calls.registerApplication(call.id, actors.pi, anApplication({ id: 'TE2-0001' }));
    const callId = `call:${call.id}`;
    // Straight to Temporal with the service's own sealed client, past the door and the gateway's checks.
    const update = (id: string, name: string, args: object) => env.client.workflow.getHandle(id).executeUpdate(name, { args: [args] });
    const accepted = async (id: string) =>
      (await env.client.workflow.getHandle(id).fetchHistory()).events!.flatMap(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? [],
      );
    const before = [await accepted(projectId), await accepted(callId)];
    expect(before).toEqual([[], ['call.registerApplication']]);

    const { via: _pi, ...lin } = actors.pi;
    const { via: _office, ...kao } = actors.office;
    const around: [string, string, object][] = [
      [projectId, 'application.submit', { actor: lin, payload: {} }],
      // The example: the office's payment, as anyone with the keys could have sent it.
      [projectId, 'tranche.pay', { actor: kao, payload: { paymentReference: 'PAY-1' } }],
      [projectId, 'project.commands', { commands: [{ type: 'application.submit', actor: lin, payload: {} }] }],
      [callId, 'call.registerApplication', { actor: lin, application: anApplication({ id: 'TE2-0002' }) }],
    ];
    for (const [id, name, args] of around) {
      expect(await refusal(update(id, name, args))).toEqual({
        type: 'FORBIDDEN',
        message: expect.stringContaining(
          "carries no log-in; a person's command must carry who authenticated them (via): send it through the service's API",
        ) as unknown,
      });
    }
    expect([await accepted(projectId), await accepted(callId)]).toEqual(before);

    // The same commands with the log-in the door sets are taken.
    expect(await update(projectId, 'application.submit', { actor: actors.pi, payload: {} })).toMatchObject({ lifecycle: 'submitted' });
    expect(await update(callId, 'call.registerApplication', { actor: actors.pi, application: anApplication({ id: 'TE2-0002' }) })).toBe(
      `project:${call.id}:TE2-0002`,
    );
    expect([await accepted(projectId), await accepted(callId)]).toEqual([
      [...before[0]!, 'application.submit'],
      [...before[1]!, 'call.registerApplication'],
    ]);
    for (const id of [projectId, `project:${call.id}:TE2-0002`, callId]) await env.client.workflow.getHandle(id).terminate('test finished');
  });
});
