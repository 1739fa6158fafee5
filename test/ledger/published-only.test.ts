import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCheckpointActivities } from '../../activities/ledger/checkpoint-activity';
import { createCheckpointWriter } from '../../activities/ledger/checkpoint-writer';
import { AuditClient } from '../../gateway/audit';
import { localLogSigning } from '../../activities/ledger/log-signing';
import type { LedgerStore } from '../../activities/ledger/store';
import type { NoticeToSend } from '../../activities/notices/delivery';
import { sqliteDriver } from '../../activities/sql/sqlite-driver';
import type { SqlDriver } from '../../activities/sql/driver';
import { errorCodes } from '../../domain/errors';
import { openCheckpoint, parseVerifierKey } from '../../tlog/checkpoint';
import { sha256 } from '../../tlog/digest';
import { rootOf } from '../../tlog/merkle';
import { startApi, type RunningApi } from '../helpers/api';
import { allianceAs } from '../helpers/cli';
import { connectDevServer } from '../helpers/environments';
import { rewriteDerived } from '../helpers/insider';
import { temporaryLedger } from '../helpers/project-harness';

/**
 * Only the checkpoint writer signs, and only a tree that extends what it published: the API holds
 * no signing key and hands out the published checkpoint. An insider who rewrites the ledger,
 * recomputes every hash and leaf, and deletes the writer's alert (kept in the same database) gets
 * no signature over the forged tree from any API call, and the auditor's next verify names it.
 */
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await connectDevServer();
});
afterAll(() => env?.teardown());

const entry = (entrySeq: number) => ({
  workflowId: 'project:c:A',
  chainId: 'run-1',
  entrySeq,
  at: `2026-11-26T00:00:${String(entrySeq).padStart(2, '0')}.000Z`,
  actor: { role: 'office' as const, id: 'office-kao' },
  event: `step.${entrySeq}`,
  from: ['a'],
  to: ['b'],
  payloadDigest: sha256('{}'),
});

interface World {
  ledger: LedgerStore;
  insider: SqlDriver;
  api: RunningApi;
  dir: string;
  witnessDir: string;
  signing: ReturnType<typeof localLogSigning>;
  mails: NoticeToSend[];
  tick: () => Promise<unknown>;
  cli: (...args: string[]) => ReturnType<typeof allianceAs>;
}

const append = async (ledger: LedgerStore, from: number, to: number): Promise<void> => {
  for (let i = from; i <= to; i++) await ledger.append(entry(i), '{}');
};
const witnessFile = (w: World, size: number): string => readFileSync(path.join(w.witnessDir, `checkpoint-${String(size).padStart(12, '0')}.txt`), 'utf8');

/** The auditor keeps the published checkpoint; what was appended after it is not provable until the next. */
async function publishedAndKept(w: World): Promise<void> {
  await append(w.ledger, 1, 6);
  expect(await w.tick()).toEqual({ size: 6, written: true });
  const trusted = path.join(w.dir, 'trusted.txt');
  const kept = await w.cli('audit', 'checkpoint', '--out', trusted);
  expect(kept.stderr).toBe('');
  expect(readFileSync(trusted, 'utf8')).toBe(witnessFile(w, 6));

  await append(w.ledger, 7, 8);
  const current = JSON.parse((await w.cli('audit', 'checkpoint', '--json')).stdout) as { size: number; unpublished: number; checkpoint: string };
  expect(current).toMatchObject({ size: 6, unpublished: 2, checkpoint: witnessFile(w, 6) });
  const early = await w.cli('audit', 'prove', '--entries', '7', '--key', w.signing.verifierFile);
  expect(early.status).toBe(errorCodes.ILLEGAL_TRANSITION.exitStatus);
  expect(early.stderr).toMatch(/Entry 7 is not yet in a published checkpoint \(the last published checkpoint covers 6 leaves\)/);
  const proven = await w.cli('audit', 'prove', '--entries', '2', '--key', w.signing.verifierFile, '--since', trusted);
  expect(proven.stderr).toBe('');
  expect(proven.stdout).toMatch(/^1 leaves proven in the published tree of 6 \(checked with your key\), which extends your checkpoint of 6/);

  expect(await w.tick()).toEqual({ size: 8, written: true });
  const next = path.join(w.dir, 'next.txt');
  const grown = await w.cli('audit', 'verify', '--since', trusted, '--key', w.signing.verifierFile, '--save', next);
  expect(grown.stderr).toBe('');
  expect(grown.stdout).toMatch(/the tree of 6 leaves you trusted is the start of the published 8 \(consistency proof checked\)/);
  expect(readFileSync(next, 'utf8')).toBe(witnessFile(w, 8));
}

/** The insider rewrites entry 3, recomputes everything after it, and deletes the writer's alert: the writer refuses, and says so outside the database. */
async function rewrittenAndHidden(w: World): Promise<void> {
  await w.insider.run("UPDATE ledger SET event = 'decision.reject' WHERE seq = 3");
  await rewriteDerived(w.insider);
  await append(w.ledger, 9, 10);
  const refused = (await w.tick()) as { refused?: string };
  expect(refused.refused).toMatch(/does not extend the published checkpoint of 8/);
  expect((await w.ledger.alerts()).map((a) => a.kind)).toContain('ledgerRewritten');
  await w.insider.run("DELETE FROM office_alerts WHERE kind = 'ledgerRewritten'");
  expect(await w.ledger.alerts()).toEqual([]);

  const published = openCheckpoint(witnessFile(w, 8), parseVerifierKey(w.signing.verifierKey));
  const forged = (await w.ledger.leaves()).map((l) => Buffer.from(l.hash, 'hex'));
  const told = readdirSync(w.witnessDir).filter((f) => f.startsWith('rewritten-'));
  expect(told).toHaveLength(1);
  const report = readFileSync(path.join(w.witnessDir, told[0]!), 'utf8');
  expect(report).toContain(`published: 8 leaves, root ${published.root.toString('hex')}`);
  expect(report).toContain(`found:     10 leaves, root ${rootOf(forged).toString('hex')}`);
  expect(report).toContain(`its first 8 leaves: root ${rootOf(forged, 0, 8).toString('hex')}`);
  expect(w.mails.map((m) => [m.to, m.notice.subject])).toContainEqual([
    'audit@nstc.gov.tw',
    '[Ledger] ledger.alliance.test: the ledger no longer extends the checkpoint of 8 leaves; nothing signed',
  ]);
  // A later tick tells no one twice about the same forgery.
  await w.tick();
  expect(readdirSync(w.witnessDir).filter((f) => f.startsWith('rewritten-'))).toHaveLength(1);
}

/** Every checkpoint an API answer carries verifies with the key, and none vouches for the forged tree. */
function vouchesForNothingForged(w: World, forged: Buffer[], answers: { stdout: string }[]): void {
  const verifier = parseVerifierKey(w.signing.verifierKey);
  const notes = answers.flatMap(({ stdout }) => {
    try {
      const body = JSON.parse(stdout) as { checkpoint?: unknown };
      return typeof body.checkpoint === 'string' ? [body.checkpoint] : [];
    } catch {
      return [];
    }
  });
  for (const note of notes) {
    const checkpoint = openCheckpoint(note, verifier);
    expect(checkpoint.size <= forged.length && rootOf(forged, 0, checkpoint.size).equals(checkpoint.root)).toBe(false);
  }
}

/** No API call signs the forged tree; the auditor's verify against the checkpoint they kept names the rewrite. */
async function apiSignsNothingForged(w: World): Promise<void> {
  const forged = (await w.ledger.leaves()).map((l) => Buffer.from(l.hash, 'hex'));
  const trusted = path.join(w.dir, 'trusted.txt');
  const key = w.signing.verifierFile;
  const checkpoint = await w.cli('audit', 'checkpoint', '--json');
  // The insider deleted the ledger's record of checkpoints too: the API has nothing to hand out, and signs nothing.
  expect(checkpoint.status).toBe(errorCodes.NOT_FOUND.exitStatus);
  expect(checkpoint.stderr).toMatch(/No checkpoint is published yet/);
  const all = await w.cli('audit', 'verify', '--all', '--json');
  expect(all.status).toBe(0);
  expect(JSON.parse(all.stdout)).not.toHaveProperty('checkpoint');
  const prove = await w.cli('audit', 'prove', '--entries', '2', '--key', key, '--json');
  expect(prove.status).toBe(errorCodes.ILLEGAL_TRANSITION.exitStatus);
  const proveSince = await w.cli('audit', 'prove', '--entries', '2', '--key', key, '--since', trusted, '--json');
  expect(proveSince.status).toBe(errorCodes.INTEGRITY.exitStatus);
  expect(proveSince.stderr).toMatch(/first 6 leaves no longer have the root of the checkpoint you trust: it was rewritten/);

  const verify = await w.cli('audit', 'verify', '--since', trusted, '--key', key, '--json');
  expect(verify.status).toBe(errorCodes.INTEGRITY.exitStatus);
  expect(verify.stderr).toMatch(/rewritten: the first 6 leaves no longer have the root of the checkpoint you trust/);
  vouchesForNothingForged(w, forged, [checkpoint, all, prove, proveSince, verify]);
}

it('signs only in the writer, only what extends the published checkpoint; the API hands out that one and a rewrite is named', async () => {
  const { ledger, file } = await temporaryLedger();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-published-'));
  const witnessDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-witness-'));
  const signing = localLogSigning(dir, 'ledger.alliance.test');
  const mails: NoticeToSend[] = [];
  const activities = createCheckpointActivities({
    ledger,
    publishing: { signing, policy: { everyEntries: 2, everyMs: 3_600_000 }, witnessDir, auditorsEmail: 'audit@nstc.gov.tw' },
    send: (item) => Promise.resolve(void mails.push(item)),
  });
  // The API is given the log's key pair here only because the test harness's API takes a LogSigning: it reads the verifier key alone.
  const api = await startApi(env, 'published-only', ledger, { verifierKey: signing.verifierKey });
  const insider = sqliteDriver(file);
  const w: World = {
    ledger,
    insider,
    api,
    dir,
    witnessDir,
    signing,
    mails,
    tick: () => activities.writeCheckpointIfDue(),
    cli: (...args) => allianceAs('wu', api.url, args),
  };
  try {
    await publishedAndKept(w);
    await rewrittenAndHidden(w);
    await apiSignsNothingForged(w);
  } finally {
    await api.close();
    await insider.close();
    await ledger.close();
  }
});

it('names a rewrite after the auditor’s checkpoint but within the last published one, and proves nothing against the forged tree', async () => {
  const { ledger, file } = await temporaryLedger();
  const signing = localLogSigning(mkdtempSync(path.join(os.tmpdir(), 'alliance-published-')), 'ledger.alliance.test');
  const write = createCheckpointWriter({ ledger, signer: signing.signer, origin: signing.origin });
  const insider = sqliteDriver(file);
  try {
    await append(ledger, 1, 4);
    const trusted = { checkpoint: (await write())!.checkpoint.note, key: signing.verifierKey };
    await append(ledger, 5, 8);
    const published = (await write())!.checkpoint;
    // Entry 6 is rewritten after the auditor's checkpoint of 4; the ledger's record of the checkpoint of 8 is put back.
    await insider.run("UPDATE ledger SET event = 'decision.reject' WHERE seq = 6");
    await rewriteDerived(insider);
    await ledger.saveCheckpoint(published);
    const audit = new AuditClient(env.client, ledger, { verifierKey: signing.verifierKey });
    const report = await audit.verify(undefined, trusted);
    expect(report.broken?.reason).toMatch(/^rewritten: the first 8 leaves no longer have the root of the last published checkpoint/);
    expect(report.checkpoint).toBeUndefined();
    expect(await audit.checkpoint()).toMatchObject({ checkpoint: published.note, size: 8, unpublished: 0 });
    await expect(audit.proofs({ seqs: [2], since: trusted })).rejects.toThrow(
      /first 8 leaves no longer have the root of the last published checkpoint: it was rewritten/,
    );
  } finally {
    await insider.close();
    await ledger.close();
  }
});
