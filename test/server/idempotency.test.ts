// A command sent again under its Idempotency-Key acts once and is answered as the first time: a
// registration, a project's command and one the call keeps (an endorsement); a key is one person's.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../../domain/calls';
import type { Problem } from '../../domain/api';
import { anApplication } from '../fixtures/applications';
import { call, tokenFor, withApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall as calendar } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

it('acts once on a command sent twice under one Idempotency-Key, answering the same, and keeps keys apart per person', async () => {
  await withApi(env, bundle, async (api) => {
    const [office, lin, chen, ntu] = await Promise.all(['kao', 'pi-lin', 'pi-chen', 'ntu-rd'].map((u) => tokenFor(u)));
    const callFile = compressedCall(alliance105, Date.now(), calendar, uniqueName('idempotent'));
    expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: [] })).status).toBe(201);
    const application = anApplication({ id: 'TE2-0001' });
    const key = { 'idempotency-key': 'reg-7f3a9c' };

    // A registration sent again after its answer was lost: the same project, not "already registered".
    const register = () => call<{ projectId: string }>(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application }, key);
    const [first, again] = [await register(), await register()];
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body);
    // Without the key, the same registration is refused: it acts a second time and the call says so.
    const unkeyed = await call<Problem>(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application });
    expect(unkeyed.status).toBe(400);
    expect(unkeyed.body.detail).toMatch(/already registered/);

    // A project's own command: submitted once, the second answer the first's, one transition in the log.
    const project = `/api/projects/${callFile.id}/TE2-0001`;
    const submit = () => call(api, 'POST', `${project}/application.submit`, lin, {}, { 'idempotency-key': 'submit-1' });
    const [submitted, resubmitted] = [await submit(), await submit()];
    expect([submitted.status, resubmitted.status]).toEqual([200, 200]);
    expect(resubmitted.body).toEqual(submitted.body);

    // One the call keeps: the endorsement goes through the call's roster, once.
    const endorse = () =>
      call(
        api,
        'POST',
        `${project}/endorsement.record`,
        ntu,
        { rosterId: 'NTU-R1', letterReference: '臺大研字第1050000001號' },
        { 'idempotency-key': 'endorse-1' },
      );
    const [endorsed, reendorsed] = [await endorse(), await endorse()];
    expect([endorsed.status, reendorsed.status]).toEqual([200, 200]);
    expect(reendorsed.body).toEqual(endorsed.body);
    const log = await call<{ event: string }[]>(api, 'GET', `${project}/log`, office);
    expect(log.body.map((e) => e.event)).toEqual(['application.submit', 'endorsement.record']);
    const status = await call<{ rosters: unknown[] }>(api, 'GET', `/api/calls/${callFile.id}`, office);
    expect(status.body.rosters).toHaveLength(1);

    // Another person's command under the same key is theirs: refused on its own merits, not answered with pi-lin's outcome.
    const stranger = await call<Problem>(api, 'POST', `${project}/application.withdraw`, chen, { reason: 'not mine' }, { 'idempotency-key': 'submit-1' });
    expect(stranger.status).toBe(403);

    // The same person's key used for another command is refused before anything is sent, not answered with the first outcome.
    const reused = await call<Problem>(api, 'POST', `${project}/application.withdraw`, lin, { reason: 'changed my mind' }, { 'idempotency-key': 'submit-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('KEY_REUSED');
    expect(reused.body.detail).toMatch(/used before for another request/);
    const otherBody = await call<{ projectId: string }>(
      api,
      'POST',
      `/api/calls/${callFile.id}/applications`,
      lin,
      { application: { ...application, title: '另一個標題' } },
      key,
    );
    expect(otherBody.status).toBe(422);

    // A key that cannot be one is refused before anything is sent.
    const bad = await call<Problem>(api, 'POST', `${project}/application.withdraw`, lin, { reason: 'x' }, { 'idempotency-key': 'no spaces/or slashes' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/Idempotency-Key: expected 1 to 128 letters/);
    expect((await call<{ lifecycle: string }>(api, 'GET', project, lin)).body.lifecycle).toBe('endorsed');
  });
});
