import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repositoryRoot } from '../../worker/temporal-binaries';
import { freePort, testDocumentsDir, testPayloadKeysFile } from './environments';

/**
 * Starts the service's real worker process (`make start`'s entry point) against the run's dev
 * server, with its data (notice log, mail sink files) in `dataDir`; resolves once it serves.
 */
export type WorkerProcess = ChildProcess & { /** Everything it wrote to stdout and stderr so far. */ output(): string };

export async function startWorkerProcess(options: { taskQueue: string; dataDir: string; env?: Record<string, string> }): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.join(repositoryRoot, 'dist/service/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      TEMPORAL_ADDRESS: process.env.TEST_DEV_SERVER_ADDRESS!,
      // The run's identity provider, and an API port of its own.
      OIDC_ISSUER: process.env.TEST_OIDC_ISSUER!,
      API_PORT: String(await freePort()),
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      ALLIANCE_DATA_DIR: options.dataDir,
      ALLIANCE_PAYLOAD_KEYS_FILE: testPayloadKeysFile,
      ALLIANCE_DOCUMENTS_DIR: testDocumentsDir,
      // The tests' accounts send far more than a person would: the limits have a test of their own.
      ALLIANCE_COMMANDS_PER_MINUTE: '100000',
      ALLIANCE_LOGINS_PER_MINUTE: '100000',
      // Alone on its task queue: SQLite files in its data directory serve, unless the test gives PostgreSQL.
      ...(options.env?.DATABASE_URL ? {} : { ALLIANCE_SINGLE_WORKER: 'true' }),
      ...options.env,
    },
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
