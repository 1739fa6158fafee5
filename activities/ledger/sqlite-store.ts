import type { Database } from 'node-sqlite3-wasm';
import { openSqlite } from '../sqlite-file';
import { canonicalJson } from './digest';
import {
  entryHash, LedgerConflictError, LedgerGapError,
  type ArchivedRun, type LedgerEntry, type LedgerStore, type NewLedgerEntry, type ProjectFilter, type ProjectRecord,
} from './store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger (
  seq INTEGER PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  entry_seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  event TEXT NOT NULL,
  from_states TEXT NOT NULL,
  to_states TEXT NOT NULL,
  payload_digest TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  prev_workflow_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (workflow_id, entry_seq)
);
CREATE TABLE IF NOT EXISTS projects (
  workflow_id TEXT PRIMARY KEY, call_id TEXT NOT NULL, roc_year INTEGER NOT NULL, division TEXT NOT NULL, region TEXT NOT NULL,
  institution TEXT NOT NULL, state TEXT NOT NULL, phase INTEGER NOT NULL, project_year INTEGER NOT NULL, overdue INTEGER NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS archive (
  workflow_id TEXT NOT NULL, run_index INTEGER NOT NULL, run_id TEXT NOT NULL, history_json TEXT NOT NULL, sha256 TEXT NOT NULL, archived_at TEXT NOT NULL,
  PRIMARY KEY (workflow_id, run_id)
);`;

type Row = Record<string, string | number | null>;

const toEntry = (r: Row): LedgerEntry => ({
  seq: Number(r.seq), workflowId: String(r.workflow_id), entrySeq: Number(r.entry_seq), at: String(r.at),
  actor: {
    role: String(r.actor_role) as LedgerEntry['actor']['role'], id: String(r.actor_id),
    ...(typeof r.actor_via === 'string' ? { via: JSON.parse(r.actor_via) as NonNullable<LedgerEntry['actor']['via']> } : {}),
  },
  event: String(r.event),
  from: JSON.parse(String(r.from_states)) as string[], to: JSON.parse(String(r.to_states)) as string[],
  payloadDigest: String(r.payload_digest), prevHash: String(r.prev_hash), prevWorkflowHash: String(r.prev_workflow_hash), hash: String(r.hash),
});

const toProject = (r: Row): ProjectRecord => ({
  workflowId: String(r.workflow_id), callId: String(r.call_id), rocYear: Number(r.roc_year), division: String(r.division), region: String(r.region),
  institution: String(r.institution), state: String(r.state), phase: Number(r.phase), projectYear: Number(r.project_year), overdue: Number(r.overdue) === 1, updatedAt: String(r.updated_at),
});

/** The ledger in one SQLite file, through SQLite compiled to WebAssembly: nothing native to build. */
export class SqliteLedgerStore implements LedgerStore {
  private readonly db: Database;

  constructor(file: string, options: { readOnly?: boolean } = {}) {
    this.db = openSqlite(file, options);
    if (!options.readOnly) {
      this.db.exec(SCHEMA);
      // Who authenticated (issuer, subject, session), beside role and id; ledgers from before it have no column.
      const columns = (this.db.all('PRAGMA table_info(ledger)') as Row[]).map((c) => String(c.name));
      if (!columns.includes('actor_via')) this.db.exec('ALTER TABLE ledger ADD COLUMN actor_via TEXT');
    }
  }

  append(entry: NewLedgerEntry): LedgerEntry {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const existing = this.db.get('SELECT * FROM ledger WHERE workflow_id = ? AND entry_seq = ?', [entry.workflowId, entry.entrySeq]) as Row | null;
      if (existing) {
        const known = toEntry(existing);
        const same = canonicalJson({ ...entry }) === canonicalJson({ workflowId: known.workflowId, entrySeq: known.entrySeq, at: known.at, actor: known.actor, event: known.event, from: known.from, to: known.to, payloadDigest: known.payloadDigest });
        this.db.exec('ROLLBACK');
        if (!same) throw new LedgerConflictError(`${entry.workflowId} #${entry.entrySeq} is already in the ledger with other content`);
        return known;
      }
      const previous = this.db.get('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1') as Row | null;
      const previousOfWorkflow = this.db.get('SELECT entry_seq, hash FROM ledger WHERE workflow_id = ? ORDER BY entry_seq DESC LIMIT 1', [entry.workflowId]) as Row | null;
      if (previousOfWorkflow && Number(previousOfWorkflow.entry_seq) !== entry.entrySeq - 1) {
        throw new LedgerGapError(`${entry.workflowId} #${entry.entrySeq} arrived before #${Number(previousOfWorkflow.entry_seq) + 1}`);
      }
      const chained = {
        ...entry,
        seq: previous ? Number(previous.seq) + 1 : 1,
        prevHash: previous ? String(previous.hash) : '',
        prevWorkflowHash: previousOfWorkflow ? String(previousOfWorkflow.hash) : '',
      };
      const full: LedgerEntry = { ...chained, hash: entryHash(chained) };
      this.db.run(
        `INSERT INTO ledger (seq, workflow_id, entry_seq, at, actor_role, actor_id, actor_via, event, from_states, to_states, payload_digest, prev_hash, prev_workflow_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [full.seq, full.workflowId, full.entrySeq, full.at, full.actor.role, full.actor.id, full.actor.via ? JSON.stringify(full.actor.via) : null, full.event, JSON.stringify(full.from), JSON.stringify(full.to), full.payloadDigest, full.prevHash, full.prevWorkflowHash, full.hash],
      );
      this.db.exec('COMMIT');
      return full;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  entries(filter: { workflowId?: string; callId?: string; from?: string; to?: string } = {}): LedgerEntry[] {
    const where: string[] = [];
    const values: string[] = [];
    const add = (clause: string, value: string): void => {
      where.push(clause);
      values.push(value);
    };
    if (filter.workflowId) add('workflow_id = ?', filter.workflowId);
    if (filter.callId) add('workflow_id IN (SELECT workflow_id FROM projects WHERE call_id = ?)', filter.callId);
    if (filter.from) add('at >= ?', filter.from);
    if (filter.to) add('at < ?', filter.to);
    const sql = `SELECT * FROM ledger${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    return (this.db.all(sql, values) as Row[]).map(toEntry);
  }

  upsertProject(p: ProjectRecord): void {
    this.db.run(
      `INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workflow_id) DO UPDATE SET state = excluded.state, project_year = excluded.project_year, overdue = excluded.overdue, updated_at = excluded.updated_at
       WHERE excluded.updated_at >= projects.updated_at`,
      [p.workflowId, p.callId, p.rocYear, p.division, p.region, p.institution, p.state, p.phase, p.projectYear, p.overdue ? 1 : 0, p.updatedAt],
    );
  }

  projects(filter: ProjectFilter = {}): ProjectRecord[] {
    const columns: Record<keyof ProjectFilter, string> = { callId: 'call_id', division: 'division', region: 'region', institution: 'institution', state: 'state', overdue: 'overdue' };
    const where: string[] = [];
    const values: (string | number)[] = [];
    for (const [key, column] of Object.entries(columns) as [keyof ProjectFilter, string][]) {
      const value = filter[key];
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    const sql = `SELECT * FROM projects${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY workflow_id`;
    return (this.db.all(sql, values) as Row[]).map(toProject);
  }

  archiveRun(run: ArchivedRun): void {
    this.db.run('INSERT OR IGNORE INTO archive VALUES (?, ?, ?, ?, ?, ?)', [run.workflowId, run.runIndex, run.runId, run.historyJson, run.sha256, run.archivedAt]);
  }

  archivedRuns(workflowId: string): ArchivedRun[] {
    return (this.db.all('SELECT * FROM archive WHERE workflow_id = ? ORDER BY run_index', [workflowId]) as Row[]).map((r) => ({
      workflowId: String(r.workflow_id), runIndex: Number(r.run_index), runId: String(r.run_id), historyJson: String(r.history_json), sha256: String(r.sha256), archivedAt: String(r.archived_at),
    }));
  }

  close(): void {
    this.db.close();
  }
}
