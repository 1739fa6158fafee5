import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateLogKey, openCheckpoint, parseSignerKey, parseVerifierKey } from '../../tlog/checkpoint';
import { checkpointDue, createCheckpointWriter } from '../../activities/ledger/checkpoint-writer';
import { consistencyProof, verifyConsistency } from '../../tlog/merkle';
import { SqlLedgerStore } from '../../activities/ledger/sql-store';
import { sqliteDriver } from '../../activities/sql/sqlite-driver';

const key = generateLogKey('ledger.alliance.example');
const entry = (entrySeq: number) => ({
  workflowId: 'project:c:A',
  chainId: 'run-1',
  entrySeq,
  at: `2026-11-26T00:00:${String(entrySeq).padStart(2, '0')}.000Z`,
  actor: { role: 'pi' as const, id: 'PI-1' },
  event: 'application.submit',
  from: ['draft'],
  to: ['submitted'],
  payloadDigest: 'a'.repeat(64),
});

it('refuses to sign a tree that does not extend the checkpoint published in the witness directory', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-checkpoints-'));
  const witnessDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-witness-'));
  const file = path.join(dir, 'ledger.sqlite');
  const ledger = await SqlLedgerStore.open(sqliteDriver(file));
  const insider = sqliteDriver(file);
  try {
    const write = createCheckpointWriter({ ledger, signer: parseSignerKey(key.signerKey), origin: 'ledger.alliance.example/v1', witnessDir });
    for (let i = 1; i <= 3; i++) await ledger.append(entry(i));
    expect(await write()).toMatchObject({ written: true, checkpoint: { size: 3 } });
    // An insider rewrites the first leaf and the ledger's own record of checkpoints; more entries come.
    await insider.run('UPDATE merkle_leaves SET leaf_hash = ? WHERE idx = 0', ['0'.repeat(64)]);
    await insider.run('DELETE FROM checkpoints');
    for (let i = 4; i <= 5; i++) await ledger.append(entry(i));
    await expect(write()).rejects.toThrow(/does not extend the published checkpoint of 3: it was rewritten or truncated/);
    expect(readdirSync(witnessDir)).toEqual(['checkpoint-000000000003.txt']);
  } finally {
    await insider.close();
    await ledger.close();
  }
});

it('signs the tree as it stands, publishes each checkpoint once to the witness directory, and a later one extends it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-checkpoints-'));
  const witnessDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-witness-'));
  const ledger = await SqlLedgerStore.open(sqliteDriver(path.join(dir, 'ledger.sqlite')));
  try {
    const write = createCheckpointWriter({ ledger, signer: parseSignerKey(key.signerKey), origin: 'ledger.alliance.example/v1', witnessDir });
    expect(await write()).toBeNull();
    for (let i = 1; i <= 3; i++) await ledger.append(entry(i));
    const first = (await write())!;
    expect(first).toMatchObject({ written: true, checkpoint: { size: 3 } });
    expect(await write()).toMatchObject({ written: false, checkpoint: { size: 3 } });
    for (let i = 4; i <= 7; i++) await ledger.append(entry(i));
    const second = (await write())!;
    const files = readdirSync(witnessDir).sort();
    expect(files).toEqual(['checkpoint-000000000003.txt', 'checkpoint-000000000007.txt']);
    expect(statSync(path.join(witnessDir, files[0]!)).mode & 0o222).toBe(0);
    const verifier = parseVerifierKey(key.verifierKey);
    const [old, now] = files.map((f) => openCheckpoint(readFileSync(path.join(witnessDir, f), 'utf8'), verifier));
    expect(now).toMatchObject({ size: 7 });
    expect(now!.root.toString('hex')).toBe(second.checkpoint.root);
    const leaves = (await ledger.leaves()).map((l) => Buffer.from(l.hash, 'hex'));
    expect(verifyConsistency(3, 7, consistencyProof(leaves, 3, 7), old!.root, now!.root)).toBe(true);
    expect((await ledger.latestCheckpoint())?.size).toBe(7);
  } finally {
    await ledger.close();
  }
});

it('is due after so many new entries, or so long after the last one if anything was added', () => {
  const policy = { everyEntries: 100, everyMs: 3_600_000 };
  const at = new Date('2026-11-26T00:00:00.000Z');
  const later = (ms: number) => new Date(at.getTime() + ms);
  expect(checkpointDue(policy, null, 0, at)).toBe(false);
  expect(checkpointDue(policy, null, 1, at)).toBe(true);
  expect(checkpointDue(policy, { size: 50, at: at.toISOString() }, 50, later(7_200_000))).toBe(false);
  expect(checkpointDue(policy, { size: 50, at: at.toISOString() }, 149, later(60_000))).toBe(false);
  expect(checkpointDue(policy, { size: 50, at: at.toISOString() }, 150, later(60_000))).toBe(true);
  expect(checkpointDue(policy, { size: 50, at: at.toISOString() }, 51, later(3_600_000))).toBe(true);
});
