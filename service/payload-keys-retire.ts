// `make retire-payload-key KEY=<id> PAYLOAD_KEYS=<file>`: everything the service keeps sealed under
// an old payload key is sealed again under the current one, then the key leaves the file, so a copy
// of it that leaked opens nothing the service still holds. Temporal's histories cannot be sealed
// again (they are immutable): while Temporal holds any that uses the key, nothing is done and the
// runs are named. It runs on the service's host with the environment `make start` reads, since it
// opens the ledger, the archive, the documents and the sessions with the service's own code (the
// command line, a package of its own, only rotates keys).
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { readKeyRing, textSealer } from '../activities/crypto/key-ring';
import { openDocumentStore, openSessionStore, openStores } from '../activities/stores';
import { parseEnvironment, type Environment } from '../domain/environment';
import { AllianceError, errorCodes } from '../domain/errors';
import { isNotFound } from '../gateway/audit';
import { clusterConnectionOptions } from '../gateway/connection-options';
import { resealHistoryJson } from '../gateway/history-codec';
import { EncryptionCodec, serviceDataConverter } from '../gateway/payload-codec';
import { readKeyFile } from '../tlog/key-file';

export interface RetireOutcome {
  retired: string;
  current: string;
  /** The service's schedules, their runs' arguments now sealed under the current key. */
  schedules: number;
  /** Executions Temporal holds on the service's task queue, each read for the key. */
  executionsChecked: number;
  ledger: { payloads: number; alerts: number };
  archive: { runs: number; payloads: number };
  documents: { documents: number; projectKeys: number };
  sessions: number;
}

/** How many runs a refusal names before "and N more". */
const NAMED = 10;

const keyMark = (keyId: string): RegExp =>
  new RegExp(
    `"encryption-key-id":\\s*"${Buffer.from(keyId)
      .toString('base64')
      .replace(/[+/=]/g, (c) => `\\${c}`)}"`,
  );

/** Every execution Temporal holds of the service's task queue whose history carries a payload sealed under the key. */
async function executionsUsing(client: Client, taskQueue: string, keyId: string): Promise<{ checked: number; holding: string[] }> {
  const mark = keyMark(keyId);
  let checked = 0;
  const holding: string[] = [];
  for await (const execution of client.workflow.list({ query: `TaskQueue = '${taskQueue.replace(/'/g, "\\'")}'` })) {
    // Visibility may still list a run Temporal has just deleted: it holds nothing any more.
    const history = await client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .fetchHistory()
      .catch((error: unknown) => {
        if (isNotFound(error)) return null;
        throw error;
      });
    if (!history) continue;
    checked++;
    if (mark.test(historyToJSON(history))) holding.push(`${execution.workflowId} run ${execution.runId} (${execution.status.name.toLowerCase()})`);
  }
  return { checked, holding };
}

/**
 * The service's schedules (the checkpoint writer, the archive and retention sweeps) written again
 * through the service's converter: the arguments each run is started with are sealed under the
 * current key from now on, not under the key they were first sealed with.
 */
async function resealSchedules(client: Client, taskQueue: string): Promise<number> {
  let updated = 0;
  for await (const listed of client.schedule.list()) {
    const handle = client.schedule.getHandle(listed.scheduleId);
    const described = await handle.describe();
    if (described.action.type !== 'startWorkflow' || described.action.taskQueue !== taskQueue) continue;
    await handle.update((previous) => previous);
    updated++;
  }
  return updated;
}

/** The key file without the retired key, written beside and renamed over (a crash never leaves a file without the current key). */
function dropFromFile(file: string, keyId: string): void {
  const keys = readKeyFile(file, 'the key file');
  const next = { ...keys, keys: keys.keys.filter((k) => k.id !== keyId) };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  chmodSync(file, 0o600);
}

/**
 * Retires `keyId` from the key file at `file`: refused when it is the current key or not in the
 * file, and — before anything is sealed again — while Temporal holds a history that needs it (running
 * projects carry their year's history until they continue as new at its end; closed runs stay
 * for the namespace's retention after the archive copied them). Then the ledger's payloads and
 * alerts, the archived histories (each re-sealing a leaf of the tree), the documents and the
 * projects' document keys, and the browser sessions are sealed again under the current key, and
 * the key leaves the file. Each step is idempotent: a retirement cut short is run again.
 */
export async function retirePayloadKey(env: Environment, file: string, keyId: string): Promise<RetireOutcome> {
  const keys = readKeyFile(file, '--file');
  if (!keys.keys.some((k) => k.id === keyId))
    throw new AllianceError('VALIDATION', `key ${keyId} is not in ${file} (it holds ${keys.keys.map((k) => k.id).join(', ')}).`);
  if (keys.current === keyId)
    throw new AllianceError(
      'VALIDATION',
      `key ${keyId} is the current key of ${file}: run \`alliance payload-keys rotate --file ${file}\` first, restart every process, then retire it.`,
    );
  const ring = readKeyRing(file, '--file');
  const address = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_PORT}`;
  const connection = await Connection.connect(env.TEMPORAL_ADDRESS ? clusterConnectionOptions(env, address) : { address }).catch((error: Error) => {
    throw new AllianceError(
      'NOT_REACHABLE',
      `Temporal at ${address} cannot be reached (${error.message}): a key is retired while the service's Temporal runs.`,
    );
  });
  const documents = await openDocumentStore(env, ring);
  try {
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: serviceDataConverter(ring, documents) });
    const schedules = await resealSchedules(client, env.TEMPORAL_TASK_QUEUE);
    const temporal = await executionsUsing(client, env.TEMPORAL_TASK_QUEUE, keyId);
    if (temporal.holding.length > 0)
      throw new AllianceError(
        'VALIDATION',
        `key ${keyId} still seals ${temporal.holding.length} of the histories Temporal holds, which cannot be sealed again: ${temporal.holding.slice(0, NAMED).join('; ')}${temporal.holding.length > NAMED ? `; and ${temporal.holding.length - NAMED} more` : ''}. A running project leaves it when it continues as new at its year's end; a closed run when the namespace's retention passes after the archive copied it. Nothing was sealed again and the key stays in the file (the service's schedules were written again, their runs' arguments now under the current key): retire it then.`,
      );
    const outcome = {
      retired: keyId,
      current: keys.current,
      schedules,
      executionsChecked: temporal.checked,
      ...(await resealOutsideTemporal(env, ring, keyId)),
    };
    // Only once everything it sealed is sealed again: a retirement cut short keeps the key, and is run again.
    dropFromFile(file, keyId);
    return outcome;
  } finally {
    await Promise.all([connection.close(), documents.close()]);
  }
}

async function resealOutsideTemporal(env: Environment, ring: ReturnType<typeof readKeyRing>, keyId: string) {
  const stores = await openStores(env, textSealer(ring));
  const documentStore = await openDocumentStore(env, ring);
  const sessionStore = await openSessionStore(env, textSealer(ring));
  try {
    const ledger = await stores.ledger.resealTexts(keyId);
    const encryption = new EncryptionCodec(ring);
    const archive = { runs: 0, payloads: 0 };
    for (const { workflowId, runId } of await stores.ledger.archivedRunsMentioning(Buffer.from(keyId).toString('base64'))) {
      const run = (await stores.ledger.archivedRuns(workflowId)).find((r) => r.runId === runId);
      if (!run || run.historyJson === '') continue;
      const again = await resealHistoryJson(run.historyJson, keyId, encryption);
      if (again.resealed === 0) continue;
      await stores.ledger.resealArchivedRun({ workflowId, runId, historyJson: again.json, retiredKeyId: keyId });
      archive.runs++;
      archive.payloads += again.resealed;
    }
    const documents = await documentStore.resealUnder(keyId);
    const sessions = await sessionStore.resealUnder(keyId);
    return { ledger, archive, documents, sessions };
  } finally {
    await Promise.all([stores.close(), documentStore.close(), sessionStore.close()]);
  }
}

/** `node dist/service/payload-keys-retire.js <key id> <key file>`: what `make retire-payload-key` runs. */
async function main(): Promise<void> {
  const [keyId, file] = process.argv.slice(2);
  if (!keyId || !file) {
    console.error('make retire-payload-key KEY=<the key id to retire> PAYLOAD_KEYS=<the payload key file> (with the environment `make start` reads)');
    process.exit(2);
  }
  const done = await retirePayloadKey(parseEnvironment(process.env), file, keyId);
  console.log(
    [
      `key ${done.retired} retired from ${file}; what it sealed is now sealed under ${done.current}:`,
      `  Temporal: none of the ${done.executionsChecked} histories it holds needs it; ${done.schedules} schedules start their runs under the current key`,
      `  ledger: ${done.ledger.payloads} payloads, ${done.ledger.alerts} office alerts`,
      `  archive: ${done.archive.runs} histories (${done.archive.payloads} payloads), each re-sealing a leaf of the tree`,
      `  documents: ${done.documents.documents} documents, ${done.documents.projectKeys} projects' document keys`,
      `  browser sessions: ${done.sessions}`,
      'Backup sets taken before hold data sealed under the retired key: destroy them, or keep the key with them (docs/operations.md).',
    ].join('\n'),
  );
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error instanceof AllianceError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error));
    process.exit(error instanceof AllianceError ? errorCodes[error.code].exitStatus : 1);
  });
