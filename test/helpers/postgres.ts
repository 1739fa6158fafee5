import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './environments';

/** A PostgreSQL server of the tests' own, from the Debian packages, in a temporary directory, on loopback. */
export interface PostgresServer {
  port: number;
  /** postgres://… for `database` (default `postgres`). */
  url(database?: string): string;
  /** A fresh, empty database; its URL. */
  createDatabase(name: string): Promise<string>;
  /** pg_ctl stop -m fast: every connection drops, the data stays. */
  pause(): void;
  /** Started again on the same port and data. */
  resume(): void;
  stop(): void;
}

/** initdb and pg_ctl: on PATH, or where Debian's postgresql package puts them. */
function binary(name: string): string {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = path.join(root, version, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found: PostgreSQL's server binaries come from Debian's postgresql package (make install installs it)`);
}

/** PostgreSQL refuses to run as root: as root, the server runs as the package's `postgres` user. */
function run(command: string, args: string[], dir: string): void {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, argv, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-postgres-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    chmodSync(dir, 0o755);
    const { uid, gid } = userIds('postgres');
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  run(binary('initdb'), ['-D', data, '-U', 'alliance', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], dir);
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=200`;
  const start = (): void => run(binary('pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start'], dir);
  const halt = (): void => run(binary('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], dir);
  start();
  const url = (database = 'postgres'): string => `postgres://alliance@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    createDatabase: (name) => createDatabaseOn(url(), name),
    pause: halt,
    resume: start,
    stop() {
      try {
        halt();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** CREATE DATABASE on the server at `serverUrl`; the new database's URL. */
async function createDatabaseOn(serverUrl: string, name: string): Promise<string> {
  const database = name.replace(/"/g, '');
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The run's shared server (test/global-setup.ts): a database of the caller's own on it. */
export function sharedPostgresDatabase(name: string): Promise<string> {
  const base = process.env.TEST_POSTGRES_URL;
  if (!base) throw new Error('TEST_POSTGRES_URL is unset: run the tests through jest (test/global-setup.ts starts PostgreSQL)');
  return createDatabaseOn(base, `${name}_${Math.random().toString(36).slice(2, 10)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_'));
}
