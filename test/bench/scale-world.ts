/**
 * What `make bench-scale` runs on (test/bench/scale.test.ts): a Temporal dev server of its own,
 * persisting to an SQLite file as `make start`'s does (so its size can be read, and no other test
 * file's workflows are counted), the ledger and notice log on PostgreSQL as a deployment keeps
 * them, the service's worker and its HTTP API, all in this process but the servers.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { SqlLedgerStore } from '../../activities/ledger/sql-store';
import { SqlNoticeLog } from '../../activities/notices/notice-log';
import { postgresDriver } from '../../activities/sql/postgres-driver';
import { AuditClient } from '../../gateway/audit';
import { CallClient } from '../../gateway/calls';
import { ProjectClient } from '../../gateway/projects';
import type { LedgerStore } from '../../activities/ledger/store';
import { servicesOf as apiServices } from '../../server/app';
import type { Services } from '../../server/services/services';
import { createServiceWorker } from '../../worker/create-worker';
import { startEmbeddedServer, type EmbeddedServer } from '../../worker/embedded-server';
import { temporalBinary } from '../../worker/temporal-binaries';
import { startApi, type ApiWithSessions } from '../helpers/api';
import { freePort, testDataConverter, testDocumentStore, testSealer, uniqueName } from '../helpers/environments';
import { sharedPostgresDatabase } from '../helpers/postgres';
import { temporaryMail } from '../helpers/project-harness';
import { devServerPid } from './cpu';

export interface World {
  env: TestWorkflowEnvironment;
  server: EmbeddedServer;
  serverPid: number | undefined;
  taskQueue: string;
  calls: CallClient;
  projects: ProjectClient;
  ledger: SqlLedgerStore;
  audit: AuditClient;
  /** The API's services as buildApi makes them (server/app.ts), for timing a service beside its route. */
  services: Services;
  /** Services of a new API process: nothing read and kept yet. */
  freshServices(): Services;
  api: ApiWithSessions;
  /** The ledger's and notice log's database. */
  databaseUrl: string;
}

/** Sizes in bytes of the Temporal database: the SQLite file and its write-ahead log. */
export function temporalDatabaseBytes(world: World): number {
  const dir = path.dirname(world.server.databaseFile);
  const base = path.basename(world.server.databaseFile);
  return readdirSync(dir)
    .filter((f) => f.startsWith(base))
    .reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
}

/** The PostgreSQL database's size in bytes (ledger and notice log). */
export async function postgresBytes(world: World): Promise<number> {
  const client = new pg.Client({ connectionString: world.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
    return Number(rows[0]!.size);
  } finally {
    await client.end();
  }
}

/** Resident memory of a process in bytes (VmRSS), or undefined when it cannot be read. */
export function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The services of an API over this world's client and ledger, as server/app.ts builds them, a command bounded as a bulk operation. */
const servicesOf = (env: TestWorkflowEnvironment, taskQueue: string, ledger: LedgerStore): Services =>
  apiServices({ client: env.client, taskQueue, ledger, commandTimeoutMs: 15 * 60_000 });

/**
 * Runs `body` in a fresh world: its own dev server (SQLite file in a temporary directory, the
 * namespace's retention raised to ten years as `make start` does), a PostgreSQL database, the
 * worker and the API. Everything is stopped and removed afterwards.
 */
export async function withWorld<T>(bundle: WorkflowBundle, body: (world: World) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-scale-'));
  const server = await startEmbeddedServer({
    cliPath: temporalBinary('temporal'),
    dataDir,
    namespace: 'default',
    port: await freePort(),
    uiPort: null,
    retentionDays: 3650,
  });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, client: { dataConverter: testDataConverter() } });
  const databaseUrl = await sharedPostgresDatabase('scale');
  const ledger = await SqlLedgerStore.open(postgresDriver(databaseUrl), { sealer: testSealer() });
  const notices = await SqlNoticeLog.open(postgresDriver(databaseUrl, { max: 8 }));
  const mail = await temporaryMail();
  const taskQueue = uniqueName('scale');
  const projects = new ProjectClient(env.client, taskQueue);
  try {
    const worker = await createServiceWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: bundle,
      dataConverter: env.client.options.dataConverter,
      activities: createActivities({ projects, client: env.client, ledger, documents: testDocumentStore(), mail: { ...mail.mail, log: notices } }),
    });
    const api = await startApi(env, taskQueue, ledger);
    const audit = new AuditClient(env.client, ledger);
    const world: World = {
      env,
      server,
      serverPid: devServerPid(server.address),
      taskQueue,
      calls: new CallClient(env.client, taskQueue),
      projects,
      ledger,
      audit,
      services: servicesOf(env, taskQueue, ledger),
      freshServices: () => servicesOf(env, taskQueue, ledger),
      api,
      databaseUrl,
    };
    try {
      return await worker.runUntil(body(world));
    } finally {
      await api.close();
    }
  } finally {
    await mail.stop();
    await Promise.all([ledger.close(), notices.close()]);
    await env.teardown();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
