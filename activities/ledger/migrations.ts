import type { Migration } from '../sql/migrate';
import type { SqlDriver } from '../sql/driver';
import { leafOfArchivedRun, leafOfEntry, type Leaf } from '../../tlog/leaves';
import { toEntry } from './rows';

/** Text columns PostgreSQL sorts by code point, as SQLite does, so both list in the same order. */
const text = (dialect: 'sqlite' | 'postgres'): string => (dialect === 'postgres' ? 'TEXT COLLATE "C"' : 'TEXT');

/** The ledger's schema, step by step. Never edit a released step: add one. */
export const ledgerMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'ledger, project records, archive',
    async up(db) {
      const t = text(db.dialect);
      // Ledger files from before versioned migrations already have these tables (IF NOT EXISTS keeps them).
      await db.run(`CREATE TABLE IF NOT EXISTS ledger (
        seq BIGINT PRIMARY KEY, workflow_id ${t} NOT NULL, entry_seq INTEGER NOT NULL, at TEXT NOT NULL, actor_role TEXT NOT NULL, actor_id TEXT NOT NULL,
        event TEXT NOT NULL, from_states TEXT NOT NULL, to_states TEXT NOT NULL, payload_digest TEXT NOT NULL, prev_hash TEXT NOT NULL, prev_workflow_hash TEXT NOT NULL,
        hash TEXT NOT NULL, UNIQUE (workflow_id, entry_seq))`);
      await db.run(`CREATE TABLE IF NOT EXISTS projects (
        workflow_id ${t} PRIMARY KEY, call_id TEXT NOT NULL, roc_year INTEGER NOT NULL, division TEXT NOT NULL, region TEXT NOT NULL,
        institution TEXT NOT NULL, state TEXT NOT NULL, phase INTEGER NOT NULL, project_year INTEGER NOT NULL, overdue INTEGER NOT NULL, updated_at TEXT NOT NULL)`);
      await db.run(`CREATE TABLE IF NOT EXISTS archive (
        workflow_id ${t} NOT NULL, run_index INTEGER NOT NULL, run_id TEXT NOT NULL, history_json TEXT NOT NULL, sha256 TEXT NOT NULL, archived_at TEXT NOT NULL,
        PRIMARY KEY (workflow_id, run_id))`);
    },
  },
  {
    version: 2,
    description: 'who authenticated (actor_via); entries keyed by execution chain; quarantine; office alerts',
    async up(db) {
      const t = text(db.dialect);
      const columns =
        db.dialect === 'sqlite'
          ? (await db.all('PRAGMA table_info(ledger)')).map((c) => String(c.name))
          : (await db.all("SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'ledger' AND table_schema = current_schema()")).map(
              (c) => String(c.name),
            );
      // A ledger that already had actor_via (added before migrations were versioned) keeps it.
      if (!columns.includes('actor_via')) await db.run('ALTER TABLE ledger ADD COLUMN actor_via TEXT');
      await db.run(`CREATE TABLE ledger_keyed (
        seq BIGINT PRIMARY KEY, workflow_id ${t} NOT NULL, chain_id TEXT NOT NULL, entry_seq INTEGER NOT NULL, at TEXT NOT NULL, actor_role TEXT NOT NULL, actor_id TEXT NOT NULL,
        actor_via TEXT, event TEXT NOT NULL, from_states TEXT NOT NULL, to_states TEXT NOT NULL, payload_digest TEXT NOT NULL, prev_hash TEXT NOT NULL,
        prev_workflow_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (workflow_id, chain_id, entry_seq))`);
      await db.run(`INSERT INTO ledger_keyed SELECT seq, workflow_id, '', entry_seq, at, actor_role, actor_id, actor_via, event, from_states, to_states, payload_digest,
        prev_hash, prev_workflow_hash, hash FROM ledger`);
      await db.run('DROP TABLE ledger');
      await db.run('ALTER TABLE ledger_keyed RENAME TO ledger');
      await db.run('CREATE INDEX ledger_by_workflow ON ledger (workflow_id, chain_id, entry_seq)');
      await db.run('CREATE INDEX ledger_by_time ON ledger (at)');
      await db.run(`CREATE TABLE quarantine (
        workflow_id ${t} NOT NULL, chain_id TEXT NOT NULL, entry_seq INTEGER NOT NULL, content_digest TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL,
        entry_json TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (workflow_id, chain_id, entry_seq, content_digest))`);
      await db.run(`CREATE TABLE office_alerts (
        key TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL)`);
    },
  },
  {
    version: 3,
    description: 'the Merkle tree: one leaf per ledger entry and per archived run, in append order',
    async up(db) {
      await db.run(`CREATE TABLE merkle_leaves (
        idx BIGINT PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL, leaf_hash TEXT NOT NULL, UNIQUE (kind, ref))`);
      await backfillLeaves(db);
    },
  },
  {
    version: 4,
    description: 'signed checkpoints of the tree, as published',
    up: (db) => db.run('CREATE TABLE checkpoints (size BIGINT PRIMARY KEY, root TEXT NOT NULL, note TEXT NOT NULL, at TEXT NOT NULL)'),
  },
  {
    version: 5,
    description: "each command's payload, kept by its digest so verify can check it; from which entry on they are kept",
    async up(db) {
      await db.run('CREATE TABLE payloads (digest TEXT PRIMARY KEY, body TEXT NOT NULL)');
      await db.run('CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const last = await db.get('SELECT seq FROM ledger ORDER BY seq DESC LIMIT 1');
      // Entries from before this step kept only their payload's digest: verify checks payloads from here on.
      await db.run("INSERT INTO ledger_meta VALUES ('payloads_from_seq', ?)", [String(last ? Number(last.seq) + 1 : 1)]);
    },
  },
  {
    version: 6,
    description: "which application continues each phase-1 project in phase 2: one at a time, kept beyond Temporal's retention",
    up: (db) => db.run(`CREATE TABLE phase2_claims (phase1_project_id ${text(db.dialect)} PRIMARY KEY, project_id TEXT NOT NULL, claimed_at TEXT NOT NULL)`),
  },
  {
    version: 7,
    description: "the ledger by who acted, so a PI's projects are found in it after Temporal deleted them",
    up: (db) => db.run('CREATE INDEX ledger_by_actor ON ledger (actor_id, actor_role)'),
  },
  {
    version: 8,
    description: "the ledger by payload digest, so an erasure finds at once whether another project's entry shares a payload",
    up: (db) => db.run('CREATE INDEX ledger_by_payload ON ledger (payload_digest)'),
  },
  {
    version: 9,
    description: 'archived histories sealed again under the current payload key when an older one is retired, each re-sealing a leaf of the tree',
    up: (db) =>
      db.run(`CREATE TABLE archive_reseals (
        workflow_id ${text(db.dialect)} NOT NULL, run_id ${text(db.dialect)} NOT NULL, n INTEGER NOT NULL, from_sha256 TEXT NOT NULL, to_sha256 TEXT NOT NULL,
        retired_key_id TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (workflow_id, run_id, n))`),
  },
];

/**
 * Leaves for what a ledger held before the tree: its entries in ledger order, then its archived
 * runs in the order they were archived (their interleaving with entries was not recorded).
 */
async function backfillLeaves(db: SqlDriver): Promise<void> {
  const leaves: Leaf[] = [
    ...(await db.all('SELECT * FROM ledger ORDER BY seq')).map((row) => leafOfEntry(toEntry(row))),
    ...(await db.all('SELECT workflow_id, run_index, run_id, sha256 FROM archive ORDER BY archived_at, workflow_id, run_index')).map((row) =>
      leafOfArchivedRun({ workflowId: String(row.workflow_id), runIndex: Number(row.run_index), runId: String(row.run_id), sha256: String(row.sha256) }),
    ),
  ];
  for (const [idx, leaf] of leaves.entries()) await db.run('INSERT INTO merkle_leaves VALUES (?, ?, ?, ?)', [idx, leaf.kind, leaf.ref, leaf.hash]);
}
