// Retiring a payload key on a running embedded service (docs/data-protection.md, "Key rotation and
// retirement"): refused, changing nothing, while Temporal holds a history sealed under it; once it
// holds none, everything the service keeps under the key is sealed again under the current one and
// the key leaves the file — and the current key alone opens the ledger, the archived history and
// the project's documents, which still verify.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readKeyRing, textSealer } from '../activities/crypto/key-ring';
import { DiskDocumentStore } from '../activities/documents/document-store';
import { checkLedger } from '../activities/ledger/integrity';
import { openSqliteLedger } from '../activities/stores';
import { openSqlite } from '../activities/sqlite-file';
import { alliance105 } from '../domain/calls';
import { bounds } from '../domain/bounds';
import { DocumentCodec } from '../gateway/document-codec';
import { decodeHistoryJson } from '../gateway/history-codec';
import { EncryptionCodec, serviceDataConverter } from '../gateway/payload-codec';
import { ProjectClient } from '../gateway/projects';
import { rotateKeyFile } from '../tlog/key-file';
import { anApplication } from './fixtures/applications';
import { call, tokenFor } from './helpers/api';
import { runAlliance, type CliRun } from './helpers/cli';
import { uniqueName } from './helpers/environments';
import { eventually } from './helpers/eventually';
import { compressedCall, hourLongCall } from './helpers/project-harness';
import { startEmbeddedService, type EmbeddedService } from './helpers/worker-process';

const work = mkdtempSync(path.join(os.tmpdir(), 'alliance-retire-'));
const dataDir = path.join(work, 'data');
const keysFile = path.join(dataDir, 'payload-keys.json');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const theCall = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('retire'));
const projectId = `project:${theCall.id}:TE2-0001`;
/** A member list long enough to be kept in the document store, under the project's own key. */
const members = Array.from({ length: 200 }, (_, i) => ({ name: `退場金鑰測試會員股份有限公司${i}`, sector: 'company' as const, annualFeeNtd: 100_000 }));
const keyIds = (): string[] => (JSON.parse(readFileSync(keysFile, 'utf8')) as { keys: { id: string }[] }).keys.map((k) => k.id);

/** Every payload's data of a decoded history, as text. */
const payloadTexts = (history: unknown): string =>
  JSON.stringify(history, (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));

/** No run of the archive sweep while the test runs (its arguments are the one payload a schedule keeps). */
const quietSweeps = { ALLIANCE_ARCHIVE_SWEEP_MINUTES: '10080' };

/** `alliance payload-keys retire` as an operator runs it on the service's host (`make retire-payload-key` runs the same tool). */
function retire(service: EmbeddedService, keyId: string): Promise<CliRun> {
  return runAlliance(['payload-keys', 'retire', keyId, '--file', keysFile], {
    ALLIANCE_DATA_DIR: dataDir,
    TEMPORAL_PORT: service.temporalAddress.split(':')[1]!,
  });
}

async function withClient<T>(service: EmbeddedService, work: (client: Client) => Promise<T>): Promise<T> {
  const ring = readKeyRing(keysFile);
  const connection = await Connection.connect({ address: service.temporalAddress });
  try {
    return await work(new Client({ connection, dataConverter: serviceDataConverter(ring, new DiskDocumentStore(path.join(dataDir, 'documents'), ring)) }));
  } finally {
    await connection.close();
  }
}

/** A project under the first key: its member list in its documents, its commands in the ledger, withdrawn, archived. */
async function projectUnderFirstKey(service: EmbeddedService): Promise<void> {
  await withClient(service, async (client) => {
    await new ProjectClient(client, 'alliance-projects').create(theCall, anApplication());
    const api = { url: service.apiUrl, routes: [], close: () => Promise.resolve() };
    const lin = await tokenFor('pi-lin');
    const project = `/api/projects/${theCall.id}/TE2-0001`;
    expect((await call(api, 'POST', `${project}/application.update`, lin, { application: anApplication({ members }) })).status).toBe(200);
    expect((await call(api, 'POST', `${project}/application.withdraw`, lin, { reason: '改年度再申請' })).status).toBe(200);
  });
  await eventually(() => {
    const db = openSqlite(path.join(dataDir, 'ledger.sqlite'), { readOnly: true });
    try {
      expect(db.all('SELECT run_id FROM archive WHERE workflow_id = ?', [projectId]).length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    return Promise.resolve();
  }, 60_000);
}

/**
 * What the namespace's retention does, once its days have passed after the archive copied them:
 * Temporal holds none of the closed runs (here: its database starts afresh; nothing was running).
 */
function retentionPassed(): void {
  for (const file of readdirSync(dataDir).filter((f) => f.startsWith('temporal.sqlite'))) rmSync(path.join(dataDir, file));
}

it('retires a payload key: refused while Temporal needs it, then everything sealed again and the current key alone opens it', async () => {
  let service = await startEmbeddedService(dataDir, quietSweeps);
  const [first] = keyIds();
  try {
    await projectUnderFirstKey(service);
  } finally {
    await service.stop();
  }
  const second = rotateKeyFile(keysFile);
  service = await startEmbeddedService(dataDir, quietSweeps);
  try {
    expect((await retire(service, second)).stderr).toMatch(/^VALIDATION: key .* is the current key/);
    const refused = await retire(service, first!);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`${projectId} run `);
    expect(refused.stderr).toMatch(/Nothing was sealed again and the key stays in the file/);
    expect(keyIds()).toEqual([first, second]);
  } finally {
    await service.stop();
  }
  retentionPassed();
  service = await startEmbeddedService(dataDir, quietSweeps);
  try {
    const retired = await retire(service, first!);
    expect(retired.stderr).toBe('');
    expect(retired.stdout).toMatch(
      new RegExp(
        `^key ${first} retired from .*\\n {2}Temporal: .*\\n {2}ledger: [1-9]\\d* payloads.*\\n {2}archive: [1-9]\\d* histories .*\\n {2}documents: \\d+ documents, 1 projects' document keys`,
      ),
    );
    expect(keyIds()).toEqual([second]);
  } finally {
    await service.stop();
  }

  // The current key alone: the ledger verifies, the archived history and the project's documents open.
  const ring = readKeyRing(keysFile);
  const ledger = await openSqliteLedger(path.join(dataDir, 'ledger.sqlite'), { sealer: textSealer(ring) });
  try {
    expect((await checkLedger(ledger)).problem).toBeNull();
    expect((await ledger.archiveReseals()).map((r) => r.workflowId)).toContain(projectId);
    const [run] = await ledger.archivedRuns(projectId);
    const codecs = [new DocumentCodec(new DiskDocumentStore(path.join(dataDir, 'documents'), ring), bounds.documents), new EncryptionCodec(ring)];
    expect(payloadTexts(await decodeHistoryJson(JSON.parse(run!.historyJson) as unknown, codecs))).toContain('退場金鑰測試會員股份有限公司199');
  } finally {
    await ledger.close();
  }
  // Nothing the service keeps names the retired key: no sealed payload, history or document.
  const mark = Buffer.from(first!).toString('base64');
  const files = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('temporal'));
  for (const file of files.map((e) => path.join(e.parentPath, e.name)).filter((f) => !f.endsWith('payload-keys.json'))) {
    const bytes = readFileSync(file);
    expect({
      file,
      sealed: bytes.includes(`sealed:v1:${first}:`),
      history: bytes.includes(mark),
      document: bytes.subarray(0, first!.length + 1).equals(Buffer.from(`${first}\n`)),
    }).toEqual({
      file,
      sealed: false,
      history: false,
      document: false,
    });
  }
}, 180_000);
