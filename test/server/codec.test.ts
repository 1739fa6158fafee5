import type { Problem } from '../../domain/api';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { readKeyRing } from '../../activities/crypto/key-ring';
import { rotateKeyFile } from '../../tlog/key-file';
import { decodeHistoryJson } from '../../gateway/history-codec';
import { serviceDataConverter } from '../../gateway/payload-codec';
import { DiskDocumentStore } from '../../activities/documents/document-store';
import { alliance105 } from '../../domain/calls';
import { anApplication } from '../fixtures/applications';
import { call, formLogin, TEST_WEB_UI_ORIGIN, tokenFor, withApi, type RunningApi } from '../helpers/api';
import { connectDevServer, testDocumentsDir, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall } from '../helpers/project-harness';
import { untracedSinks } from '../../worker/create-worker';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const secrets = { name: '林志明', email: 'lin@ntu.edu.tw', comment: '委員一的秘密意見：量產良率數據不足' };

/** Payloads in a history's JSON form, as the Web UI sends them to a codec server. */
function payloadsIn(json: unknown): { metadata: Record<string, string>; data?: string }[] {
  const found: { metadata: Record<string, string>; data?: string }[] = [];
  const walk = (value: unknown, key = ''): void => {
    // Plaintext by design: search attributes (call, division, region, institution code, state, year,
    // phase) and the SDK's own patch markers ({"id":"notices-v1"}), which never pass a codec.
    if (['searchAttributes', 'upsertWorkflowSearchAttributesEventAttributes', 'markerRecordedEventAttributes'].includes(key)) return;
    if (Array.isArray(value)) value.forEach((v) => walk(v));
    else if (value && typeof value === 'object') {
      const v = value as { metadata?: Record<string, string>; data?: string };
      if (v.metadata && typeof v.metadata.encoding === 'string') found.push({ metadata: v.metadata, ...(v.data ? { data: v.data } : {}) });
      else Object.entries(value).forEach(([k, inner]) => walk(inner, k));
    }
  };
  walk(json);
  return found;
}
const textOf = (payloads: { data?: string }[]): string => payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8')).join('\n');

/** A call whose deadlines lie hours away: nothing fires while the test runs. */
const slowCall = {
  applicationClosesIn: 3600,
  endorsementIn: 3700,
  firstYearStartsIn: 7200,
  yearLength: 'P1Y',
  progressReportDueBeforeYearEnd: 'P3M',
  closingReportGrace: 'P3M',
};
const pool = ['rev-te2-01', 'rev-te2-02'].map((id) => ({
  id,
  name: id,
  email: `${id}@reviewers.example.tw`,
  institutionId: 'NTHU',
  divisions: ['TE2' as const],
  conflicts: { applicationIds: [], institutionIds: [] },
}));

/** A key ring of one key of `file` only: a process that was never given the newer keys. */
/** The service's converter under a given key ring, with the tests' document store. */
const converterOf = (ring: ReturnType<typeof readKeyRing>) => serviceDataConverter(ring, new DiskDocumentStore(testDocumentsDir, ring));

function onlyKey(file: string, id: string): ReturnType<typeof readKeyRing> {
  const content = JSON.parse(readFileSync(file, 'utf8')) as { keys: { id: string }[] };
  const one = path.join(path.dirname(file), `only-${id}.json`);
  writeFileSync(one, JSON.stringify({ current: id, keys: content.keys.filter((k) => k.id === id) }));
  return readKeyRing(one);
}

/** A call, the PI's application, endorsed and reviewed with a comment, all through the API. */
async function reviewedProject(api: RunningApi): Promise<string> {
  const office = await tokenFor('kao');
  const callFile = compressedCall(alliance105, Date.now(), slowCall, uniqueName('codec-call'));
  expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: pool })).status).toBe(201);
  expect(
    (await call(api, 'POST', `/api/calls/${callFile.id}/applications`, await tokenFor('pi-lin'), { application: anApplication({ id: 'TE2-0001' }) })).status,
  ).toBe(201);
  const project = `${callFile.id}/TE2-0001`;
  const send = async (user: string, type: string, body: object = {}) =>
    expect((await call(api, 'POST', `/api/projects/${project}/${type}`, await tokenFor(user), body)).status).toBe(200);
  await send('pi-lin', 'application.submit');
  await send('ntu-rd', 'endorsement.record', { rosterId: 'R', letterReference: 'L' });
  await send('kao', 'review.start');
  await send('kao', 'reviewer.assign', { reviewerId: 'rev-te2-01' });
  await send('rev-te2-01', 'review.record', { score: 88, recommendation: 'fund', comments: secrets.comment });
  return `project:${project.replace('/', ':')}`;
}

/** A Keycloak log-in through its HTML form, as a browser would, following the API's redirects. */
async function browserLogin(api: RunningApi, username: string, returnTo: string): Promise<{ cookie: string; landedAt: string }> {
  const back = await formLogin(api.url, username, returnTo);
  expect(back.status).toBe(303);
  const session = back.setCookies.find((c) => c.startsWith('alliance_session='))!;
  expect(session).toMatch(/HttpOnly/);
  expect(session).toMatch(/SameSite=Lax/);
  return { cookie: session.split(';')[0]!, landedAt: back.location! };
}

describe('payloads reach Temporal encrypted', () => {
  it("keeps the PI's name and e-mail and the review comments out of Temporal; the codec server gives them back to the office only", async () => {
    await withApi(env, bundle, async (api) => {
      const workflowId = await reviewedProject(api);
      // Read straight from Temporal, without the codec: as the Web UI, `temporal workflow show` or a database dump see it.
      const plain = new Client({ connection: env.connection });
      const history = await plain.workflow.getHandle(workflowId).fetchHistory();
      const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      for (const secret of Object.values(secrets)) expect(bytes.includes(Buffer.from(secret))).toBe(false);
      // The notices went out from this very history (their recipients' addresses in the activities' input), encrypted too.
      expect(
        history.events!.filter((e) =>
          ['deliverNotices', 'recordTransitionWithNotices'].includes(e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''),
        ).length,
      ).toBeGreaterThan(0);

      const payloads = payloadsIn(JSON.parse(historyToJSON(history)));
      expect(
        payloads
          .filter((p) => Buffer.from(p.metadata.encoding!, 'base64').toString() !== 'binary/encrypted')
          .map((p) => Buffer.from(p.data ?? '', 'base64').toString()),
      ).toEqual([]);
      const decode = (token?: string, headers: Record<string, string> = {}) =>
        call<{ payloads: { data?: string }[] }>(api, 'POST', '/codec/decode', token, { payloads }, headers);
      expect((await decode()).status).toBe(401);
      expect((await decode(await tokenFor('pi-lin'))).status).toBe(403);
      const office = await decode(await tokenFor('kao'));
      expect(office.status).toBe(200);
      for (const secret of Object.values(secrets)) expect(textOf(office.body.payloads)).toContain(secret);
      // Encoding is no person's: a payload sealed by hand (a command with an actor and a log-in of its
      // writer's choosing) would pass every validator, so not even the office's log-in gets one.
      const forged = {
        payloads: [
          {
            metadata: { encoding: Buffer.from('json/plain').toString('base64') },
            data: Buffer.from(JSON.stringify({ actor: { role: 'office', id: 'office-kao', via: { issuer: 'x', subject: 'y' } } })).toString('base64'),
          },
        ],
      };
      for (const who of ['kao', 'wu', 'pi-lin']) {
        const encoded = await call<Problem>(api, 'POST', '/codec/encode', await tokenFor(who), forged);
        expect(encoded.status).toBe(403);
        expect(encoded.body.detail).toMatch(/Encoding payloads for Temporal is for no one but the service itself/);
      }
      // A payload altered in storage is refused with a 4xx, never decoded to something else.
      const altered = {
        ...payloads[0]!,
        data: Buffer.from(Buffer.from(payloads[0]!.data!, 'base64').map((b, i) => (i === 20 ? b ^ 1 : b))).toString('base64'),
      };
      expect((await call(api, 'POST', '/codec/decode', await tokenFor('kao'), { payloads: [altered] })).status).toBe(400);

      // The auditor's raw history is decoded by the service; as stored it is ciphertext.
      const auditor = await tokenFor('wu');
      const decoded = await call<{ decoded: boolean; runs: { history: unknown }[] }>(api, 'GET', `/api/audit/history/${workflowId}?raw=true`, auditor);
      expect(decoded.body.decoded).toBe(true);
      expect(textOf(payloadsIn(decoded.body.runs))).toContain(secrets.comment);
      const stored = await call<{ runs: unknown[] }>(api, 'GET', `/api/audit/history/${workflowId}?raw=true&decode=false`, auditor);
      expect(textOf(payloadsIn(stored.body.runs))).not.toContain(secrets.comment);
    });
  });
});

describe("payloads reach Temporal encrypted: the Web UI's codec server", () => {
  it('answers the Web UI after a browser log-in (session cookie, CORS for its origin only); logging out ends it', async () => {
    await withApi(env, bundle, async (api) => {
      const sample = { payloads: [] };
      const { cookie, landedAt } = await browserLogin(api, 'kao', `${TEST_WEB_UI_ORIGIN}/namespaces/default/workflows`);
      expect(landedAt).toBe(`${TEST_WEB_UI_ORIGIN}/namespaces/default/workflows`);
      const fromUi = await fetch(`${api.url}/codec/decode`, {
        method: 'POST',
        headers: { cookie, origin: TEST_WEB_UI_ORIGIN, 'content-type': 'application/json', 'x-namespace': 'default' },
        body: JSON.stringify(sample),
      });
      expect(fromUi.status).toBe(200);
      expect(fromUi.headers.get('access-control-allow-origin')).toBe(TEST_WEB_UI_ORIGIN);
      expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');
      // Every answer names its request, as the API's log lines do.
      expect(fromUi.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const preflight = await fetch(`${api.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin: TEST_WEB_UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
      // Another site's page gets no CORS answer: the browser hides the response from it.
      const elsewhere = await fetch(`${api.url}/codec/decode`, {
        method: 'POST',
        headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
        body: JSON.stringify(sample),
      });
      expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
      // A forged or altered cookie is no session; neither is an open redirect a return address.
      expect(
        (
          await fetch(`${api.url}/codec/decode`, {
            method: 'POST',
            headers: { cookie: `${cookie.slice(0, -2)}xx`, 'content-type': 'application/json' },
            body: JSON.stringify(sample),
          })
        ).status,
      ).toBe(401);
      // Whatever `return` says, the log-in comes back here or to the Web UI: never elsewhere, never a 5xx.
      for (const target of ['https://evil.example/', '//evil.example/', '/\t/evil.example', '/\\evil.example', `${TEST_WEB_UI_ORIGIN}/x\r\nSet-Cookie: a=b`]) {
        const away = await browserLogin(api, 'kao', target);
        expect(
          away.landedAt.startsWith('/') && !away.landedAt.startsWith('//') && !/[\\\t\r\n]/.test(away.landedAt)
            ? 'here'
            : away.landedAt.startsWith(`${TEST_WEB_UI_ORIGIN}/`)
              ? 'web ui'
              : away.landedAt,
        ).toMatch(/^(here|web ui)$/);
      }
      // A PI's session decodes nothing.
      const pi = await browserLogin(api, 'pi-lin', '/');
      expect(pi.landedAt).toBe('/');
      expect(
        (
          await fetch(`${api.url}/codec/decode`, {
            method: 'POST',
            headers: { cookie: pi.cookie, 'content-type': 'application/json' },
            body: JSON.stringify(sample),
          })
        ).status,
      ).toBe(403);
      const out = await fetch(`${api.url}/auth/logout`, { method: 'POST', headers: { cookie } });
      expect(out.status).toBe(204);
      expect(out.headers.getSetCookie()[0]).toMatch(/^alliance_session=; .*Max-Age=0/);
    });
  });
});

describe('key rotation', () => {
  it('writes under the newest key; histories under the old key and the new one both decode and replay', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-keys-')), 'payload-keys.json');
    const first = rotateKeyFile(file, new Date('2026-01-01T00:00:00Z'));
    const withRing = async (ring: ReturnType<typeof readKeyRing>): Promise<string> => {
      const client = new Client({ connection: env.connection, dataConverter: converterOf(ring) });
      const ringEnv = Object.create(env, { client: { value: client } }) as TestWorkflowEnvironment;
      return withApi(ringEnv, bundle, async (api) => {
        const callFile = compressedCall(alliance105, Date.now(), slowCall, uniqueName('rotation'));
        expect((await call(api, 'POST', '/api/calls', await tokenFor('kao'), { call: callFile, reviewerPool: pool })).status).toBe(201);
        expect(
          (await call(api, 'POST', `/api/calls/${callFile.id}/applications`, await tokenFor('pi-lin'), { application: anApplication({ id: 'TE2-0001' }) }))
            .status,
        ).toBe(201);
        expect((await call(api, 'POST', `/api/projects/${callFile.id}/TE2-0001/application.submit`, await tokenFor('pi-lin'), {})).status).toBe(200);
        return `project:${callFile.id}:TE2-0001`;
      });
    };
    const startedBeforeRotation = readKeyRing(file);
    const before = await withRing(startedBeforeRotation);
    const second = rotateKeyFile(file, new Date('2026-01-01T00:00:00Z'));
    expect(second).not.toBe(first);
    const rotated = readKeyRing(file);
    expect(rotated.currentId).toBe(second);
    const after = await withRing(rotated);

    const plain = new Client({ connection: env.connection });
    const histories = await Promise.all(
      [before, after].map(async (workflowId) => ({ workflowId, history: await plain.workflow.getHandle(workflowId).fetchHistory() })),
    );
    const keyIds = histories.map(
      ({ history }) =>
        new Set(payloadsIn(JSON.parse(historyToJSON(history))).map((p) => Buffer.from(p.metadata['encryption-key-id'] ?? '', 'base64').toString())),
    );
    expect([...keyIds[0]!]).toEqual([first]);
    expect([...keyIds[1]!]).toEqual([second]);
    for (const { history } of histories) {
      const decoded = await decodeHistoryJson(JSON.parse(historyToJSON(history)) as unknown, converterOf(rotated).payloadCodecs!);
      expect(textOf(payloadsIn(decoded))).toContain(secrets.email);
    }
    // The old key alone cannot read the new history: the error names the key to add.
    await expect(
      decodeHistoryJson(JSON.parse(historyToJSON(histories[1]!.history)) as unknown, converterOf(onlyKey(file, first)).payloadCodecs!),
    ).rejects.toThrow(new RegExp(`key ${second}.*ALLIANCE_PAYLOAD_KEYS_FILE`));
    // A process started before the rotation (a rolling restart) learns the new key from the file when it meets it.
    const learned = await decodeHistoryJson(JSON.parse(historyToJSON(histories[1]!.history)) as unknown, converterOf(startedBeforeRotation).payloadCodecs!);
    expect(textOf(payloadsIn(learned))).toContain(secrets.email);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: bundle, dataConverter: converterOf(rotated), sinks: untracedSinks },
      histories.map((h) => ({ workflowId: h.workflowId, history: historyFromJSON(JSON.parse(historyToJSON(h.history))) })),
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
