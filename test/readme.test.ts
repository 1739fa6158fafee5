import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { bannerLabels } from '../worker/banner';
import { repositoryRoot } from '../worker/temporal-binaries';
import { withApi } from './helpers/api';
import { loginFileFor } from './helpers/cli';
import { connectDevServer } from './helpers/environments';
import { bundleServiceWorkflows } from './helpers/project-harness';
import { bannerLabelsIn, tourAccounts, tourBlocks, tourScript } from './helpers/readme';

const readme = readFileSync(path.join(repositoryRoot, 'README.md'), 'utf8');

describe('the README extractor', () => {
  it('finds the tour blocks in order, maps log-ins to the accounts named, and the banner labels', () => {
    const sample =
      'x\n<!-- tour -->\n```sh\nexport ALLIANCE_API_URL=http://127.0.0.1:8080\nnpx alliance login   # as kao\n```\ntext\n```sh\nnot me\n```\n<!-- tour -->\n```sh\nfor r in a b; do\n  npx alliance login   # as $r\n  npx alliance whoami\ndone\n```\n';
    const blocks = tourBlocks(sample);
    expect(blocks).toHaveLength(2);
    expect(tourAccounts(blocks)).toEqual(['kao', 'a', 'b']);
    expect(tourScript(blocks, { apiUrl: 'http://api', alliance: 'ALLIANCE' }).split('\n').slice(2)).toEqual([
      'export ALLIANCE_API_URL=http://api',
      '__login kao',
      'for r in a b; do',
      '  __login $r',
      '  ALLIANCE whoami',
      'done',
    ]);
    expect(() => tourScript(['npx alliance login'], { apiUrl: '', alliance: '' })).toThrow(/must name its account/);
  });

  it('notices a banner that no longer matches the code: a deliberately broken copy fails', () => {
    expect(bannerLabelsIn(readme)).toEqual([...bannerLabels]);
    const broken = readme.replace(/\n {2}Audit ledger [^\n]*/, '');
    expect(bannerLabelsIn(broken)).not.toEqual([...bannerLabels]);
  });
});

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

it("runs the README's tour verbatim against the test service: call → decision → paid first tranche → report accepted", async () => {
  const blocks = tourBlocks(readme);
  expect(blocks.length).toBeGreaterThanOrEqual(4);
  await withApi(env, bundle, async (api) => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'alliance-tour-'));
    const logins = path.join(home, 'logins');
    mkdirSync(logins);
    for (const account of tourAccounts(blocks)) copyFileSync(await loginFileFor(account, api.url), path.join(logins, `${account}.json`));
    // The tour's calendar leaves a reader four minutes to type; the test types faster, so it takes
    // the `quick` one (the same steps, a minute to apply): three minutes less of waiting.
    const script = tourScript(blocks, {
      apiUrl: api.url,
      alliance: `${process.execPath} ${path.join(repositoryRoot, 'dist/client/cli/alliance.js')}`,
      calendar: 'quick',
    });
    expect(script).toContain('--calendar quick');
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        ['-c', script],
        {
          cwd: repositoryRoot,
          timeout: 540_000,
          maxBuffer: 16 * 1024 * 1024,
          env: { PATH: process.env.PATH ?? '', HOME: home, LOGINS: logins, ALLIANCE_CREDENTIALS: path.join(home, 'login.json') },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect({ code: run.code, stderr: run.code ? run.stderr.slice(-3000) : '' }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/is open\. Applications close \d+\.\d\d\.\d\d \d\d:\d\d/);
    expect(run.stdout).toMatch(/state\s+execution/);
    expect(run.stdout).toMatch(/paid\s+Y1T1 NT\$900,000/);
    expect(run.stdout).toMatch(/reports accepted\s+year 1/);
  });
}, 600_000);
