import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { registerSearchAttributes, setRetention } from './namespace';

export interface EmbeddedServerOptions {
  cliPath: string;
  dataDir: string;
  namespace: string;
  port: number;
  /** null runs the server without its Web UI (tests). */
  uiPort: number | null;
  retentionDays: number;
  /** The codec server the Web UI decodes payloads through. */
  codecEndpoint?: string;
}

export interface EmbeddedServer {
  address: string;
  uiUrl: string | null;
  databaseFile: string;
  stop(): Promise<void>;
}

/**
 * Runs `temporal server start-dev` persisting to SQLite under the data directory, then registers
 * the project's search attributes and raises retention. A restart on the same directory resumes
 * every workflow that was running.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const databaseFile = path.join(dataDir, 'temporal.sqlite');
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    databaseFile,
    // Write-ahead logging: a reader (the online backup's VACUUM INTO, docs/operations.md "Backup and
    // restore") takes its snapshot without holding up the server's writes. In the rollback journal's
    // mode a reader's lock made the server's writes fail with SQLITE_BUSY, and its shard reload.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    ...(options.uiPort === null
      ? ['--headless']
      : ['--ui-port', String(options.uiPort), ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : [])]),
  ];
  // Its own process group: Ctrl-C reaches the worker alone, which drains first and then stops the
  // server, so no in-flight task meets a dead server.
  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let connection: Connection;
  try {
    connection = await waitUntilServing(address, exited);
    await registerSearchAttributes(connection, options.namespace);
    await setRetention(connection, options.namespace, options.retentionDays);
    await connection.close();
  } catch (error) {
    await stopChild(child, exited);
    const log = stderr.join('').trim();
    throw new Error(`Temporal dev server did not start on ${address}: ${(error as Error).message}${log ? `\n${log}` : ''}`);
  }
  return {
    address,
    uiUrl: options.uiPort === null ? null : `http://127.0.0.1:${options.uiPort}`,
    databaseFile,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopChild(child, exited);
    },
  };
}

async function waitUntilServing(address: string, exited: Promise<number | null>): Promise<Connection> {
  let lastError: unknown;
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !hasExited) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(hasExited ? 'the server process exited' : `not serving after 60 s (${String(lastError)})`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
