import { existsSync, readFileSync } from 'node:fs';
import { SqliteLedgerStore } from '../../activities/ledger/sqlite-store';
import { AuditClient } from '../../activities/temporal/audit';
import { ledgerFile } from '../../activities/ledger/file';
import { Client, Connection } from '@temporalio/client';
import { Actor, Role } from '../../domain/actor';
import { parseEnvironment } from '../../domain/environment';
import { CallClient } from '../../activities/temporal/calls';
import { NoticeClient } from '../../activities/temporal/notices';
import { clusterConnectionOptions } from '../../activities/temporal/connection-options';
import { AllianceError } from '../../domain/errors';
import { ProjectClient } from '../../activities/temporal/projects';

export interface Session {
  calls: CallClient;
  projects: ProjectClient;
  notices: NoticeClient;
  /** The auditor's read-only view of ledger, archive and Temporal. */
  audit(): AuditClient;
  close(): Promise<void>;
}

/** Connects to the cluster of TEMPORAL_ADDRESS, or to the embedded server `make start` runs. */
export async function openSession(): Promise<Session> {
  const env = parseEnvironment(process.env);
  const address = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_PORT}`;
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...clusterConnectionOptions(env, address), connectTimeout: 5_000 });
  } catch (error) {
    throw new AllianceError('NOT_REACHABLE', `The Temporal service at ${address} cannot be reached (${(error as Error).message}); start it with \`make start\` or set TEMPORAL_ADDRESS.`);
  }
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  let ledger: SqliteLedgerStore | undefined;
  return {
    calls: new CallClient(client, env.TEMPORAL_TASK_QUEUE),
    projects: new ProjectClient(client, env.TEMPORAL_TASK_QUEUE),
    notices: new NoticeClient(client),
    audit: () => {
      const file = ledgerFile(env);
      if (!existsSync(file)) throw new AllianceError('NOT_FOUND', `There is no audit ledger at ${file}; set ALLIANCE_LEDGER_PATH (or ALLIANCE_DATA_DIR) to where the service keeps it.`);
      ledger ??= new SqliteLedgerStore(file, { readOnly: true });
      return new AuditClient(client, ledger);
    },
    close: async () => {
      ledger?.close();
      await connection.close();
    },
  };
}

/** `--as office:kao` → { role: 'office', id: 'kao' }. */
export function parseActor(text: string | undefined): Actor {
  if (!text) throw new AllianceError('VALIDATION', 'Say who acts with --as ROLE:ID, e.g. --as office:kao (roles: office, pi, institution, reviewer, auditor).');
  const [role, ...rest] = text.split(':');
  const parsed = Actor.safeParse({ role, id: rest.join(':') });
  if (!parsed.success || parsed.data.role === 'system') {
    throw new AllianceError('VALIDATION', `--as ${text}: expected ROLE:ID with ROLE one of ${Role.options.filter((r) => r !== 'system').join(', ')}, e.g. --as office:kao.`);
  }
  return parsed.data;
}

/** `alliance-105:TE2-0001` or `project:alliance-105:TE2-0001` → the project's workflow id. */
export function projectId(reference: string): string {
  const parts = reference.split(':');
  if (parts.length === 2 && parts.every(Boolean)) return `project:${reference}`;
  if (parts.length === 3 && parts[0] === 'project' && parts[1] && parts[2]) return reference;
  throw new AllianceError('VALIDATION', `"${reference}" is not a project: write CALL:APPLICATION, e.g. alliance-105:TE2-0001.`);
}

export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AllianceError('VALIDATION', `Cannot read the ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AllianceError('VALIDATION', `The ${what} ${path} is not valid JSON: ${(error as Error).message}.`);
  }
}
