import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repositoryRoot } from '../../worker/temporal-binaries';
import { freePort, testDocumentsDir, testPayloadKeysFile } from './environments';

/**
 * Starts the service's real worker process (`make start`'s entry point) against the run's dev
 * server, with its data (notice log, mail sink files) in `dataDir`; resolves once it serves.
 */
export type WorkerProcess = ChildProcess & { /** Everything it wrote to stdout and stderr so far. */ output(): string };

/** `make start`'s entry point with only the environment given (and PATH); resolves once it prints its banner. */
function spawnService(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.join(repositoryRoot, 'dist/service/main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const worker = Object.assign(child, { output: () => `${out}${err}` });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    process.stderr.write(c);
  });
  return new Promise<WorkerProcess>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Press Ctrl-C to stop.')) resolve(worker);
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${out}${err}`)));
  });
}

/** The tests' accounts send far more than a person would: the limits have a test of their own. */
const unlimited = { ALLIANCE_COMMANDS_PER_MINUTE: '100000', ALLIANCE_LOGINS_PER_MINUTE: '100000' };

export async function startWorkerProcess(options: { taskQueue: string; dataDir: string; env?: Record<string, string> }): Promise<WorkerProcess> {
  return spawnService({
    TEMPORAL_ADDRESS: process.env.TEST_DEV_SERVER_ADDRESS!,
    // The run's identity provider, and an API port of its own.
    OIDC_ISSUER: process.env.TEST_OIDC_ISSUER!,
    API_PORT: String(await freePort()),
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    ALLIANCE_DATA_DIR: options.dataDir,
    ALLIANCE_PAYLOAD_KEYS_FILE: testPayloadKeysFile,
    ALLIANCE_DOCUMENTS_DIR: testDocumentsDir,
    ...unlimited,
    // Alone on its task queue: SQLite files in its data directory serve, unless the test gives PostgreSQL.
    ...(options.env?.DATABASE_URL ? {} : { ALLIANCE_SINGLE_WORKER: 'true' }),
    ...options.env,
  });
}

export interface EmbeddedService {
  process: WorkerProcess;
  /** The API's base URL and the embedded Temporal server's address. */
  apiUrl: string;
  temporalAddress: string;
  /** SIGTERM, as Ctrl-C: the worker drains, then the embedded server stops; resolves once the process ended. */
  stop(): Promise<void>;
}

/**
 * The service as `make start` runs it on one machine: its own embedded Temporal dev server, every
 * store, key and document in `dataDir`, on free ports; only the identity provider is the run's.
 */
export async function startEmbeddedService(dataDir: string, env: Record<string, string> = {}): Promise<EmbeddedService> {
  const [apiPort, temporalPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
  const child = await spawnService({
    OIDC_ISSUER: process.env.TEST_OIDC_ISSUER!,
    API_PORT: String(apiPort),
    TEMPORAL_PORT: String(temporalPort),
    SMTP_SINK_PORT: String(smtpPort),
    ALLIANCE_DATA_DIR: dataDir,
    ...unlimited,
    ...env,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
