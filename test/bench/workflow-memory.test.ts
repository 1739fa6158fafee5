/**
 * `make bench` (bounded in `make test`): what a project's workflow costs in the worker's memory
 * while it is kept between tasks, the figure the worker's cache is sized on (`cachedWorkflowsFor` in
 * worker/create-worker.ts). Starts BENCH_MEMORY_WORKFLOWS submitted projects on one worker, all
 * kept (the cache is larger), and prints the process's resident memory per workflow. Prints
 * figures; asserts only that every project was submitted and the cache holds a sane number.
 *
 *   BENCH_MEMORY_WORKFLOWS=300 npx jest test/bench/workflow-memory
 */
import { getHeapStatistics } from 'node:v8';
import { alliance105 } from '../../domain/calls';
import { cachedWorkflowsFor } from '../../worker/create-worker';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall, withServiceWorker } from '../helpers/project-harness';

const WORKFLOWS = Number(process.env.BENCH_MEMORY_WORKFLOWS ?? 30);
jest.setTimeout(Math.max(120_000, WORKFLOWS * 1_000));

it('prints the memory a kept project workflow takes, and the cache that fits the heap', async () => {
  const [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
  const call = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('memory'));
  const mib = (): number => process.memoryUsage().rss / 2 ** 20;
  try {
    await withServiceWorker(env, bundle, uniqueName('memory'), async (projects) => {
      const start = async (id: string): Promise<string> => {
        const projectId = await projects.create(call, anApplication({ id }));
        return (await projects.send(projectId, 'application.submit', actors.pi, {})).lifecycle;
      };
      // The worker's own first costs (its sandbox, the bundle) before the count starts.
      for (let i = 0; i < 10; i++) await start(`TE2-${9000 + i}`);
      const before = mib();
      const states: string[] = [];
      for (let from = 0; from < WORKFLOWS; from += 10)
        states.push(
          ...(await Promise.all(Array.from({ length: Math.min(10, WORKFLOWS - from) }, (_, k) => start(`TE2-${String(from + k).padStart(4, '0')}`)))),
        );
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const each = ((mib() - before) / WORKFLOWS) * 1024;
      const heap = getHeapStatistics().heap_size_limit / 2 ** 20;
      const sdkDefault = Math.floor(((heap - 200) * 600) / 1024);
      console.log(
        [
          `project workflows kept: ${WORKFLOWS}, resident memory ${before.toFixed(0)} → ${mib().toFixed(0)} MiB: ${each.toFixed(0)} KiB each`,
          `heap limit ${heap.toFixed(0)} MiB: the SDK's default cache ${sdkDefault} workflows (${((sdkDefault * each) / 2 ** 20).toFixed(1)} GiB at this size); the service's ${cachedWorkflowsFor(heap)} (${((cachedWorkflowsFor(heap) * each) / 2 ** 20).toFixed(1)} GiB)`,
        ].join('\n'),
      );
      expect(states.every((s) => s === 'submitted')).toBe(true);
      expect(cachedWorkflowsFor(heap)).toBeLessThan(sdkDefault);
    });
  } finally {
    await env.teardown();
  }
});
