// Backup and restore (docs/operations.md, "Backup and restore"): the embedded service's data taken
// as one set while it runs, the data directory wiped, the set restored into a fresh one with the keys
// kept apart; the auditor's `audit verify --since` the last checkpoint they kept passes and the
// running project takes its next command. A tampered set, or a key file without the set's key, is
// refused before anything is written.
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readKeyRing } from '../activities/crypto/key-ring';
import { DiskDocumentStore } from '../activities/documents/document-store';
import { alliance105 } from '../domain/calls';
import { checkpointScheduleId } from '../gateway/checkpoint-schedule';
import { serviceDataConverter } from '../gateway/payload-codec';
import { ProjectClient } from '../gateway/projects';
import { rotateKeyFile } from '../tlog/key-file';
import { anApplication } from './fixtures/applications';
import { call, tokenFor } from './helpers/api';
import { allianceAs, runAlliance, type CliRun } from './helpers/cli';
import { uniqueName } from './helpers/environments';
import { compressedCall, hourLongCall, settledHistoryLength } from './helpers/project-harness';
import { startEmbeddedService, type EmbeddedService } from './helpers/worker-process';

const work = mkdtempSync(path.join(os.tmpdir(), 'alliance-backup-'));
const dataDir = path.join(work, 'data');
const setDir = path.join(work, 'set');
/** What the operators keep apart from the set (the keys), and what the auditor keeps (a checkpoint, the verifier key). */
const kept = path.join(work, 'kept');
const trusted = path.join(kept, 'checkpoint.txt');
const verifierKey = path.join(kept, 'verifier.key');
const keys = { payload: path.join(kept, 'payload-keys.json'), signing: path.join(kept, 'ledger-signing.key') };
afterAll(() => rmSync(work, { recursive: true, force: true }));

const theCall = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('backup'));
const project = `${theCall.id}:TE2-0001`;
/** A member list long enough that the codec keeps it in the document store, by reference. */
const members = Array.from({ length: 200 }, (_, i) => ({ name: `${'會員廠商股份有限公司'.repeat(3)}${i}`, sector: 'company' as const, annualFeeNtd: 100_000 }));

/** The service's API, as the request helper takes it. */
const api = (service: EmbeddedService) => ({ url: service.apiUrl, routes: [], close: () => Promise.resolve() });

const backup = (...args: string[]): Promise<CliRun> => runAlliance(['backup', ...args], { ALLIANCE_DATA_DIR: dataDir });
const restore = (set: string, payloadKeys = keys.payload): Promise<CliRun> =>
  backup('restore', set, '--payload-keys', payloadKeys, '--signing-key', keys.signing);

/** Polls `read` until it answers, at most 30 s. */
async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  for (const deadline = Date.now() + 30_000; ;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A project is started as the service starts one (sealed under the data directory's keys, its
 * member list in the document store), its ledger entry written, and a checkpoint published over
 * it: the auditor keeps that checkpoint with the log's verifier key.
 */
async function projectAndCheckpoint(service: EmbeddedService): Promise<void> {
  const ring = readKeyRing(path.join(dataDir, 'payload-keys.json'));
  const connection = await Connection.connect({ address: service.temporalAddress });
  const client = new Client({ connection, dataConverter: serviceDataConverter(ring, new DiskDocumentStore(path.join(dataDir, 'documents'), ring)) });
  try {
    const projects = new ProjectClient(client, 'alliance-projects');
    const id = await projects.create(theCall, anApplication());
    // The PI's update through the door, its long member list kept in the document store: the project's first ledger entry.
    const updated = await call(api(service), 'POST', `/api/projects/${theCall.id}/TE2-0001/application.update`, await tokenFor('pi-lin'), {
      application: anApplication({ members }),
    });
    expect(updated.status).toBe(200);
    await settledHistoryLength(projects, id);
    // The writer's schedule ticks every minute; the test asks for the tick now.
    await client.schedule.getHandle(checkpointScheduleId('alliance-projects')).trigger();
    await until(() => readdirSync(path.join(dataDir, 'witness')).find((f) => f.startsWith('checkpoint-')), 'published checkpoint');
  } finally {
    await connection.close();
  }
  mkdirSync(kept);
  const checkpoint = await allianceAs('wu', service.apiUrl, ['audit', 'checkpoint', '--out', trusted]);
  expect(checkpoint.stderr).toBe('');
  cpSync(path.join(dataDir, 'ledger-verifier.key'), verifierKey);
}

/** The set as `alliance backup create` wrote it while the service ran: every part, in order, and no key. */
async function backupWhileRunning(): Promise<void> {
  const taken = await backup('create', setDir, '--json');
  expect(taken.stderr).toBe('');
  expect(taken.status).toBe(0);
  const summary = JSON.parse(taken.stdout) as { order: string[]; payloadKeys: { required: string[] }; logSigning: { verifierKey: string } };
  expect(summary.order).toEqual(['temporal', 'witness', 'ledger', 'notices', 'documents']);
  expect(summary.logSigning.verifierKey).toBe(readFileSync(verifierKey, 'utf8').trim());
  const inSet = readdirSync(setDir, { recursive: true }).map(String);
  expect(inSet).toEqual(expect.arrayContaining(['manifest.json', 'temporal.sqlite', 'ledger.sqlite', 'notices.sqlite']));
  expect(inSet.filter((f) => f.startsWith('documents/') && f.includes('sha256-')).length).toBeGreaterThanOrEqual(1);
  // No key the operators keep: a project's document key travels in the set sealed under the payload keys, like its documents.
  expect(inSet.filter((f) => (/key/.test(f) && !/^documents\/projects\/[0-9a-f]{32}\/key$/.test(f)) || f.includes('sessions'))).toEqual([]);
  expect(inSet.filter((f) => /^documents\/projects\/[0-9a-f]{32}\/key$/.test(f))).toHaveLength(1);
  // The operators keep the keys apart from the set.
  cpSync(path.join(dataDir, 'payload-keys.json'), keys.payload);
  cpSync(path.join(dataDir, 'ledger-signing.key'), keys.signing);
  expect((await backup('verify', setDir, '--payload-keys', keys.payload, '--signing-key', keys.signing)).status).toBe(0);
}

/** A set altered after it was taken, and key files without the set's key, are refused before anything is written. */
async function refusals(): Promise<void> {
  const tampered = path.join(work, 'tampered');
  cpSync(setDir, tampered, { recursive: true });
  const ledger = path.join(tampered, 'ledger.sqlite');
  chmodSync(ledger, 0o600);
  const fd = openSync(ledger, 'r+');
  writeSync(fd, Buffer.from('X'), 0, 1, 5000);
  closeSync(fd);
  const refused = await restore(tampered);
  expect(refused.stderr).toMatch(/^INTEGRITY: .*ledger\.sqlite is not the file the manifest names \(its SHA-256 differs\).*; nothing was written\.\n$/);
  expect(refused.status).toBe(7);

  const { current } = JSON.parse(readFileSync(keys.payload, 'utf8')) as { current: string };
  const otherDay = path.join(work, 'other-day.json');
  rotateKeyFile(otherDay, new Date('2020-01-02T00:00:00Z'));
  const lacking = await restore(setDir, otherDay);
  expect(lacking.stderr).toBe(
    `VALIDATION: --payload-keys ${otherDay} lacks payload key(s) ${current}, which this set's data is sealed under: give the key file kept apart from the backup (it holds every key ever made); nothing was written.\n`,
  );
  expect(lacking.status).toBe(2);
  // Key ids are days: a file made the same day names the key, and holds another.
  const sameDay = path.join(work, 'same-day.json');
  writeFileSync(sameDay, JSON.stringify({ current, keys: [{ id: current, key: randomBytes(32).toString('base64') }] }));
  expect((await restore(setDir, sameDay)).stderr).toMatch(/holds another key than the set's under id\(s\) /);
  expect(existsSync(dataDir)).toBe(false);
}

/** The auditor's check against the checkpoint they kept, with their own key: green. */
async function verifiedSince(service: EmbeddedService): Promise<string> {
  const verified = await allianceAs('wu', service.apiUrl, ['audit', 'verify', '--since', trusted, '--key', verifierKey]);
  expect(verified.stderr).toBe('');
  expect(verified.stdout).toMatch(
    /^verified \d+ ledger entries \([1-9]\d* compared with Temporal\): every hash and link holds; the tree of \d+ leaves you trusted is the start of the published \d+ \(consistency proof checked\)/,
  );
  expect(verified.status).toBe(0);
  return verified.stdout;
}

it('restores a set taken while the service ran into a wiped data directory: verify --since passes and the project takes its next command', async () => {
  const started = Date.now();
  let service = await startEmbeddedService(dataDir);
  try {
    await projectAndCheckpoint(service);
    await backupWhileRunning();
  } finally {
    await service.stop();
  }
  rmSync(dataDir, { recursive: true, force: true });
  await refusals();

  const restored = await restore(setDir);
  expect(restored.stderr).toBe('');
  expect(restored.stdout).toMatch(
    /^restored .* every SHA-256 checked:\n {2}temporal: .*\n {2}witness: .*\n {2}ledger: .*\n {2}notices: .*\n {2}documents: .*\n {2}payload keys: .*\n {2}log signing key: /,
  );
  expect(restored.status).toBe(0);

  service = await startEmbeddedService(dataDir);
  try {
    await verifiedSince(service);
    // The PI's next command: the project resumed, its member list read back from the restored documents.
    const submitted = await allianceAs('pi-lin', service.apiUrl, ['application', 'submit', project]);
    expect(submitted.stderr).toBe('');
    expect(submitted.stdout).toBe(`project:${project}: submitted\n`);
    const history = JSON.parse((await allianceAs('wu', service.apiUrl, ['audit', 'history', project, '--json'])).stdout) as { event: string }[];
    expect(history.map((e) => e.event)).toEqual(['application.update', 'application.submit']);
    await verifiedSince(service);
  } finally {
    await service.stop();
  }
  console.log(`backup → wipe → restore → verify → command: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 120_000);
