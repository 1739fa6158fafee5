// The API's conventions a client leans on: a stale If-Match is refused (412) leaving the history as
// it was; every list pages to its end through its Link header; /metrics counts what was sent.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../../domain/calls';
import type { Problem } from '../../domain/api';
import { ApiClient } from '../../client/api-client';
import { anApplication } from '../fixtures/applications';
import { call, tokenFor, withApi, type RunningApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall as calendar } from '../helpers/project-harness';
import { parsePrometheus, sampleValue } from '../helpers/prometheus';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** Every page of a list, following Link rel="next", and the number of pages it took. */
async function allPages(
  api: RunningApi,
  path: string,
  token: string,
  itemsOf = (body: unknown): unknown[] => body as unknown[],
): Promise<{ items: unknown[]; pages: number }> {
  const items: unknown[] = [];
  let next: string | null = path;
  let pages = 0;
  while (next) {
    const response = await fetch(`${api.url}${next}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    items.push(...itemsOf(await response.json()));
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1] ?? null;
    if (++pages > 500) throw new Error(`${path} pages without end`);
  }
  return { items, pages };
}

/** Two calls, each with a submitted application: what the lists below page through. */
async function twoCalls(api: RunningApi, office: string, lin: string): Promise<string[]> {
  const ids: string[] = [];
  for (const name of ['pages-a', 'pages-b']) {
    const callFile = compressedCall(alliance105, Date.now(), calendar, uniqueName(name));
    expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: [] })).status).toBe(201);
    for (const id of ['TE2-0001', 'TE2-0002']) {
      expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application: anApplication({ id }) })).status).toBe(201);
      expect((await call(api, 'POST', `/api/projects/${callFile.id}/${id}/application.submit`, lin, {})).status).toBe(200);
    }
    ids.push(callFile.id);
  }
  return ids;
}

it('refuses a command sent against a state the project has left with 412, its history unchanged', async () => {
  await withApi(env, bundle, async (api) => {
    const [office, lin, ntu] = await Promise.all(['kao', 'pi-lin', 'ntu-rd'].map((u) => tokenFor(u)));
    const callFile = compressedCall(alliance105, Date.now(), calendar, uniqueName('etag'));
    expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: [] })).status).toBe(201);
    expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application: anApplication({ id: 'TE2-0001' }) })).status).toBe(201);
    const project = `/api/projects/${callFile.id}/TE2-0001`;
    const read = await fetch(`${api.url}${project}`, { headers: { authorization: `Bearer ${lin}` } });
    const seen = read.headers.get('etag')!;
    expect(seen).toMatch(/^"\d+"$/);

    // Sent against what was read: accepted, and the answer carries the new ETag.
    const submitted = await fetch(`${api.url}${project}/application.submit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lin}`, 'content-type': 'application/json', 'if-match': seen },
      body: '{}',
    });
    expect(submitted.status).toBe(200);
    const now = submitted.headers.get('etag')!;
    expect(now).not.toBe(seen);

    // The old ETag again: refused before anything is kept, directly and through the call alike.
    const stale = await call<Problem>(api, 'POST', `${project}/application.withdraw`, lin, { reason: 'changed my mind' }, { 'if-match': seen });
    expect([stale.status, stale.body.code]).toEqual([412, 'STALE']);
    const endorsement = { rosterId: 'NTU-R1', letterReference: '臺大研字第1050000001號' };
    const staleThroughCall = await call<Problem>(api, 'POST', `${project}/endorsement.record`, ntu, endorsement, { 'if-match': seen });
    expect([staleThroughCall.status, staleThroughCall.body.code]).toEqual([412, 'STALE']);
    expect((await call<Problem>(api, 'POST', `${project}/application.withdraw`, lin, { reason: 'x' }, { 'if-match': 'W/"1"' })).status).toBe(412);
    expect((await call<Problem>(api, 'POST', `${project}/application.withdraw`, lin, { reason: 'x' }, { 'if-match': 'soon' })).status).toBe(400);
    const history = await env.client.workflow.getHandle(`project:${callFile.id}:TE2-0001`).fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
    expect((await call<{ event: string }[]>(api, 'GET', `${project}/log`, office)).body.map((e) => e.event)).toEqual(['application.submit']);

    // The current ETag is honoured; * matches any state.
    expect((await call(api, 'POST', `${project}/endorsement.record`, ntu, endorsement, { 'if-match': now })).status).toBe(200);
    expect((await call(api, 'POST', `${project}/application.withdraw`, lin, { reason: 'changed my mind' }, { 'if-match': '*' })).status).not.toBe(412);
  });
});

it('pages every list to its end through the Link header, and refuses a cursor it never gave', async () => {
  await withApi(env, bundle, async (api) => {
    const [office, lin] = (await Promise.all(['kao', 'pi-lin'].map((u) => tokenFor(u)))) as [string, string];
    const [callA] = await twoCalls(api, office, lin);
    const project = `/api/projects/${callA}/TE2-0001`;
    const lists = [
      '/api/calls',
      `/api/projects?call=${callA}`,
      `${project}/log`,
      `${project}/notices`,
      `/api/audit/search?call=${callA}`,
      `/api/audit/history/project:${callA}:TE2-0001`,
      '/api/alerts',
      '/api/notices/undelivered',
      '/api/audit/quarantine',
    ];
    for (const path of lists) {
      const whole = await call<unknown[]>(api, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=1000`, office);
      expect([path, whole.status]).toEqual([path, 200]);
      const paged = await allPages(api, `${path}${path.includes('?') ? '&' : '?'}limit=1`, office);
      expect([path, paged.items]).toEqual([path, whole.body]);
      expect(paged.pages).toBe(Math.max(1, whole.body.length));
    }
    expect((await call<unknown[]>(api, 'GET', `/api/projects?call=${callA}`, office)).body).toHaveLength(2);
    // A person's work pages its projects the same way, who they are on every page.
    const mine = await call<{ projects: unknown[] }>(api, 'GET', '/api/me?limit=1000', lin);
    expect(mine.body.projects.length).toBeGreaterThanOrEqual(4);
    const mePaged = await allPages(api, '/api/me?limit=1', lin, (body) => (body as { projects: unknown[] }).projects);
    expect([mePaged.items, mePaged.pages]).toEqual([mine.body.projects, mine.body.projects.length]);
    expect((await new ApiClient(api.url, () => Promise.resolve(lin)).me()).projects).toEqual(mine.body.projects);
    // The research office's to-do list: each submitted application to endorse, soonest first, paged like the rest.
    const ntu = await tokenFor('ntu-rd');
    const todo = await call<{ projectId: string; command: string; due: string }[]>(api, 'GET', '/api/me/todo?limit=1000', ntu);
    const ours = todo.body.filter((i) => i.projectId.startsWith(`project:${callA}:`));
    expect(ours.map((i) => [i.projectId, i.command])).toEqual(['TE2-0001', 'TE2-0002'].map((id) => [`project:${callA}:${id}`, 'endorsement.record']));
    expect(todo.body.map((i) => i.due)).toEqual(todo.body.map((i) => i.due).sort());
    expect((await allPages(api, '/api/me/todo?limit=1', ntu)).items).toEqual(todo.body);
    expect((await new ApiClient(api.url, () => Promise.resolve(lin)).todo()).filter((i) => i.projectId.startsWith(`project:${callA}:`))).toEqual([]);
    const bad = await call<Problem>(api, 'GET', '/api/calls?cursor=not-ours!', office);
    expect(bad.status).toBe(400);
    expect((await call<Problem>(api, 'GET', '/api/calls?limit=5000', office)).status).toBe(400);
  });
});

it('counts requests by route and status and commands by operation and outcome on /metrics, and is live and ready', async () => {
  await withApi(env, bundle, async (api) => {
    const [office, lin, chen] = await Promise.all(['kao', 'pi-lin', 'pi-chen'].map((u) => tokenFor(u)));
    const callFile = compressedCall(alliance105, Date.now(), calendar, uniqueName('metrics'));
    expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: [] })).status).toBe(201);
    expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application: anApplication({ id: 'TE2-0001' }) })).status).toBe(201);
    expect((await call(api, 'POST', `/api/projects/${callFile.id}/TE2-0001/application.submit`, lin, {})).status).toBe(200);
    expect((await call(api, 'POST', `/api/projects/${callFile.id}/TE2-0001/application.withdraw`, chen, { reason: 'x' })).status).toBe(403);
    expect((await call(api, 'GET', '/livez')).body).toEqual({ status: 'alive' });
    expect((await call(api, 'GET', '/readyz')).body).toEqual({ status: 'ready', checks: { temporal: 'ok', ledger: 'ok' } });
    // The call's status read until it is answered from the view kept (the call settles after its project starts).
    const statusReads = async (answer: string): Promise<number | undefined> =>
      sampleValue(parsePrometheus((await call<string>(api, 'GET', '/metrics')).body), 'alliance_api_call_status_reads_total', { answer });
    for (let reads = 0; reads < 20 && !(await statusReads('kept')); reads++) await call(api, 'GET', `/api/calls/${callFile.id}`, office);

    const metrics = await call<string>(api, 'GET', '/metrics');
    expect(metrics.contentType).toMatch(/^text\/plain/);
    const samples = parsePrometheus(metrics.body);
    expect(sampleValue(samples, 'alliance_api_commands_total', { operation: 'sendApplicationSubmit', outcome: 'accepted' })).toBe(1);
    expect(sampleValue(samples, 'alliance_api_commands_total', { operation: 'sendApplicationWithdraw', outcome: 'FORBIDDEN' })).toBe(1);
    expect(sampleValue(samples, 'alliance_api_commands_total', { operation: 'openCall', outcome: 'accepted' })).toBe(1);
    const route = '/api/projects/:callId/:applicationId/application.submit';
    expect(sampleValue(samples, 'alliance_api_request_duration_seconds_count', { method: 'POST', route, status: '200' })).toBe(1);
    expect(sampleValue(samples, 'alliance_api_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'alliance_api_call_status_reads_total', { answer: 'queried' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'alliance_api_call_status_reads_total', { answer: 'kept' })).toBeGreaterThan(0);
  });
});
