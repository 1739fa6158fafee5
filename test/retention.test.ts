// Retention enforced: an application that ended without a grant, past its period, loses its
// notices and then its personal data — the ledger's payloads, its archived histories, what Temporal
// still held, the notice log and the kept mail — leaving tombstones that verify accepts; nothing
// of it is left in the data directory, searched byte by byte.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../domain/calls';
import { retentionPolicy, type RetentionPolicy } from '../domain/retention';
import { createActivities } from '../activities';
import type { RetentionOutcome } from '../activities/retention';
import { openSqliteLedger, openSqliteNoticeLog } from '../activities/stores';
import { loopbackTransport, startMailSink } from '../activities/notices/mail-sink';
import { checkLedger } from '../activities/ledger/integrity';
import { openSqlite } from '../activities/sqlite-file';
import { ProjectClient } from '../gateway/projects';
import { createServiceWorker } from '../worker/create-worker';
import { anApplication } from './fixtures/applications';
import { call, startApi, tokenFor } from './helpers/api';
import { connectDevServer, testDocumentStore, testDocumentsDir, testSealer, uniqueName } from './helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall as calendar } from './helpers/project-harness';
import { eventually } from './helpers/eventually';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

jest.setTimeout(4 * 60_000);

/** The try-out's periods in seconds: the rules are the programme's, only their lengths are short. */
const shortPolicy: RetentionPolicy = {
  ...retentionPolicy,
  afterUnfunded: { application: 'PT4S', reviews: 'PT4S', notices: 'PT2S', archive: 'PT4S' },
};

/** Where the tests' document store keeps a project's key and documents (activities/documents/document-store.ts). */
const projectShelf = (projectId: string): string => path.join(testDocumentsDir, 'projects', createHash('sha256').update(projectId).digest('hex').slice(0, 32));

/** The project's sealed documents in the tests' store, beside its key: what retention will shred. */
function projectDocuments(projectId: string): string[] {
  expect(readdirSync(projectShelf(projectId))).toEqual(expect.arrayContaining(['key']));
  const documents = readdirSync(projectShelf(projectId)).filter((name) => name.startsWith('sha256-'));
  expect(documents.length).toBeGreaterThan(0);
  return documents;
}

/** Crypto-shredded: the project's key and documents are gone, and the store says why it has none. */
async function expectShredded(projectId: string, documents: string[]): Promise<void> {
  expect(existsSync(projectShelf(projectId))).toBe(false);
  const digest = `sha256:${documents[0]!.slice('sha256-'.length)}` as const;
  await expect(testDocumentStore().get(digest, projectId)).rejects.toThrow(/erased under the retention policy/);
}

/** Every file under `dir`, as bytes. */
const filesUnder = (dir: string): { file: string; bytes: Buffer }[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [{ file, bytes: readFileSync(file) }];
  });

it('erases an ended application past its period, leaves tombstones that verify, and leaves none of it in the data directory', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-retention-'));
  const ledger = await openSqliteLedger(path.join(dataDir, 'ledger.sqlite'), { sealer: testSealer() });
  const notices = await openSqliteNoticeLog(path.join(dataDir, 'notices.sqlite'));
  const sink = await startMailSink({ dir: path.join(dataDir, 'mail') });
  const transport = loopbackTransport(sink.port);
  const taskQueue = uniqueName('retention');
  const projects = new ProjectClient(env.client, taskQueue);
  const worker = await createServiceWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: bundle,
    dataConverter: env.client.options.dataConverter,
    activities: createActivities({
      projects,
      client: env.client,
      ledger,
      documents: testDocumentStore(),
      mail: { transport, from: 'alliance-office@most.gov.tw', log: notices },
      retention: shortPolicy,
      mailSinkDir: sink.dir,
    }),
  });
  const applicant = '葉存真';
  // The PI's address is the one the identity provider verified for pi-lin (the door stamps it).
  const email = 'lin@ntu.edu.tw';
  const callFile = compressedCall(alliance105, Date.now(), calendar, uniqueName('retention-call'));
  const projectId = `project:${callFile.id}:TE2-0001`;
  const sweep = () =>
    env.client.workflow.execute('retentionSweepWorkflow', { taskQueue, workflowId: uniqueName('retention-sweep'), args: [] }) as Promise<RetentionOutcome>;

  const captured = await worker.runUntil(async () => {
    const api = await startApi(env, taskQueue, ledger);
    try {
      const [office, lin] = await Promise.all([tokenFor('kao'), tokenFor('pi-lin')]);
      expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: [] })).status).toBe(201);
      const base = anApplication({ id: 'TE2-0001' });
      // A core technology long enough to be kept as a document, sealed under the project's own key.
      const application = { ...base, pi: { ...base.pi, name: applicant }, coreTechnology: `${applicant}的核心技術：${'低延遲邊緣排程'.repeat(2_000)}` };
      expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application })).status).toBe(201);
      const project = `/api/projects/${callFile.id}/TE2-0001`;
      expect((await call(api, 'POST', `${project}/application.submit`, lin, {})).status).toBe(200);
      expect((await call(api, 'POST', `${project}/application.withdraw`, lin, { reason: '葉存真另有安排' })).status).toBe(200);
      // Ended, archived, and its notices sent: what retention will take is all there.
      await eventually(async () => {
        expect((await ledger.projects()).find((p) => p.workflowId === projectId)?.state).toBe('withdrawn');
        expect((await ledger.archivedRuns(projectId)).length).toBeGreaterThan(0);
        expect(readdirSync(sink.dir).length).toBeGreaterThan(0);
      }, 60_000);

      // What the project left, as stored: sealed payloads and encrypted histories, mail in plaintext.
      const db = openSqlite(path.join(dataDir, 'ledger.sqlite'), { readOnly: true });
      const digests = (await ledger.entries({ workflowId: projectId })).map((e) => e.payloadDigest);
      const bodies = db.all(`SELECT body FROM payloads WHERE digest IN (${digests.map(() => '?').join(', ')})`, digests).map((r) => String(r.body));
      const histories = db.all('SELECT history_json FROM archive WHERE workflow_id = ?', [projectId]).map((r) => String(r.history_json));
      db.close();
      expect(bodies.length).toBeGreaterThan(1);
      const documents = projectDocuments(projectId);
      // The kept mail carries the applicant's address in plaintext (its name MIME-encoded).
      expect(filesUnder(dataDir).some(({ bytes }) => bytes.includes(Buffer.from(email)))).toBe(true);

      // Not before its time: the sweep leaves a project whose period has not passed.
      const early = await sweep();
      expect(early.erased.filter((e) => e.workflowId === projectId && e.kind === 'personal-data')).toEqual([]);

      await new Promise((resolve) => setTimeout(resolve, 4_500));
      const swept = await sweep();
      const again = await sweep();
      expect(swept.failed).toEqual([]);
      expect(
        [...early.erased, ...swept.erased]
          .filter((e) => e.workflowId === projectId)
          .map((e) => e.kind)
          .sort(),
      ).toEqual(['notices', 'personal-data']);
      expect(again.erased).toEqual([]);

      // The tombstones: in the project's chain, after its end, each naming its rule.
      const tombstones = (await ledger.tombstones()).filter((t) => t.workflowId === projectId);
      expect(tombstones.map((t) => t.event).sort()).toEqual(['retention.notices-erased', 'retention.personal-data-erased']);
      expect(tombstones.every((t) => t.actor.role === 'system' && t.actor.id === 'retention')).toBe(true);
      const report = await checkLedger(ledger);
      expect(report.problem).toBeNull();
      expect(report.erased).toEqual(expect.objectContaining({ tombstones: 2, archivedRuns: histories.length }));
      const [kept] = [...(await ledger.payloads([tombstones.find((t) => t.event === 'retention.personal-data-erased')!.payloadDigest])).values()];
      expect(JSON.parse(kept!)).toEqual(
        expect.objectContaining({ kind: 'personal-data', rule: 'afterUnfunded.archive', period: 'PT4S', endedIn: 'withdrawn' }),
      );
      expect((JSON.parse(kept!) as { erased: { documents: number } }).erased.documents).toBe(documents.length);
      await expectShredded(projectId, documents);

      // Temporal no longer holds the project; the auditor is told its history was erased, not that it is missing.
      await eventually(async () => {
        await expect(env.client.workflow.getHandle(projectId).describe()).rejects.toThrow();
      }, 60_000);
      const history = await call<{ detail: string }>(api, 'GET', `/api/audit/history/${projectId}?raw=true`, await tokenFor('wu'));
      expect(history.status).toBe(404);
      expect(history.body.detail).toMatch(/erased under the retention policy/);
      expect((await call<unknown[]>(api, 'GET', `/api/audit/history/${projectId}`, await tokenFor('wu'))).status).toBe(200);
      return { bodies, histories };
    } finally {
      await api.close();
    }
  });
  transport.close();
  await sink.stop();
  await notices.close();
  await ledger.close();

  // Byte by byte: the applicant's name, address and every sealed body and history the project left are gone.
  const needles = [applicant, email, ...captured.bodies.map((b) => b.slice(20, 84)), ...captured.histories.map((h) => h.slice(200, 264))].map((n) =>
    Buffer.from(n),
  );
  for (const { file, bytes } of filesUnder(dataDir)) {
    for (const needle of needles) expect({ file, found: bytes.includes(needle) }).toEqual({ file, found: false });
  }
});
