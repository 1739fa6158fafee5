import { canonicalJson, sha256 } from '../../tlog/digest';
import { ledgerMigrations } from './migrations';
import { migrate } from '../sql/migrate';
import type { TextSealer } from '../crypto/key-ring';
import type { Row, SqlDriver } from '../sql/driver';
import { toAlert, toEntry, toProject, toQuarantined } from './rows';
import { tombstoneEvent } from '../../domain/retention';
import { eraseIn } from './erasure';
import { resealLedgerTexts, resealRunIn, sealPlaintextIn, toReseal } from './reseal';
import { leafOfArchivedRun, leafOfEntry, type Leaf } from '../../tlog/leaves';
import {
  appendContent,
  entryHash,
  gapAlert,
  quarantineAlert,
  type AppendOptions,
  type AppendOutcome,
  type ErasureOutcome,
  type ErasureRequest,
  type ArchivedRun,
  type ArchiveReseal,
  type LedgerEntry,
  type LedgerFilter,
  type LedgerStore,
  type NewLedgerEntry,
  type OfficeAlert,
  type ProjectFilter,
  type ProjectRecord,
  type QuarantinedEntry,
  type StoredCheckpoint,
} from './store';

/** What a payload's seal is bound to: a body moved to another digest's row does not open there. */
const payloadContext = (digest: string): string => `ledger payload ${digest}`;
/** A workflow's archived runs, each with the SHA-256 of its last re-sealing, if any. */
const ARCHIVED_RUNS = `SELECT a.*, (SELECT r.to_sha256 FROM archive_reseals r WHERE r.workflow_id = a.workflow_id AND r.run_id = a.run_id ORDER BY r.n DESC LIMIT 1) AS resealed
  FROM archive a WHERE a.workflow_id = ? ORDER BY a.run_index`;

/** The one lock every append takes: the ledger is one chain, appended to one entry at a time. */
const APPEND_LOCK = 'ledger append';

/** The ledger over SQL: SQLite for one machine, PostgreSQL for many workers. */
export class SqlLedgerStore implements LedgerStore {
  private constructor(
    private readonly db: SqlDriver,
    private readonly now: () => Date,
    private readonly sealer: TextSealer | undefined,
  ) {}

  /**
   * Opens the store, bringing its schema to the newest version (not for a read-only SQLite file).
   * With a sealer, payloads (names, addresses, comments) are kept encrypted; the entries, which
   * carry only their digests, stay readable to anyone who checks the chain.
   */
  static async open(db: SqlDriver, options: { migrate?: boolean; now?: () => Date; sealer?: TextSealer } = {}): Promise<SqlLedgerStore> {
    if (options.migrate !== false) await migrate(db, 'ledger', ledgerMigrations);
    return new SqlLedgerStore(db, options.now ?? (() => new Date()), options.sealer);
  }

  append(entry: NewLedgerEntry, payload?: string, options: AppendOptions = {}): Promise<AppendOutcome> {
    const chainId = entry.chainId ?? '';
    if (payload !== undefined && sha256(payload) !== entry.payloadDigest)
      throw new Error(`The payload given for ${entry.workflowId} #${entry.entrySeq} does not have the entry's payload digest`);
    return this.db.transaction(APPEND_LOCK, async (tx) => {
      const existing = await tx.get('SELECT * FROM ledger WHERE workflow_id = ? AND chain_id = ? AND entry_seq = ?', [
        entry.workflowId,
        chainId,
        entry.entrySeq,
      ]);
      if (existing) {
        const known = toEntry(existing);
        if (canonicalJson(appendContent(entry)) === canonicalJson(appendContent(known))) {
          // A retry, or a transition a later append carried in first: its facts go in only while
          // nothing of its chain came after it, so the project's record never steps back.
          if (
            options.project &&
            !(await tx.get('SELECT 1 FROM ledger WHERE workflow_id = ? AND chain_id = ? AND entry_seq > ? LIMIT 1', [
              entry.workflowId,
              chainId,
              entry.entrySeq,
            ]))
          ) {
            await this.upsertProjectIn(tx, options.project);
          }
          return { status: 'alreadyThere', entry: known };
        }
        const quarantined: QuarantinedEntry = {
          workflowId: entry.workflowId,
          chainId,
          entrySeq: entry.entrySeq,
          reason: 'conflict',
          entry,
          at: this.now().toISOString(),
          detail: `${entry.workflowId} #${entry.entrySeq} is already in the ledger as ${known.event} at ${known.at} (ledger entry ${known.seq}); this one is ${entry.event} at ${entry.at}`,
        };
        await tx.run('INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
          quarantined.workflowId,
          chainId,
          quarantined.entrySeq,
          sha256(canonicalJson(entry)),
          'conflict',
          quarantined.detail,
          canonicalJson(entry),
          quarantined.at,
        ]);
        await this.insertAlert(tx, quarantineAlert(quarantined));
        return { status: 'quarantined', quarantined };
      }
      const previous = await tx.get('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1');
      const previousOfChain = await tx.get('SELECT entry_seq, hash FROM ledger WHERE workflow_id = ? AND chain_id = ? ORDER BY entry_seq DESC LIMIT 1', [
        entry.workflowId,
        chainId,
      ]);
      // The workflow's append of an earlier transition is still on its way: this one waits its turn.
      if (options.after !== undefined && (previousOfChain ? Number(previousOfChain.entry_seq) : 0) < options.after) return { status: 'predecessorPending' };
      const full = await this.insertChained(tx, entry, previous, previousOfChain, payload);
      // In the same transaction: an append that waits for this one finds the project's facts as they stood after it.
      if (options.project) await this.upsertProjectIn(tx, options.project);
      const expected = previousOfChain ? Number(previousOfChain.entry_seq) + 1 : null;
      if (expected !== null && entry.entrySeq !== expected) {
        const gap = `transitions ${expected}–${entry.entrySeq - 1} of ${entry.workflowId} are not in the ledger`;
        await this.insertAlert(tx, gapAlert(entry, gap, this.now().toISOString()));
        return { status: 'appended', entry: full, gap };
      }
      return { status: 'appended', entry: full };
    });
  }

  erase(request: ErasureRequest): Promise<ErasureOutcome> {
    return this.db.transaction(APPEND_LOCK, (tx) =>
      eraseIn(tx, request, this.now(), (t, entry, previous, previousOfChain, payload) => this.insertChained(t, entry, previous, previousOfChain, payload)),
    );
  }

  async tombstones(): Promise<LedgerEntry[]> {
    return (await this.db.all('SELECT * FROM ledger WHERE event IN (?, ?) ORDER BY seq', [tombstoneEvent('notices'), tombstoneEvent('personal-data')])).map(
      toEntry,
    );
  }

  async entries(filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
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
    return (await this.db.all(sql, values)).map(toEntry);
  }

  upsertProject(p: ProjectRecord): Promise<void> {
    return this.upsertProjectIn(this.db, p);
  }

  private upsertProjectIn(db: SqlDriver, p: ProjectRecord): Promise<void> {
    return db.run(
      `INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workflow_id) DO UPDATE SET state = excluded.state, project_year = excluded.project_year, overdue = excluded.overdue, updated_at = excluded.updated_at
       WHERE excluded.updated_at >= projects.updated_at`,
      [p.workflowId, p.callId, p.rocYear, p.division, p.region, p.institution, p.state, p.phase, p.projectYear, p.overdue ? 1 : 0, p.updatedAt],
    );
  }

  async projects(filter: ProjectFilter = {}): Promise<ProjectRecord[]> {
    const columns: Record<keyof ProjectFilter, string> = {
      callId: 'call_id',
      division: 'division',
      region: 'region',
      institution: 'institution',
      state: 'state',
      overdue: 'overdue',
    };
    const where: string[] = [];
    const values: (string | number)[] = [];
    for (const [key, column] of Object.entries(columns) as [keyof ProjectFilter, string][]) {
      const value = filter[key];
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    const sql = `SELECT * FROM projects${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY workflow_id`;
    return (await this.db.all(sql, values)).map(toProject);
  }

  claimPhase2(phase1ProjectId: string, projectId: string): Promise<string> {
    return this.db.transaction('phase2 claim', async (tx) => {
      await tx.run('INSERT INTO phase2_claims VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [phase1ProjectId, projectId, this.now().toISOString()]);
      const holder = String((await tx.get('SELECT project_id FROM phase2_claims WHERE phase1_project_id = ?', [phase1ProjectId]))!.project_id);
      if (holder === projectId) return holder;
      // A holder that ended before it was funded continues nothing (the law's rule: machines/eligibility.ts).
      const ended = await tx.get("SELECT 1 FROM projects WHERE workflow_id = ? AND state IN ('lapsed', 'withdrawn', 'rejected')", [holder]);
      if (!ended) return holder;
      await tx.run('UPDATE phase2_claims SET project_id = ?, claimed_at = ? WHERE phase1_project_id = ?', [
        projectId,
        this.now().toISOString(),
        phase1ProjectId,
      ]);
      return projectId;
    });
  }

  async projectsOfPi(piId: string): Promise<ProjectRecord[]> {
    const rows = await this.db.all(
      "SELECT * FROM projects WHERE workflow_id IN (SELECT DISTINCT workflow_id FROM ledger WHERE actor_id = ? AND actor_role = 'pi') ORDER BY workflow_id",
      [piId],
    );
    return rows.map(toProject);
  }

  /** Archives a run once; its first archiving adds its leaf to the tree, in the same transaction. */
  archiveRun(run: ArchivedRun): Promise<void> {
    return this.db.transaction(APPEND_LOCK, async (tx) => {
      if (await tx.get('SELECT run_id FROM archive WHERE workflow_id = ? AND run_id = ?', [run.workflowId, run.runId])) return;
      await tx.run('INSERT INTO archive VALUES (?, ?, ?, ?, ?, ?)', [run.workflowId, run.runIndex, run.runId, run.historyJson, run.sha256, run.archivedAt]);
      await this.insertLeaf(tx, leafOfArchivedRun(run));
    });
  }

  async leaves(size?: number): Promise<Leaf[]> {
    const rows =
      size === undefined
        ? await this.db.all('SELECT kind, ref, leaf_hash FROM merkle_leaves ORDER BY idx')
        : await this.db.all('SELECT kind, ref, leaf_hash FROM merkle_leaves WHERE idx < ? ORDER BY idx', [size]);
    return rows.map((r) => ({ kind: String(r.kind) as Leaf['kind'], ref: String(r.ref), hash: String(r.leaf_hash) }));
  }

  async payloads(digests: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unique = [...new Set(digests)];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const rows = await this.db.all(`SELECT digest, body FROM payloads WHERE digest IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const row of rows) {
        const digest = String(row.digest);
        const body = String(row.body);
        // A body that does not open is given as stored: it cannot match its digest, so the check names it.
        found.set(digest, (this.sealer ? this.sealer.open(body, payloadContext(digest)) : body) ?? body);
      }
    }
    return found;
  }

  async payloadsFromSeq(): Promise<number> {
    const row = await this.db.get("SELECT value FROM ledger_meta WHERE key = 'payloads_from_seq'");
    return row ? Number(row.value) : 1;
  }

  sealPlaintextPayloads(): Promise<number> {
    return this.sealer ? sealPlaintextIn(this.db, this.sealer, this.now(), payloadContext) : Promise.resolve(0);
  }

  /** Retiring a payload key: the payloads and alerts sealed under it, sealed again under the current key. */
  resealTexts(keyId: string): Promise<{ payloads: number; alerts: number }> {
    return this.sealer ? resealLedgerTexts(this.db, this.sealer, keyId, payloadContext) : Promise.resolve({ payloads: 0, alerts: 0 });
  }

  resealArchivedRun(run: { workflowId: string; runId: string; historyJson: string; retiredKeyId: string }): Promise<ArchiveReseal> {
    return this.db.transaction(APPEND_LOCK, (tx) => resealRunIn(tx, run, this.now(), (t, leaf) => this.insertLeaf(t, leaf)));
  }

  async archiveReseals(): Promise<ArchiveReseal[]> {
    return (await this.db.all('SELECT * FROM archive_reseals ORDER BY workflow_id, run_id, n')).map(toReseal);
  }

  async archivedRunsMentioning(text: string): Promise<{ workflowId: string; runId: string }[]> {
    const rows = await this.db.all('SELECT workflow_id, run_id FROM archive WHERE history_json LIKE ? ORDER BY workflow_id, run_index', [`%${text}%`]);
    return rows.map((r) => ({ workflowId: String(r.workflow_id), runId: String(r.run_id) }));
  }

  async archivedRunIds(workflowId: string): Promise<Set<string>> {
    return new Set((await this.db.all('SELECT run_id FROM archive WHERE workflow_id = ?', [workflowId])).map((r) => String(r.run_id)));
  }

  async archivedRuns(workflowId: string): Promise<ArchivedRun[]> {
    return (await this.db.all(ARCHIVED_RUNS, [workflowId])).map((r) => ({
      workflowId: String(r.workflow_id),
      runIndex: Number(r.run_index),
      runId: String(r.run_id),
      historyJson: String(r.history_json),
      sha256: String(r.sha256),
      archivedAt: String(r.archived_at),
      ...(r.resealed ? { resealedSha256: String(r.resealed) } : {}),
    }));
  }

  async quarantined(workflowId?: string): Promise<QuarantinedEntry[]> {
    const rows = workflowId
      ? await this.db.all('SELECT * FROM quarantine WHERE workflow_id = ? ORDER BY at, entry_seq', [workflowId])
      : await this.db.all('SELECT * FROM quarantine ORDER BY at, workflow_id, entry_seq');
    return rows.map(toQuarantined);
  }

  raiseAlert(alert: OfficeAlert): Promise<void> {
    return this.insertAlert(this.db, alert);
  }

  async alerts(): Promise<OfficeAlert[]> {
    return (await this.db.all('SELECT * FROM office_alerts ORDER BY at, key')).map(toAlert).map((alert) => ({
      ...alert,
      subject: this.openText(alert.subject, `office alert subject ${alert.key}`),
      detail: this.openText(alert.detail, `office alert detail ${alert.key}`),
    }));
  }

  close(): Promise<void> {
    return this.db.close();
  }

  saveCheckpoint(c: StoredCheckpoint): Promise<void> {
    return this.db.run('INSERT INTO checkpoints VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [c.size, c.root, c.note, c.at]);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const row = await this.db.get('SELECT * FROM checkpoints ORDER BY size DESC LIMIT 1');
    return row ? { size: Number(row.size), root: String(row.root), note: String(row.note), at: String(row.at) } : null;
  }

  /** Chains, hashes and writes an entry, its leaf and its payload (sealed): under the append lock. */
  private async insertChained(
    tx: SqlDriver,
    entry: NewLedgerEntry,
    previous: Row | null,
    previousOfChain: Row | null,
    payload: string | undefined,
  ): Promise<LedgerEntry> {
    const chainId = entry.chainId ?? '';
    // Entries without a chain (histories from before it was kept) hash as they always did: no chainId field.
    const { chainId: _given, ...content } = entry;
    const chained = {
      ...content,
      ...(chainId ? { chainId } : {}),
      seq: previous ? Number(previous.seq) + 1 : 1,
      prevHash: previous ? String(previous.hash) : '',
      prevWorkflowHash: previousOfChain ? String(previousOfChain.hash) : '',
    };
    const full: LedgerEntry = { ...chained, hash: entryHash(chained) };
    await tx.run(
      `INSERT INTO ledger (seq, workflow_id, chain_id, entry_seq, at, actor_role, actor_id, actor_via, event, from_states, to_states, payload_digest, prev_hash, prev_workflow_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        full.seq,
        full.workflowId,
        chainId,
        full.entrySeq,
        full.at,
        full.actor.role,
        full.actor.id,
        full.actor.via ? JSON.stringify(full.actor.via) : null,
        full.event,
        JSON.stringify(full.from),
        JSON.stringify(full.to),
        full.payloadDigest,
        full.prevHash,
        full.prevWorkflowHash,
        full.hash,
      ],
    );
    await this.insertLeaf(tx, leafOfEntry(full));
    if (payload !== undefined) {
      const body = this.sealer ? this.sealer.seal(payload, payloadContext(full.payloadDigest)) : payload;
      await tx.run('INSERT INTO payloads VALUES (?, ?) ON CONFLICT DO NOTHING', [full.payloadDigest, body]);
    }
    return full;
  }

  /** The next leaf of the tree: called under the append lock, so indexes are dense and in order. */
  private async insertLeaf(tx: SqlDriver, leaf: Leaf): Promise<void> {
    const last = await tx.get('SELECT idx FROM merkle_leaves ORDER BY idx DESC LIMIT 1');
    await tx.run('INSERT INTO merkle_leaves VALUES (?, ?, ?, ?)', [last ? Number(last.idx) + 1 : 0, leaf.kind, leaf.ref, leaf.hash]);
  }

  private insertAlert(db: SqlDriver, alert: OfficeAlert): Promise<void> {
    // Subject and detail name recipients and quote relays' answers: sealed like the payloads.
    const seal = (text: string, context: string): string => (this.sealer ? this.sealer.seal(text, context) : text);
    return db.run('INSERT INTO office_alerts VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      alert.key,
      alert.kind,
      seal(alert.subject, `office alert subject ${alert.key}`),
      seal(alert.detail, `office alert detail ${alert.key}`),
      alert.at,
    ]);
  }

  /** Sealed text opened; text kept before the store had keys as it is; a seal that does not open says so. */
  private openText(stored: string, context: string): string {
    if (!this.sealer) return stored;
    return this.sealer.open(stored, context) ?? '(sealed under a key this process was not given, or altered)';
  }
}
