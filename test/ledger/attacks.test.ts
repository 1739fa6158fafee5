import { generateLogKey, openCheckpoint, parseSignerKey, parseVerifierKey, signCheckpoint, type Checkpoint } from '../../tlog/checkpoint';
import { canonicalJson, sha256 } from '../../tlog/digest';
import { checkLedger } from '../../activities/ledger/integrity';
import { rootOf, verifyConsistency } from '../../tlog/merkle';
import { SqlLedgerStore } from '../../activities/ledger/sql-store';
import type { LedgerEntry } from '../../activities/ledger/store';
import { toEntry } from '../../activities/ledger/rows';
import { rewriteDerived } from '../helpers/insider';
import type { SqlDriver } from '../../activities/sql/driver';
import { databases } from '../stores/contract';
import path from 'node:path';
import { readKeyRing, textSealer } from '../../activities/crypto/key-ring';

/**
 * An insider with write access to the ledger's database, against an auditor who kept a signed
 * checkpoint from before the attack. The insider is competent: after each change every hash,
 * chain link and leaf is recomputed (as `rewriteDerived` does), so the ledger agrees with itself;
 * only the checkpoint, signed with a key the database never held, tells.
 */
const key = generateLogKey('ledger.alliance.example');
/** Payloads are kept sealed, as the service keeps them. */
const sealer = textSealer(readKeyRing(path.resolve(__dirname, '../fixtures/payload-keys.json')));
const verifier = parseVerifierKey(key.verifierKey);
const ORIGIN = 'ledger.alliance.example/v1';

const payloadOf = (workflowId: string, entrySeq: number) => canonicalJson({ note: `${workflowId} step ${entrySeq}`, amount: 1_000_000 + entrySeq });
const entry = (workflowId: string, entrySeq: number) => ({
  workflowId,
  chainId: 'run-1',
  entrySeq,
  at: `2026-11-26T01:00:${String(entrySeq).padStart(2, '0')}.000Z`,
  actor: { role: 'office' as const, id: 'office-kao' },
  event: `step.${entrySeq}`,
  from: ['a'],
  to: ['b'],
  payloadDigest: sha256(payloadOf(workflowId, entrySeq)),
});

/** Projects A and B interleaved, A closed and archived, then more of B: 9 entries and 1 archived run. */
async function aLedger(db: SqlDriver): Promise<{ ledger: SqlLedgerStore; trusted: Checkpoint }> {
  const ledger = await SqlLedgerStore.open(db, { sealer });
  for (const [id, n] of [
    ['project:c:A', 1],
    ['project:c:B', 1],
    ['project:c:A', 2],
    ['project:c:B', 2],
    ['project:c:A', 3],
    ['project:c:B', 3],
  ] as const) {
    await ledger.append(entry(id, n), payloadOf(id, n));
  }
  const history = JSON.stringify({ events: [{ eventId: 1, eventType: 'WORKFLOW_EXECUTION_STARTED' }] });
  await ledger.archiveRun({
    workflowId: 'project:c:A',
    runIndex: 0,
    runId: 'run-a0',
    historyJson: history,
    sha256: sha256(history),
    archivedAt: '2026-11-26T02:00:00.000Z',
  });
  for (const n of [4, 5, 6]) await ledger.append(entry('project:c:B', n), payloadOf('project:c:B', n));
  const leaves = (await ledger.leaves()).map((l) => Buffer.from(l.hash, 'hex'));
  const note = signCheckpoint({ origin: ORIGIN, size: leaves.length, root: rootOf(leaves) }, parseSignerKey(key.signerKey));
  return { ledger, trusted: openCheckpoint(note, verifier) };
}

/** Deletes entries and closes the gaps in seq, as an insider hiding a deletion would. */
async function deleteEntries(db: SqlDriver, seqs: number[]): Promise<void> {
  for (const seq of seqs) await db.run('DELETE FROM ledger WHERE seq = ?', [seq]);
  const rows = await db.all('SELECT seq FROM ledger ORDER BY seq');
  for (const [i, row] of rows.entries()) if (Number(row.seq) !== i + 1) await db.run('UPDATE ledger SET seq = ? WHERE seq = ?', [i + 1, Number(row.seq)]);
}

const attacks: [string, (db: SqlDriver) => Promise<void>, { check: string; reason: RegExp }][] = [
  [
    'editing one entry and recomputing every later hash, link and leaf',
    async (db) => {
      await db.run("UPDATE ledger SET event = 'decision.reject' WHERE seq = 3");
      await rewriteDerived(db);
    },
    { check: 'rewritten', reason: /first 10 leaves no longer have the root of the checkpoint you trust/ },
  ],
  [
    'deleting the last entry of one project (A #3, in the middle of the ledger)',
    async (db) => {
      const rows = await db.all("SELECT seq FROM ledger WHERE workflow_id = 'project:c:A' AND entry_seq = 3");
      await deleteEntries(
        db,
        rows.map((r) => Number(r.seq)),
      );
      await rewriteDerived(db);
    },
    { check: 'removed', reason: /has 9 leaves and the checkpoint you trust vouches for 10: 1 of the entries/ },
  ],
  [
    'deleting the last entries of the whole ledger',
    async (db) => {
      await deleteEntries(db, [8, 9]);
      await rewriteDerived(db);
    },
    { check: 'removed', reason: /has 8 leaves and the checkpoint you trust vouches for 10/ },
  ],
  [
    'swapping two entries of different projects',
    async (db) => {
      const [two, three] = (await db.all('SELECT * FROM ledger WHERE seq IN (2, 3) ORDER BY seq')).map(toEntry);
      const put = (target: number, e: LedgerEntry) =>
        db.run('UPDATE ledger SET workflow_id = ?, entry_seq = ?, event = ?, at = ?, payload_digest = ? WHERE seq = ?', [
          e.workflowId,
          e.entrySeq,
          e.event,
          e.at,
          e.payloadDigest,
          target,
        ]);
      await db.run('UPDATE ledger SET entry_seq = -1 WHERE seq = 2');
      await put(3, two!);
      await put(2, three!);
      await rewriteDerived(db);
    },
    { check: 'rewritten', reason: /first 10 leaves no longer have the root/ },
  ],
  [
    'editing a stored payload',
    async (db) => {
      await db.run('UPDATE payloads SET body = ? WHERE digest = ?', [
        canonicalJson({ note: 'project:c:A step 2', amount: 9_000_000 }),
        sha256(payloadOf('project:c:A', 2)),
      ]);
    },
    { check: 'payload', reason: /payload kept for entry 3 was altered/ },
  ],
  [
    'moving one sealed payload over another (both genuine ciphertext)',
    async (db) => {
      const other = await db.get('SELECT body FROM payloads WHERE digest = ?', [sha256(payloadOf('project:c:B', 1))]);
      await db.run('UPDATE payloads SET body = ? WHERE digest = ?', [String(other!.body), sha256(payloadOf('project:c:A', 2))]);
    },
    { check: 'payload', reason: /payload kept for entry 3 was altered/ },
  ],
  [
    "editing a stored payload and its entry's digest, then recomputing everything",
    async (db) => {
      const forged = canonicalJson({ note: 'project:c:A step 2', amount: 9_000_000 });
      await db.run('INSERT INTO payloads VALUES (?, ?)', [sha256(forged), forged]);
      await db.run('UPDATE ledger SET payload_digest = ? WHERE seq = 3', [sha256(forged)]);
      await rewriteDerived(db);
    },
    { check: 'rewritten', reason: /first 10 leaves/ },
  ],
  [
    'editing an archived history',
    async (db) => {
      await db.run("UPDATE archive SET history_json = ? WHERE run_id = 'run-a0'", [JSON.stringify({ events: [] })]);
    },
    { check: 'archive', reason: /archived history of project:c:A run run-a0 was altered/ },
  ],
  [
    'editing an archived history and its SHA-256, then recomputing its leaf',
    async (db) => {
      const forged = JSON.stringify({ events: [] });
      await db.run("UPDATE archive SET history_json = ?, sha256 = ? WHERE run_id = 'run-a0'", [forged, sha256(forged)]);
      await rewriteDerived(db);
    },
    { check: 'rewritten', reason: /first 10 leaves/ },
  ],
  [
    'editing one entry and recomputing its hashes and links, not the leaves',
    async (db) => {
      await db.run("UPDATE ledger SET actor_id = 'office-lee' WHERE seq = 4");
      await rewriteDerived(db, { leaves: false });
    },
    { check: 'entry', reason: /entry 4 is not the entry its leaf was made of/ },
  ],
];

describe.each(databases)('audit against a trusted checkpoint, on %s', (_name, fresh) => {
  it('passes an untouched ledger and proves that it only grew since the checkpoint', async () => {
    const { ledger, trusted } = await aLedger((await fresh('untouched'))());
    try {
      for (const n of [7, 8]) await ledger.append(entry('project:c:B', n), payloadOf('project:c:B', n));
      const report = await checkLedger(ledger, { trusted });
      expect(report).toMatchObject({ problem: null, entries: 11, payloads: 11, archivedRuns: 1, size: 12 });
      const proof = report.consistency!.map((h) => Buffer.from(h, 'base64'));
      expect(verifyConsistency(trusted.size, report.size, proof, trusted.root, Buffer.from(report.root, 'hex'))).toBe(true);
    } finally {
      await ledger.close();
    }
  });

  it('keeps payload bodies sealed: the database holds none of their text, the check opens them', async () => {
    const open = await fresh('sealed');
    const { ledger } = await aLedger(open());
    const reader = open();
    try {
      const bodies = (await reader.all('SELECT body FROM payloads')).map((r) => String(r.body));
      expect(bodies).toHaveLength(9);
      for (const body of bodies) {
        expect(body).toMatch(/^sealed:v1:test-1:/);
        expect(body).not.toContain('step');
      }
      expect((await ledger.payloads([sha256(payloadOf('project:c:A', 2))])).get(sha256(payloadOf('project:c:A', 2)))).toBe(payloadOf('project:c:A', 2));
      expect((await checkLedger(ledger)).problem).toBeNull();
      // The office's alerts name recipients: sealed too, read back whole.
      const alert = {
        key: 'notice-uncertain/project:c:A/t1/lin@ntu.edu.tw',
        kind: 'noticeUncertain' as const,
        subject: 'applicationReceived to 林志明 <lin@ntu.edu.tw>',
        detail: 'relay lost after <lin@ntu.edu.tw>',
        at: '2026-11-26T03:00:00.000Z',
      };
      await ledger.raiseAlert(alert);
      const stored = await reader.get('SELECT subject, detail FROM office_alerts');
      expect(`${String(stored!.subject)} ${String(stored!.detail)}`).not.toMatch(/林志明|lin@/);
      expect(await ledger.alerts()).toEqual([alert]);
    } finally {
      await reader.close();
      await ledger.close();
    }
  });

  it('seals, once, the payloads a ledger kept in plaintext before it had keys; the check still passes', async () => {
    const open = await fresh('plaintext-then-sealed');
    const plain = await SqlLedgerStore.open(open());
    const reader = open();
    try {
      for (const n of [1, 2, 3]) await plain.append(entry('project:c:P', n), payloadOf('project:c:P', n));
      const keyed = await SqlLedgerStore.open(open(), { sealer, migrate: false });
      expect(await keyed.sealPlaintextPayloads()).toBe(3);
      expect(await keyed.sealPlaintextPayloads()).toBe(0);
      for (const row of await reader.all('SELECT body FROM payloads')) expect(String(row.body)).toMatch(/^sealed:v1:/);
      expect((await checkLedger(keyed)).problem).toBeNull();
      await keyed.close();
    } finally {
      await reader.close();
      await plain.close();
    }
  });

  it.each(attacks)('names %s', async (_attack, attack, expected) => {
    const open = await fresh('attacked');
    const { ledger, trusted } = await aLedger(open());
    const insider = open();
    try {
      await attack(insider);
      // The ledger agrees with itself where the insider recomputed everything; the checkpoint does not.
      const report = await checkLedger(ledger, { trusted });
      expect(report.problem).toMatchObject({ check: expected.check, reason: expect.stringMatching(expected.reason) });
    } finally {
      await insider.close();
      await ledger.close();
    }
  });
});
