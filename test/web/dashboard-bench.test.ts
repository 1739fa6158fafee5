/**
 * The dashboard's speed, printed, never asserted: a call with BENCH_PROJECTS applications (40 in
 * `make test`, 1,000 in `make bench-web`), the office's dashboard of that call requested
 * BENCH_REQUESTS times one after another through HTTP, as a logged-in browser would.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { AuditClient } from '../../gateway/audit';
import { CallClient } from '../../gateway/calls';
import { alliance105 } from '../../domain/calls';
import { SESSION_COOKIE } from '../../server/session';
import { anApplication } from '../fixtures/applications';
import { person } from '../fixtures/people';
import { sessionFor, startApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
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
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 86_400,
      endorsementIn: 86_500,
      firstYearStartsIn: 90_000,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    callId,
  );
  await withServiceWorker(env, bundle, taskQueue, async (projectClient, ledger) => {
    const calls = new CallClient(env.client, taskQueue);
    await calls.open(call, []);
    const divisions = ['TE1', 'TE2', 'TE3', 'TE4', 'TE5', 'TB1', 'TS1', 'TM1'] as const;
    const regions = ['north', 'central', 'south', 'eastAndIslands'] as const;
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < projects; i = next++) {
          const pi = { ...anApplication().pi, id: `pi-bench-${i}` };
          const application = anApplication({
            id: `${divisions[i % 8]}-${String(i).padStart(4, '0')}`,
            division: divisions[i % 8],
            region: regions[i % 4],
            pi,
          });
          // An update the server aborts under load is safe to send again: a registered id is refused, not doubled.
          for (let attempt = 1; ; attempt++) {
            try {
              const id = await calls.registerApplication(callId, person('pi', pi.id), application);
              // Every other one submitted: the dashboard counts recorded states and drafts alike.
              if (i % 2 === 0) await projectClient.send(id, 'application.submit', person('pi', pi.id), {});
              break;
            } catch (error) {
              if (attempt >= 5 || (error as { code?: string }).code !== 'NOT_REACHABLE') throw error;
              console.log(`registration ${i}, attempt ${attempt}: ${(error as Error).message}`);
            }
          }
        }
      }),
    );
    const seeding = (Date.now() - started) / 1000;

    const api = await startApi(env, taskQueue, ledger);
    try {
      const cookie = await sessionFor(api, { role: 'office', id: 'office-kao' });
      const get = async (): Promise<{ ms: number; body: string }> => {
        const from = process.hrtime.bigint();
        const response = await fetch(`${api.url}/web?call=${callId}`, { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } });
        const body = await response.text();
        expect(response.status).toBe(200);
        return { ms: Number(process.hrtime.bigint() - from) / 1e6, body };
      };
      // The search attributes reach the visibility store a moment after each registration.
      // Each submission reaches the ledger's read model a moment after the transition.
      const submitted = Math.ceil(projects / 2);
      for (
        let first = await get();
        !new RegExp(`已送出</th>(<td class="number">\\d+</td>)*<td class="number">${submitted}</td></tr>`).test(first.body) ||
        !first.body.includes(`<td class="number">${projects}</td></tr></tbody>`);
        first = await get()
      )
        await new Promise((r) => setTimeout(r, 500));
      const samples: number[] = [];
      for (let i = 0; i < requests; i++) samples.push((await get()).ms);
      samples.sort((a, b) => a - b);
      // Where the time goes: the parts the page waits on, each timed alone.
      const audit = new AuditClient(env.client, ledger);
      const part = async (name: string, work: () => Promise<unknown>): Promise<string> => {
        const times: number[] = [];
        for (let i = 0; i < 10; i++) {
          const from = process.hrtime.bigint();
          await work();
          times.push(Number(process.hrtime.bigint() - from) / 1e6);
        }
        times.sort((a, b) => a - b);
        return `${name} p50 ${quantile(times, 0.5).toFixed(1)} ms`;
      };
      console.log(
        [
          await part('visibility search of the call', () => audit.search({ callId })),
          await part('ledger read model of the call', () => audit.recorded({ callId })),
          await part('call status query', () => calls.status(callId)),
        ].join('; '),
      );
      console.log(
        `dashboard of a call with ${projects} projects (seeded in ${seeding.toFixed(1)} s): n=${samples.length} min ${samples[0]!.toFixed(1)} / p50 ${quantile(samples, 0.5).toFixed(1)} / p95 ${quantile(samples, 0.95).toFixed(1)} / max ${samples.at(-1)!.toFixed(1)} ms`,
      );
    } finally {
      await api.close();
    }
  });
});
