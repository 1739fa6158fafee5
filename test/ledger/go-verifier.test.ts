import { generateLogKey, parseSignerKey, signCheckpoint } from '../../tlog/checkpoint';
import { leafHash, rootOf } from '../../tlog/merkle';
import { proofBundle, type ProofBundle } from '../../tlog/proof-bundle';
import { sha256 } from '../../tlog/digest';
import { buildLedgerVerifier } from '../helpers/ledger-verifier';
import { SqlLedgerStore } from '../../activities/ledger/sql-store';
import { sqliteDriver } from '../../activities/sql/sqlite-driver';
import { archiveLeafData, entryLeafData } from '../../tlog/leaves';
import { canonicalJson } from '../../tlog/digest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The independent verifier, built from tools/ledger-verifier with the Go toolchain (modules from the Go proxy). */
let verifier: ReturnType<typeof buildLedgerVerifier>;
beforeAll(() => {
  verifier = buildLedgerVerifier();
}, 180_000);

const origin = 'ledger.alliance.example/v1';
const key = generateLogKey('ledger.alliance.example');
const signer = parseSignerKey(key.signerKey);
const leaves = Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from(`{"seq":${i + 1}}`)));
const check = (bundle: ProofBundle, verifierKey = key.verifierKey) => verifier(JSON.stringify(bundle), verifierKey);

describe('tools/ledger-verifier, built on golang.org/x/mod/sumdb/{note,tlog}', () => {
  const older = signCheckpoint({ origin, size: 377, root: rootOf(leaves, 0, 377) }, signer);
  const bundle = proofBundle(leaves, signer, origin, { indices: [0, 376, 511, 999], since: { checkpoint: older, size: 377 } });

  it("accepts the service's checkpoints, inclusion proofs and consistency proof", () => {
    const run = check(bundle);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`checkpoint ${origin}: 1000 entries`);
    expect(run.stdout).toContain('entry 999: included');
    expect(run.stdout).toContain('consistent with the trusted checkpoint of 377 entries');
  });

  it('hashes each leaf from its data and checks the payload against the digest the entry records', () => {
    const payload = '{"amountNtd":2000000}';
    const data = JSON.stringify({ seq: 1, payloadDigest: sha256(payload) });
    const withData = [leafHash(Buffer.from(data)), ...leaves.slice(1)];
    const proven = proofBundle(withData, signer, origin, { items: [{ index: 0, leafData: data, payload }] });
    expect(check(proven).stdout).toContain('entry 0: included');
    const forgedPayload = { ...proven, entries: [{ ...proven.entries[0]!, payload: '{"amountNtd":9000000}' }] };
    expect(check(forgedPayload).stderr).toMatch(/entry 0: its payload does not have the digest the entry records/);
    const forgedData = { ...proven, entries: [{ ...proven.entries[0]!, leafData: data.replace('"seq":1', '"seq":2') }] };
    expect(check(forgedData).stderr).toMatch(/entry 0: its data does not hash to the leaf the bundle names/);
  });

  it('rejects a checkpoint signed by another key', () => {
    const impostor = parseSignerKey(generateLogKey('ledger.alliance.example').signerKey);
    const run = check({ ...bundle, checkpoint: signCheckpoint({ origin, size: 1000, root: rootOf(leaves) }, impostor) });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/the checkpoint's signature does not verify with the trusted key/);
  });

  it('rejects a proof for a changed entry, and a log that does not extend the trusted one', () => {
    const changed = { ...bundle, entries: [{ ...bundle.entries[1]!, leafHash: leafHash(Buffer.from('{"seq":377,"edited":true}')).toString('base64') }] };
    expect(check(changed).stderr).toMatch(/entry 376 is not in the checkpoint's tree/);
    const rewritten = leaves.map((l, i) => (i === 100 ? leafHash(Buffer.from('rewritten')) : l));
    const fork = proofBundle(rewritten, signer, origin, { since: { checkpoint: older, size: 377 } });
    const run = check(fork);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/does not extend the trusted one of 377/);
  });

  it("accepts a project whose personal data was erased: its entries without their payloads, its tombstone with its, its archived run's leaf", async () => {
    let now = new Date('2026-01-10T00:00:00.000Z');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-erased-')), 'ledger.sqlite');
    const ledger = await SqlLedgerStore.open(sqliteDriver(file), { now: () => now });
    const workflowId = 'project:c:A';
    const payload = canonicalJson({ name: '葉存真' });
    const base = { workflowId, chainId: 'run-1', actor: { role: 'pi' as const, id: 'PI-1' }, payloadDigest: sha256(payload) };
    await ledger.append({ ...base, entrySeq: 1, at: '2026-01-01T00:00:00.000Z', event: 'application.submit', from: ['draft'], to: ['submitted'] }, payload);
    await ledger.append(
      { ...base, entrySeq: 2, at: '2026-01-02T00:00:00.000Z', event: 'application.withdraw', from: ['submitted'], to: ['withdrawn'] },
      payload,
    );
    await ledger.archiveRun({ workflowId, runIndex: 0, runId: 'run-1', historyJson: '{}', sha256: sha256('{}'), archivedAt: '2026-01-02T00:00:00.000Z' });
    now = new Date('2029-01-03T00:00:00.000Z');
    const outside = { temporalExecutions: [], notices: 0, mailFiles: 0, documents: 0 };
    await ledger.erase({ workflowId, kind: 'personal-data', rule: 'afterUnfunded.archive', period: 'P3Y', outside });
    const entries = await ledger.entries();
    const kept = await ledger.payloads(entries.map((e) => e.payloadDigest));
    const [run] = await ledger.archivedRuns(workflowId);
    const leaves = await ledger.leaves();
    await ledger.close();
    // Each leaf's data as the service exports it: an entry's payload only where it is still kept.
    const items = leaves.map((leaf, index) => {
      if (leaf.kind === 'archive') return { index, leafData: archiveLeafData(run!).toString('utf8') };
      const e = entries.find((x) => String(x.seq) === leaf.ref)!;
      return { index, leafData: entryLeafData(e).toString('utf8'), ...(kept.has(e.payloadDigest) ? { payload: kept.get(e.payloadDigest)! } : {}) };
    });
    expect(items.filter((i) => 'payload' in i)).toHaveLength(1);
    const ordered = items;
    const tree = leaves.map((l) => Buffer.from(l.hash, 'hex'));
    const run1 = check(proofBundle(tree, signer, origin, { items: ordered }));
    expect(run1.stderr).toBe('');
    expect(run1.stdout).toContain(`entry ${leaves.length - 1}: included`);
  });
});
