import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { errorCodes } from '../domain/errors';
import { alliance105 } from '../domain/calls';
import type { Reviewer } from '../domain/reviewers';
import { anApplication } from './fixtures/applications';
import { startApi } from './helpers/api';
import { allianceAs, runAlliance, type CliRun } from './helpers/cli';
import { connectDevServer, uniqueName } from './helpers/environments';
import { recordHistories } from './helpers/histories';
import { bundleServiceWorkflows, compressedCall, withServiceWorker } from './helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-cli-'));
const file = (name: string, data: unknown): string => {
  const p = path.join(dir, name);
  writeFileSync(p, JSON.stringify(data));
  return p;
};

type Run = CliRun;

/** `alliance --as ROLE:ID` is gone: a test logs in as a seeded account of the identity provider. */
const accounts: Record<string, string> = {
  'office:kao': 'kao',
  'pi:pi-lin': 'pi-lin',
  'pi:pi-chen': 'pi-chen',
  'institution:NTU': 'ntu-rd',
  'institution:NCKU': 'ncku-rd',
  'auditor:wu': 'wu',
};

/** Runs the built `alliance` command against the API; `--as X` in `args` picks the account logged in. */
const alliance = (apiUrl: string, args: string[]): Promise<Run> => {
  const as = args[0] === '--as' ? args[1]! : null;
  const rest = as ? args.slice(2) : args;
  return allianceAs(as ? (accounts[as] ?? as.replace(/^reviewer:/, '')) : null, apiUrl, rest);
};

const ok = (run: Run): Run => {
  if (run.status !== 0) throw new Error(`alliance exited ${run.status}: ${run.stderr}`);
  return run;
};
const json = <T>(run: Run): T => JSON.parse(ok(run).stdout) as T;

const reviewer = (id: string, institutionId: string, division: 'TE1' | 'TE2', conflicts: string[] = []): Reviewer => ({
  id,
  name: id,
  email: `${id}@example.tw`,
  institutionId,
  divisions: [division],
  conflicts: { applicationIds: conflicts, institutionIds: [] },
});

type Cli = (...args: string[]) => ReturnType<typeof alliance>;

/** Every assigned reviewer records a review but one; a reviewer sees the others' only after their own. */
async function reviewersRecord(cli: Cli, callId: string, assignments: Record<string, string[]>): Promise<void> {
  const [firstReviewer] = assignments['TE2-0001']!;
  expect(ok(await cli('--as', `reviewer:${firstReviewer}`, 'review', 'show', `${callId}:TE2-0001`)).stdout).toMatch(/Record your own review first/);
  for (const [app, ids] of Object.entries(assignments)) {
    for (const [i, id] of ids.entries()) {
      if (app === 'TE1-0001' && i === 1) continue; // one review never arrives
      ok(
        await cli(
          '--as',
          `reviewer:${id}`,
          'review',
          'record',
          `${callId}:${app}`,
          '--score',
          String(app === 'TE2-0002' ? 70 : 85 + i),
          '--recommendation',
          'fund',
          '--comments',
          '具產業價值',
        ),
      );
    }
  }
  expect(ok(await cli('--as', `reviewer:${firstReviewer}`, 'review', 'show', `${callId}:TE2-0001`)).stdout).toContain(firstReviewer);
}

/** Each institution endorses its applicants in one roster, NTU with two. */
async function rostersEndorse(cli: Cli, callId: string, show: (app: string) => Promise<{ lifecycle: string }>): Promise<void> {
  const roster = json<{ applied: number }>(
    await cli(
      '--as',
      'institution:NTU',
      '--json',
      'roster',
      'submit',
      callId,
      'TE2-0001',
      'TE1-0001',
      '--roster',
      'NTU-01',
      '--letter',
      '臺大研字第1050012345號',
    ),
  );
  expect(roster.applied).toBe(2);
  ok(await cli('--as', 'institution:NCKU', 'roster', 'submit', callId, 'TE2-0002', '--roster', 'NCKU-01', '--letter', '成大研字第1050000001號'));
  expect((await show('TE2-0002')).lifecycle).toBe('endorsed');
}

/** Every error kind: its exit status and a message that says what to do. */
async function everyErrorKind(cli: Cli, callId: string): Promise<void> {
  const project = `${callId}:TE2-0001`;
  const cases: [string[], keyof typeof errorCodes, RegExp][] = [
    [['tranche', 'request', project, '--amount', '1000000'], 'UNAUTHENTICATED', /alliance login/],
    [['--as', 'institution:NTU', 'tranche', 'request', project, '--amount', 'lots'], 'VALIDATION', /write whole NT\$/],
    [['--as', 'pi:pi-lin', 'decision', 'announce', callId], 'ROLE_NOT_ALLOWED', /may be sent only by office, not by pi pi-lin/],
    [['--as', 'auditor:wu', 'contract', 'issue', project, '--number', 'C-1'], 'ROLE_NOT_ALLOWED', /only by office, not by auditor auditor-wu/],
    [['--as', 'institution:NCKU', 'tranche', 'request', project, '--amount', '1000000'], 'FORBIDDEN', /was not filed through institution NCKU/],
    [
      ['--as', 'institution:NTU', 'tranche', 'request', project, '--amount', '1000000'],
      'ILLEGAL_TRANSITION',
      /tranche.request is not possible while the project is in approved/,
    ],
    [['--as', 'office:kao', 'project', 'show', `${callId}:TE9-9999`], 'NOT_FOUND', /does not exist/],
  ];
  for (const [args, code, message] of cases) {
    const run = await cli(...args);
    expect({ args, status: run.status }).toEqual({ args, status: errorCodes[code].exitStatus });
    expect(run.stderr).toMatch(new RegExp(`^${code}: `));
    expect(run.stderr).toMatch(message);
  }
}

it('runs a call through endorsement, the three review rounds and the decisions with the command line alone', async () => {
  const taskQueue = uniqueName('cli');
  const callId = uniqueName('cli-call');
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      // Room for six command-line runs before the application deadline on a loaded machine.
      applicationClosesIn: 35,
      endorsementIn: 40,
      firstYearStartsIn: 3600,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    callId,
  );
  call.policy.reviewersPerApplication = 2;
  const pool = [
    reviewer('rev-te2-01', 'NTU', 'TE2'),
    reviewer('rev-te2-02', 'NCKU', 'TE2', ['TE2-0002']),
    reviewer('rev-te2-03', 'NTHU', 'TE2'),
    reviewer('rev-te2-04', 'NCHU', 'TE2'),
    reviewer('rev-te1-01', 'NTHU', 'TE1'),
    reviewer('rev-te1-02', 'NCHU', 'TE1'),
  ];
  const ncku = { id: 'NCKU', name: '國立成功大學', type: 'universityOrCollege' as const, researchOfficeEmail: 'rd@ncku.edu.tw' };
  const apps = [
    anApplication({ id: 'TE2-0001' }),
    anApplication({ id: 'TE2-0002', institution: ncku, pi: { ...anApplication().pi, id: 'pi-chen', institutionId: 'NCKU' } }),
    anApplication({ id: 'TE1-0001', division: 'TE1' }),
  ];

  await withServiceWorker(env, bundle, taskQueue, async (_projects, ledger) => {
    const api = await startApi(env, taskQueue, ledger);
    const cli = (...args: string[]) => alliance(api.url, args);
    const show = async (app: string) =>
      json<{ states: string[]; lifecycle: string }>(await cli('--as', 'office:kao', 'project', 'show', `${callId}:${app}`, '--json'));

    const opened = ok(await cli('--as', 'office:kao', 'call', 'open', file('call.json', call), file('pool.json', pool)));
    expect(opened.stdout).toMatch(new RegExp(`^call ${callId} is open\\. Applications close \\d+\\.\\d\\d\\.\\d\\d \\d\\d:\\d\\d(:\\d\\d)? \\(in \\d+ s\\)`));
    const status = ok(await cli('status'));
    expect(status.stdout).toMatch(/Workers polling\s+[1-9]/);
    expect(status.stdout).toMatch(/Identity provider\s+http:\/\/127\.0\.0\.1:\d+\/realms\/alliance \(answers\)/);
    for (const a of apps) {
      ok(await cli('--as', `pi:${a.pi.id}`, 'application', 'create', callId, file(`${a.id}.json`, a)));
      ok(await cli('--as', `pi:${a.pi.id}`, 'application', 'submit', `${callId}:${a.id}`));
    }
    expect((await show('TE2-0001')).lifecycle).toBe('submitted');

    await rostersEndorse(cli, callId, show);

    while (json<{ state: string }>(await cli('--as', 'office:kao', 'call', 'status', callId, '--json')).state !== 'endorsementsClosed')
      await new Promise((r) => setTimeout(r, 500));
    const first = json<{ applied: number; total: number }>(await cli('--as', 'office:kao', '--json', 'review', 'start', callId));
    expect(first.applied).toBe(first.total);
    const again = json<{ applied: number; total: number }>(await cli('--as', 'office:kao', '--json', 'review', 'start', callId));
    expect(again.applied).toBe(0);
    const { assignments } = json<{ assignments: Record<string, string[]> }>(await cli('--as', 'office:kao', 'review', 'status', callId, '--json'));
    expect(Object.values(assignments).map((ids) => ids.length)).toEqual([2, 2, 2]);
    expect(assignments['TE2-0001']).not.toContain('rev-te2-01');
    expect(assignments['TE2-0002']).not.toContain('rev-te2-02');
    expect((await show('TE2-0001')).states).toEqual(['review.writtenReview']);

    await reviewersRecord(cli, callId, assignments);
    const closed = json<{ missing: { projectId: string }[] }[]>(await cli('--as', 'office:kao', '--json', 'review', 'close', callId));
    expect(closed[0]!.missing.map((m) => m.projectId)).toEqual([`project:${callId}:TE1-0001`]);

    ok(await cli('--as', 'office:kao', 'presentation', 'invite', callId, '--top', '1'));
    expect((await show('TE2-0001')).states).toEqual(['review.presentationReview.invited']);
    expect((await show('TE2-0002')).states).toEqual(['review.writtenReview']);
    ok(
      await cli(
        '--as',
        'office:kao',
        'presentation',
        'schedule',
        callId,
        '--starts-at',
        '2026.12.05 09:00'.replace('2026', String(new Date().getFullYear() - 1911 + 1)),
      ),
    );
    for (const app of ['TE2-0001', 'TE1-0001'])
      ok(await cli('--as', 'office:kao', 'presentation', 'record', `${callId}:${app}`, '--score', '88', '--comments', '簡報清楚'));
    expect((await show('TE2-0001')).states).toEqual(['review.finalDecision.pending']);

    const ranking = ok(await cli('--as', 'office:kao', 'decision', 'start', callId));
    expect(ranking.stdout).toMatch(/TE2\s+1\s+TE2-0001\s+85\.5\s+88/);
    ok(await cli('--as', 'office:kao', 'decision', 'record', `${callId}:TE2-0001`, '--approve', '2000000,2000000,1800000'));
    ok(await cli('--as', 'office:kao', 'decision', 'record', `${callId}:TE1-0001`, '--approve', '1500000,1500000,1500000'));
    ok(await cli('--as', 'office:kao', 'decision', 'record', `${callId}:TE2-0002`, '--reject', '書面審查未獲推薦'));
    const announced = json<{ applied: number }>(await cli('--as', 'office:kao', '--json', 'decision', 'announce', callId));
    expect(announced.applied).toBe(3);
    expect((await show('TE2-0001')).lifecycle).toBe('approved');
    expect((await show('TE2-0002')).lifecycle).toBe('rejected');
    expect(ok(await cli('--as', 'pi:pi-lin', 'project', 'show', `${callId}:TE2-0001`)).stdout).toMatch(
      /decision\s+approved NT\$2,000,000 \/ NT\$2,000,000 \/ NT\$1,800,000/,
    );

    await recordHistories(env.client, `call:${callId}`, 'call-through-decisions');

    await everyErrorKind(cli, callId);
    await api.close();
  });
});

it('exits with NOT_REACHABLE when no service answers', async () => {
  const run = await alliance('http://127.0.0.1:1', ['--as', 'office:kao', 'project', 'show', 'alliance-105:TE2-0001']);
  expect(run.status).toBe(errorCodes.NOT_REACHABLE.exitStatus);
  expect(run.stderr).toMatch(/^NOT_REACHABLE: The service at http:\/\/127.0.0.1:1 cannot be reached/);
});

it('refuses to guess which service to talk to when none is configured', async () => {
  const run = await runAlliance(['whoami'], { ALLIANCE_CREDENTIALS: path.join(dir, 'nobody.json') });
  expect(run.status).toBe(errorCodes.VALIDATION.exitStatus);
  expect(run.stderr).toMatch(/^VALIDATION: Which service\? Set ALLIANCE_API_URL/);
});

it('prints help for every command and exits 0', async () => {
  for (const args of [['--help'], ['review', '--help'], ['decision', 'record', '--help']]) {
    const run = await runAlliance(args, {});
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Usage: alliance/);
  }
});
