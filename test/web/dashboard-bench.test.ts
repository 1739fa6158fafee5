/**
 * The dashboard's speed, printed, never asserted: a call with BENCH_PROJECTS applications (40 in
 * `make test`, 1,000 in `make bench-web`), the office's dashboard of that call requested
 * BENCH_REQUESTS times one after another through HTTP, as a logged-in browser would.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { readKeyRing } from '../../activities/crypto/key-ring';
import { CallClient } from '../../activities/temporal/calls';
import { alliance105 } from '../../domain/calls';
import { SessionCookies, SESSION_COOKIE } from '../../server/session';
import { anApplication } from '../fixtures/applications';
import { startApi } from '../helpers/api';
import { connectDevServer, testPayloadKeysFile, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, withServiceWorker } from '../helpers/project-harness';

const projects = Number(process.env.BENCH_PROJECTS ?? 40);
const requests = Number(process.env.BENCH_REQUESTS ?? 20);
jest.setTimeout(Math.max(5 * 60_000, projects * 500));

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

it(`renders the office's dashboard of a call with ${projects} projects (figures printed)`, async () => {
  const taskQueue = uniqueName('web-bench');
  const callId = uniqueName('bench-call');
  const call = compressedCall(alliance105, Date.now(), { applicationClosesIn: 86_400, endorsementIn: 86_500, firstYearStartsIn: 90_000, yearLength: 'P1Y', progressReportDueBeforeYearEnd: 'P3M', closingReportGrace: 'P3M' }, callId);
  await withServiceWorker(env, bundle, taskQueue, async (_projects, ledger) => {
    const calls = new CallClient(env.client, taskQueue);
    await calls.open(call, []);
    const divisions = ['TE1', 'TE2', 'TE3', 'TE4', 'TE5', 'TB1', 'TS1', 'TM1'] as const;
    const regions = ['north', 'central', 'south', 'eastAndIslands'] as const;
    const started = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = next++; i < projects; i = next++) {
        const pi = { ...anApplication().pi, id: `pi-bench-${i}` };
        const application = anApplication({ id: `${divisions[i % 8]}-${String(i).padStart(4, '0')}`, division: divisions[i % 8], region: regions[i % 4], pi });
        await calls.registerApplication(callId, { role: 'pi', id: pi.id }, application);
      }
    }));
    const seeding = (Date.now() - started) / 1000;

    const api = await startApi(env, taskQueue, ledger);
    try {
      const cookie = new SessionCookies(readKeyRing(testPayloadKeysFile).derive('web session')).seal('session', { actor: { role: 'office', id: 'office-kao' }, expiresAt: Date.now() + 3600_000 });
      const get = async (): Promise<{ ms: number; body: string }> => {
        const from = process.hrtime.bigint();
        const response = await fetch(`${api.url}/web?call=${callId}`, { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } });
        const body = await response.text();
        expect(response.status).toBe(200);
        return { ms: Number(process.hrtime.bigint() - from) / 1e6, body };
      };
      // The search attributes reach the visibility store a moment after each registration.
      for (let first = await get(); !first.body.includes(`<td class="number">${projects}</td></tr></tbody>`); first = await get()) await new Promise((r) => setTimeout(r, 500));
      const samples: number[] = [];
      for (let i = 0; i < requests; i++) samples.push((await get()).ms);
      samples.sort((a, b) => a - b);
      console.log(`dashboard of a call with ${projects} projects (seeded in ${seeding.toFixed(1)} s): n=${samples.length} min ${samples[0]!.toFixed(1)} / p50 ${quantile(samples, 0.5).toFixed(1)} / p95 ${quantile(samples, 0.95).toFixed(1)} / max ${samples.at(-1)!.toFixed(1)} ms`);
    } finally {
      await api.close();
    }
  });
});
