import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributes } from '../domain/search-attributes';
import { startEmbeddedServer } from '../worker/embedded-server';
import { repositoryRoot, temporalBinary } from '../worker/temporal-binaries';
import { tagAndSleep } from './fixtures/platform-workflows';
import { connectDevServer, freePort, startTimeSkippingServer, testDataConverter, testPayloadKeysFile, uniqueName } from './helpers/environments';

const fixtureWorkflows = require.resolve('./fixtures/platform-workflows');

async function withWorker<T>(env: TestWorkflowEnvironment, taskQueue: string, body: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: fixtureWorkflows, dataConverter: testDataConverter() });
  return worker.runUntil(body);
}

describe('the dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => (env = await connectDevServer()));
  afterAll(() => env?.teardown());

  it('finds a running workflow by one of the project custom search attributes', async () => {
    const taskQueue = uniqueName('platform');
    const division = uniqueName('TE2');
    const handle = await env.client.workflow.start(tagAndSleep, { taskQueue, workflowId: uniqueName('tag'), args: [division, 30] });
    await withWorker(env, taskQueue, async () => {
      const query = `${searchAttributes.division.name} = '${division}' AND ExecutionStatus = 'Running'`;
      let found: string[] = [];
      for (let attempt = 0; attempt < 50 && found.length === 0; attempt++) {
        found = [];
        for await (const execution of env.client.workflow.list({ query })) found.push(execution.workflowId);
        if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(found).toEqual([handle.workflowId]);
    });
    await handle.terminate('test finished');
  });
});

describe('the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => (env = await startTimeSkippingServer()));
  afterAll(() => env?.teardown());

  it('completes a workflow that sleeps 30 days, its clock moving 30 days on', async () => {
    const taskQueue = uniqueName('platform');
    const before = await env.currentTimeMs();
    const result = await withWorker(env, taskQueue, () =>
      env.client.workflow.execute(tagAndSleep, { taskQueue, workflowId: uniqueName('sleep'), args: ['TE1', 30] }),
    );
    expect(result).toBe('slept 30 days');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
  });
});

describe('the embedded server of `make start`', () => {
  it('keeps a running workflow across a stop and a start on the same data directory', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-data-'));
    const port = await freePort();
    const options = { cliPath: temporalBinary('temporal'), dataDir, namespace: 'default', port, uiPort: null, retentionDays: 3650 };
    const workflowId = uniqueName('persist');
    try {
      const first = await startEmbeddedServer(options);
      const connection = await Connection.connect({ address: first.address });
      await new Client({ connection }).workflow.start(tagAndSleep, { taskQueue: 'nobody-polls', workflowId, args: ['TE3', 30] });
      await connection.close();
      await first.stop();

      const second = await startEmbeddedServer(options);
      const again = await Connection.connect({ address: second.address });
      const client = new Client({ connection: again });
      const description = await client.workflow.getHandle(workflowId).describe();
      const namespace = await again.workflowService.describeNamespace({ namespace: 'default' });
      await again.close();
      await second.stop();
      expect(description.status.name).toBe('RUNNING');
      expect(Number(namespace.config?.workflowExecutionRetentionTtl?.seconds)).toBe(3650 * 24 * 3600);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('start-up configuration', () => {
  const startService = (env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(repositoryRoot, 'dist/service/main.js')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it.each([
    ['TEMPORAL_ADDRESS', 'no-port-here', 'expected host:port'],
    ['TEMPORAL_UI_PORT', 'eighty', 'expected a port number'],
    ['SMTP_URL', 'http://mail.example.org', 'expected a URL starting with smtp://'],
    ['OIDC_ISSUER', 'login.example.gov.tw', 'expected a URL starting with https://'],
    ['OIDC_ROLE_VALUES', 'boss=MOST-OFFICE', 'expected ROLE=VALUE pairs'],
    ['API_PORT', '99999', 'expected a port number'],
    ['DATABASE_URL', 'mysql://db.example.org/alliance', 'expected a URL starting with postgres://'],
    ['TEMPORAL_RETENTION_DAYS', '5', 'expected at least 30 days: the archive needs closed histories that long'],
    ['ALLIANCE_RETENTION_CHECK', 'ignore', 'expected refuse or warn'],
  ])('stops on a bad %s with one line naming it', (variable, value, expected) => {
    const run = startService({ [variable]: value });
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(lines[0]).toContain(expected);
  });

  it('refuses to join a cluster whose namespace keeps closed workflows 1 day, naming what to set; with ALLIANCE_RETENTION_CHECK=warn it starts', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-retention-'));
    const server = await startEmbeddedServer({
      cliPath: temporalBinary('temporal'),
      dataDir,
      namespace: 'default',
      port: await freePort(),
      uiPort: null,
      retentionDays: 1,
    });
    const joining = {
      TEMPORAL_ADDRESS: server.address,
      ALLIANCE_SINGLE_WORKER: 'true',
      ALLIANCE_DATA_DIR: path.join(dataDir, 'worker'),
      ALLIANCE_PAYLOAD_KEYS_FILE: testPayloadKeysFile,
      OIDC_ISSUER: 'http://127.0.0.1:9/realms/alliance',
      API_PORT: String(await freePort()),
    };
    try {
      const refused = startService(joining);
      expect(refused.status).toBe(2);
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^Configuration error: ALLIANCE_RETENTION_CHECK: namespace default keeps closed workflows 1 day, the archive needs at least 30 days .*set ALLIANCE_RETENTION_CHECK=warn/,
      );
      const warned = spawn(process.execPath, [path.join(repositoryRoot, 'dist/service/main.js')], {
        env: { PATH: process.env.PATH ?? '', ...joining, ALLIANCE_RETENTION_CHECK: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      warned.stdout.on('data', (c: Buffer) => (out += c.toString()));
      warned.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise((resolve) => warned.once('exit', resolve));
      for (let i = 0; !out.includes('Press Ctrl-C to stop.') && warned.exitCode === null && i < 300; i++) await new Promise((r) => setTimeout(r, 100));
      warned.kill('SIGTERM');
      await exited;
      expect(out).toContain('Press Ctrl-C to stop.');
      expect(err).toMatch(/Warning: namespace default keeps closed workflows 1 day.*\(ALLIANCE_RETENTION_CHECK=warn\)/);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to join a cluster with local SQLite files unless told it is the only worker', () => {
    const run = startService({ TEMPORAL_ADDRESS: '127.0.0.1:1', ALLIANCE_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'alliance-joining-')) });
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Configuration error: DATABASE_URL: expected a PostgreSQL URL .* set ALLIANCE_SINGLE_WORKER=true if this is the only worker/);
  });
});
