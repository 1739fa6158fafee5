/**
 * `make bench-ledger`: what the Merkle log costs and what its proofs weigh. Prints figures, asserts
 * nothing. Appends through the real store (a SQLite file, and PostgreSQL when asked)
 * with the tree, beside a bare append of the same entry without it (the ledger row alone, in the
 * same transaction shape), interleaved in rounds; then the whole-ledger check (`checkLedger`) at
 * the ledger's size; then proofs over trees of 10⁴ and 10⁶ leaves.
 *
 *   node dist/scripts/bench-ledger.js [entries=10000] [treeSizes=10000,1000000]
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalJson, sha256 } from '../tlog/digest';
import { checkLedger } from '../activities/ledger/integrity';
import { consistencyProof, inclusionProof, rootOf, verifyConsistency, verifyInclusion, type Hash } from '../tlog/merkle';
import { SqlLedgerStore } from '../activities/ledger/sql-store';
import { entryHash, type NewLedgerEntry } from '../activities/ledger/store';
import type { SqlDriver } from '../activities/sql/driver';
import { postgresDriver } from '../activities/sql/postgres-driver';
import { sqliteDriver } from '../activities/sql/sqlite-driver';

const entriesWanted = Number(process.argv[2] ?? 10_000);
const treeSizes = (process.argv[3] ?? '10000,1000000').split(',').map(Number);

const ms = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e6;
const summary = (samples: number[]): string => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `n=${sorted.length} min ${sorted[0]!.toFixed(2)} / p50 ${at(0.5).toFixed(2)} / p99 ${at(0.99).toFixed(2)} / max ${sorted.at(-1)!.toFixed(2)} ms`;
};

function entry(i: number): { entry: NewLedgerEntry; payload: string } {
  const payload = canonicalJson({ comments: `review ${i}`, amountNtd: 1_000_000 + i });
  return {
    payload,
    entry: {
      workflowId: `project:bench:TE2-${String(i % 100).padStart(4, '0')}`,
      chainId: 'run-1',
      entrySeq: Math.floor(i / 100) + 1,
      at: new Date(Date.UTC(2026, 10, 26) + i * 1000).toISOString(),
      actor: { role: 'office', id: 'office-kao' },
      event: 'reviewer.assign',
      from: ['review.writtenReview'],
      to: ['review.writtenReview'],
      payloadDigest: sha256(payload),
    },
  };
}

/** The bare baseline: the same entry chained and inserted in one transaction, no leaf, no payload. */
async function bareAppend(db: SqlDriver, e: NewLedgerEntry): Promise<void> {
  await db.transaction('bench bare', async (tx) => {
    const previous = await tx.get('SELECT seq, hash FROM bare_ledger ORDER BY seq DESC LIMIT 1');
    const previousOfChain = await tx.get('SELECT hash FROM bare_ledger WHERE workflow_id = ? AND entry_seq = ?', [e.workflowId, e.entrySeq - 1]);
    const chained = {
      ...e,
      seq: previous ? Number(previous.seq) + 1 : 1,
      prevHash: previous ? String(previous.hash) : '',
      prevWorkflowHash: previousOfChain ? String(previousOfChain.hash) : '',
    };
    await tx.run('INSERT INTO bare_ledger VALUES (?, ?, ?, ?, ?)', [chained.seq, e.workflowId, e.entrySeq, JSON.stringify(chained), entryHash(chained)]);
  });
}

async function appendBench(name: string, open: () => SqlDriver): Promise<void> {
  const ledger = await SqlLedgerStore.open(open());
  const bare = open();
  await bare.run(
    'CREATE TABLE IF NOT EXISTS bare_ledger (seq BIGINT PRIMARY KEY, workflow_id TEXT NOT NULL, entry_seq INTEGER NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL)',
  );
  await bare.run('CREATE INDEX IF NOT EXISTS bare_by_workflow ON bare_ledger (workflow_id, entry_seq)');
  const withTree: number[] = [];
  const without: number[] = [];
  const started = process.hrtime.bigint();
  // Interleaved in rounds of 100, so both see the same machine, cache and database size.
  for (let round = 0; round * 100 < entriesWanted; round++) {
    for (let i = round * 100; i < Math.min(entriesWanted, (round + 1) * 100); i++) {
      const { entry: e, payload } = entry(i);
      let t = process.hrtime.bigint();
      await ledger.append(e, payload);
      withTree.push(ms(t));
      t = process.hrtime.bigint();
      await bareAppend(bare, e);
      without.push(ms(t));
    }
  }
  const total = ms(started) / 1000;
  console.log(`\n## Appends on ${name}: ${entriesWanted} entries, both in ${total.toFixed(1)} s`);
  console.log(`| what | latency | throughput |\n|---|---|---|`);
  const rate = (samples: number[]) => `${(samples.length / (samples.reduce((a, b) => a + b, 0) / 1000)).toFixed(0)} /s`;
  console.log(`| with the tree and the payload | ${summary(withTree)} | ${rate(withTree)} |`);
  console.log(`| bare (ledger row only) | ${summary(without)} | ${rate(without)} |`);
  console.log(`| ratio (p50) | ${(median(withTree) / median(without)).toFixed(2)}× | |`);

  const checks: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    const report = await checkLedger(ledger);
    checks.push(ms(t));
    if (report.problem) throw new Error(`the benchmark's own ledger does not verify: ${report.problem.reason}`);
  }
  console.log(`\nWhole-ledger check (every hash, link, payload and leaf recomputed; root) at ${entriesWanted} entries: ${summary(checks)}`);
  await bare.close();
  await ledger.close();
}

const median = (samples: number[]): number => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

function proofBench(size: number): void {
  const leaves: Hash[] = Array.from({ length: size }, () =>
    createHash('sha256')
      .update(Buffer.from([0]))
      .update(randomBytes(64))
      .digest(),
  );
  let t = process.hrtime.bigint();
  const root = rootOf(leaves);
  const rootMs = ms(t);
  const generate: number[] = [];
  const check: number[] = [];
  let proofHashes = 0;
  for (let k = 0; k < 20; k++) {
    const index = Math.floor((k / 20) * size);
    t = process.hrtime.bigint();
    const proof = inclusionProof(leaves, index);
    generate.push(ms(t));
    proofHashes = Math.max(proofHashes, proof.length);
    t = process.hrtime.bigint();
    if (!verifyInclusion(index, size, leaves[index]!, proof, root)) throw new Error('an inclusion proof does not verify');
    check.push(ms(t));
  }
  const older = Math.floor(size * 0.7);
  t = process.hrtime.bigint();
  const consistency = consistencyProof(leaves, older);
  const consistencyMs = ms(t);
  const olderRoot = rootOf(leaves, 0, older);
  t = process.hrtime.bigint();
  if (!verifyConsistency(older, size, consistency, olderRoot, root)) throw new Error('a consistency proof does not verify');
  const consistencyCheckMs = ms(t);
  console.log(`\n## A tree of ${size.toLocaleString('en')} leaves`);
  console.log(`| what | figure |\n|---|---|`);
  console.log(`| root from the leaves (first time: every node) | ${rootMs.toFixed(0)} ms |`);
  console.log(`| inclusion proof: size | ${proofHashes} hashes, ${proofHashes * 32} bytes |`);
  console.log(`| inclusion proof: make | ${summary(generate)} |`);
  console.log(`| inclusion proof: check | ${summary(check)} |`);
  console.log(`| consistency proof from ${older.toLocaleString('en')}: size | ${consistency.length} hashes, ${consistency.length * 32} bytes |`);
  console.log(`| consistency proof: make / check | ${consistencyMs.toFixed(0)} ms / ${consistencyCheckMs.toFixed(2)} ms |`);
}

async function main(): Promise<void> {
  console.log(`# Ledger benchmark, ${new Date().toISOString()}, ${os.cpus().length} cores, Node ${process.version}`);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-bench-ledger-')), 'ledger.sqlite');
  await appendBench('SQLite', () => sqliteDriver(file));
  // A database of its own: the benchmark appends thousands of entries that belong in no real ledger.
  if (process.env.BENCH_DATABASE_URL) await appendBench('PostgreSQL', () => postgresDriver(process.env.BENCH_DATABASE_URL!));
  for (const size of treeSizes) proofBench(size);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
