import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { ApiClient } from '../client/api-client';
import { startApi, tokenFor } from './helpers/api';
import { allianceAs } from './helpers/cli';
import { connectDevServer, uniqueName } from './helpers/environments';
import { bundleServiceWorkflows, withServiceWorker } from './helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/**
 * A bounded demo: the first 16 applications of the cohort (some funded for one year, some for more)
 * on a calendar short enough for them, about 80 s a run. The 91 take the same steps, only longer.
 */
const BOUNDED = ['demo', '--applications', '16', '--endorsement-in', '30', '--year-one-in', '60', '--year-length', '15'];

/** Lifecycles that owe the programme nothing more: no deadline of theirs can fall due. */
const ended = /^(closed|terminated|rejected|lapsed|withdrawn)$/;

it(
  'runs the demo again on the same service, on a call of its own, after the first run has ended its projects',
  async () => {
    const taskQueue = uniqueName('demo');
    await withServiceWorker(env, bundle, taskQueue, async () => {
      const api = await startApi(env, taskQueue);
      try {
        const office = new ApiClient(api.url, () => tokenFor('kao'));
        const callIds: string[] = [];
        for (const run of [1, 2]) {
          const demo = await allianceAs('kao', api.url, BOUNDED);
          expect({ run, status: demo.status, stderr: demo.status === 0 ? '' : demo.stderr }).toEqual({ run, status: 0, stderr: '' });
          expect(demo.stdout).toMatch(/^division\s+applied\s+approved\s+NT\$ approved\s+overdue reports\n/);
          expect(demo.stdout).toMatch(/\ntotal\s+16\s+\d+\s+NT\$[\d,]+\s+\d+\n/);
          expect(demo.stderr).toMatch(/projects ended: [1-9]\d* closed on their closing reports, [1-9]\d* terminated after year 1/);
          callIds.push(/demo finished in \d+ s; call (\S+),/.exec(demo.stderr)![1]!);

          // What the run leaves behind owes nothing: none of its projects has a report left to fall due.
          const { projects } = await office.calls.status(callIds.at(-1)!);
          const lifecycles = await Promise.all(projects.map(async (p) => `${p.applicationId} ${(await office.projects.view(p.projectId)).lifecycle}`));
          expect(lifecycles.filter((l) => !ended.test(l.split(' ')[1]!))).toEqual([]);
        }
        expect(new Set(callIds).size).toBe(2);
      } finally {
        await api.close();
      }
    });
  },
  10 * 60_000,
);
