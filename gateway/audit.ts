import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { sha256 } from '../tlog/digest';
import type { LedgerEntry, LedgerStore, OfficeAlert, ProjectFilter, ProjectRecord, QuarantinedEntry } from '../activities/ledger/store';
import { verifyChains } from '../activities/ledger/verify';
import { openCheckpoint, parseVerifierKey, type Checkpoint } from '../tlog/checkpoint';
import { checkLedger } from '../activities/ledger/integrity';
import { rootOf } from '../tlog/merkle';
import { archiveLeafData, entryLeafData } from '../tlog/leaves';
import { proofsAgainst, type ProofBundle } from '../tlog/proof-bundle';
import { latestPublished, newest, nextCheckpoint, notYetPublished, type PublishedLog } from './published-checkpoint';
import { searchAttributes as keys } from '../domain/search-attributes';
import { AllianceError } from '../domain/errors';
import { isPerson } from '../domain/actor';
import { fetchRunChain, type RunHistory } from '../activities/run-history';
import { decodeHistoryJson } from './history-codec';
import { TemporalComparison } from './audit-compare';
import type { CurrentCheckpoint, RawHistory, TrustedCheckpoint, VerifyReport } from '../tlog/reports';

export interface SearchFilter extends ProjectFilter {
  /** Projects with a transition in [from, to). */
  from?: string;
  to?: string;
}

/** How many workflow ids one visibility listing asks about (a query of about 8 KiB). */
const HELD_BATCH = 200;
const quote = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** Temporal no longer holds that workflow or run (deleted, or past its retention). */
export const isNotFound = (error: unknown): boolean =>
  (error as { name?: string }).name === 'WorkflowNotFoundError' || /not found/i.test(String((error as Error).message));

/** Opens the auditor's checkpoint with the auditor's key: a clear error when either is not what it claims. */
function openTrusted(since: TrustedCheckpoint): Checkpoint {
  try {
    return openCheckpoint(since.checkpoint, parseVerifierKey(since.key));
  } catch (error) {
    throw new AllianceError('VALIDATION', `since: ${(error as Error).message}. Give the checkpoint you kept and the verifier key you were given.`);
  }
}

/** What auditors may do: read the ledger, the archive and Temporal, and change nothing. It signs nothing either. */
export class AuditClient {
  constructor(
    private readonly client: Client,
    private readonly ledger: LedgerStore,
    /** The log's public side (verifier key, schedule); a LogSigning also fits, and only its verifierKey is read. */
    private readonly log?: PublishedLog,
  ) {}

  /**
   * Inclusion proofs, against the last checkpoint the writer published, of chosen entries (by ledger
   * seq) or of a whole project (every entry and archived run of it, also long after Temporal deleted
   * it), each with the data its leaf is made of and its payload; with `since`, the consistency proof
   * from the auditor's trusted checkpoint. What tools/ledger-verifier checks without our code.
   * Entries appended after that checkpoint are not provable yet (409, or left out of a project's).
   */
  async proofs(request: { seqs?: number[]; workflowId?: string; since?: TrustedCheckpoint }): Promise<ProofBundle> {
    const trusted = request.since ? openTrusted(request.since) : undefined;
    const published = await latestPublished(this.ledger, this.log);
    const target = newest(published, trusted && request.since ? { note: request.since.checkpoint, checkpoint: trusted } : undefined);
    if (!target) throw notYetPublished('Nothing is', null, this.log);
    const { size, root } = target.checkpoint;
    const stored = await this.ledger.leaves();
    if (size > stored.length)
      throw new AllianceError(
        'INTEGRITY',
        `The ledger has ${stored.length} leaves, fewer than the ${size} of ${target.whose}: entries were removed. Run alliance audit verify --since with the checkpoint you kept.`,
      );
    const leaves = stored.map((l) => Buffer.from(l.hash, 'hex'));
    if (!rootOf(leaves, 0, size).equals(root))
      throw new AllianceError(
        'INTEGRITY',
        `The ledger's first ${size} leaves no longer have the root of ${target.whose}: it was rewritten. Run alliance audit verify --since with the checkpoint you kept.`,
      );
    const indexOf = new Map(stored.slice(0, size).map((leaf, index) => [`${leaf.kind} ${leaf.ref}`, index]));
    const all = request.workflowId ? await this.history(request.workflowId) : (await this.ledger.entries()).filter((e) => request.seqs?.includes(e.seq));
    const missing = (request.seqs ?? []).find((seq) => !all.some((e) => e.seq === seq));
    if (missing !== undefined) throw new AllianceError('NOT_FOUND', `The ledger has no entry ${missing}.`);
    const entries = all.filter((e) => indexOf.has(`entry ${e.seq}`));
    const pending = all.find((e) => !indexOf.has(`entry ${e.seq}`));
    if (pending && (request.seqs || entries.length === 0))
      throw notYetPublished(request.seqs ? `Entry ${pending.seq} is` : `No entry of ${request.workflowId} is`, target, this.log);
    const runs = (request.workflowId ? await this.ledger.archivedRuns(request.workflowId) : []).filter((r) =>
      indexOf.has(`archive ${r.workflowId}/${r.runId}`),
    );
    const payloads = await this.ledger.payloads(entries.map((e) => e.payloadDigest));
    const item = (key: string, leafData: string, payload?: string) => ({ index: indexOf.get(key)!, leafData, ...(payload !== undefined ? { payload } : {}) });
    const items = [
      ...entries.map((e) => item(`entry ${e.seq}`, entryLeafData(e).toString('utf8'), payloads.get(e.payloadDigest))),
      ...runs.map((r) => item(`archive ${r.workflowId}/${r.runId}`, archiveLeafData(r).toString('utf8'))),
    ];
    return proofsAgainst(
      leaves,
      { note: target.note, size },
      { items, ...(trusted && request.since ? { since: { checkpoint: request.since.checkpoint, size: trusted.size } } : {}) },
    );
  }

  /**
   * The last checkpoint the writer published (signed there, after it checked that the tree extends
   * the one before), with the verifier key; never one signed on request. `unpublished`: the leaves
   * appended since, which the next checkpoint will cover.
   */
  async checkpoint(): Promise<CurrentCheckpoint> {
    if (!this.log)
      throw new AllianceError('NOT_FOUND', "This API has no verifier key configured (ALLIANCE_LOG_VERIFIER_KEY): it cannot hand out the log's checkpoints.");
    const published = await latestPublished(this.ledger, this.log);
    if (!published) throw new AllianceError('NOT_FOUND', `No checkpoint is published yet: ${nextCheckpoint(this.log)}.`);
    const leaves = (await this.ledger.leaves()).length;
    return {
      checkpoint: published.note,
      verifierKey: this.log.verifierKey,
      size: published.checkpoint.size,
      root: published.checkpoint.root.toString('hex'),
      ...(published.at ? { publishedAt: published.at } : {}),
      unpublished: Math.max(0, leaves - published.checkpoint.size),
    };
  }

  /** The domain trail of a project (or call) from the ledger, which outlives Temporal's retention. */
  async history(workflowId: string): Promise<LedgerEntry[]> {
    const entries = await this.ledger.entries({ workflowId });
    if (entries.length === 0) throw new AllianceError('NOT_FOUND', `The ledger has no entry for ${workflowId}.`);
    return entries;
  }

  /**
   * The raw Temporal events of every run: live while Temporal keeps them, then from the archive.
   * Each run's sha256 covers the stored (encrypted) form; `decode` runs its payloads back through
   * the service's codec for the auditor to read.
   */
  async rawHistory(workflowId: string, options: { decode?: boolean } = {}): Promise<RawHistory> {
    const decode = options.decode ?? true;
    const shown = async (json: string): Promise<unknown> => {
      if (!decode) return JSON.parse(json) as unknown;
      try {
        return await decodeHistoryJson(JSON.parse(json) as unknown, this.client.options.loadedDataConverter.payloadCodecs);
      } catch (error) {
        throw new AllianceError(
          'INTEGRITY',
          `The history of ${workflowId} does not decode: ${(error as Error).message}. Ask for it with decode=false to see it as stored.`,
        );
      }
    };
    let live: RunHistory[] | undefined;
    try {
      live = await fetchRunChain(this.client, workflowId);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (live) {
      const runs = await Promise.all(
        live.map(async (run) => {
          const json = historyToJSON(run.history);
          return { runId: run.runId, sha256: sha256(json), history: await shown(json) };
        }),
      );
      return { source: 'temporal', decoded: decode, runs };
    }
    const archived = await this.ledger.archivedRuns(workflowId);
    if (archived.length === 0) throw new AllianceError('NOT_FOUND', `${workflowId} is neither in Temporal nor in the archive.`);
    if (archived.every((run) => run.historyJson === ''))
      throw new AllianceError(
        'NOT_FOUND',
        `The history of ${workflowId} was erased under the retention policy: its ledger entries, their digests and its tombstone (what, under which rule, when) remain (alliance audit history ${workflowId}).`,
      );
    for (const run of archived) {
      if (sha256(run.historyJson) !== (run.resealedSha256 ?? run.sha256))
        throw new AllianceError('INTEGRITY', `The archived history of ${workflowId} run ${run.runId} does not match its SHA-256: it was altered.`);
    }
    const runs = await Promise.all(archived.map(async (r) => ({ runId: r.runId, sha256: r.sha256, history: await shown(r.historyJson) })));
    return { source: 'archive', decoded: decode, runs };
  }

  /**
   * Where every project stands as the ledger recorded it: its read model of each project's last
   * transition (call, division, region, institution, state, overdue), one indexed query. What a
   * dashboard counts, where the visibility search of a 1,000-project call takes ≈ 0.4 s on two cores.
   */
  recorded(filter: Omit<SearchFilter, 'from' | 'to'>): Promise<ProjectRecord[]> {
    return this.ledger.projects(filter);
  }

  /** A PI's projects as the ledger knows them, in every call, whether or not Temporal still holds them. */
  recordedOfPi(piId: string): Promise<ProjectRecord[]> {
    return this.ledger.projectsOfPi(piId);
  }

  /** Filters as one visibility query over the search attributes; the ledger answers for projects Temporal no longer holds. */
  async search(filter: SearchFilter): Promise<ProjectRecord[]> {
    const clauses = [`WorkflowId STARTS_WITH 'project:'`];
    if (filter.callId) clauses.push(`${keys.callId.name} = ${quote(filter.callId)}`);
    if (filter.division) clauses.push(`${keys.division.name} = ${quote(filter.division)}`);
    if (filter.region) clauses.push(`${keys.region.name} = ${quote(filter.region)}`);
    if (filter.institution) clauses.push(`${keys.institution.name} = ${quote(filter.institution)}`);
    if (filter.state) clauses.push(`${keys.state.name} = ${quote(filter.state)}`);
    if (filter.overdue !== undefined) clauses.push(`${keys.overdue.name} = ${filter.overdue}`);
    const found = new Map<string, ProjectRecord>();
    const live = new Set<string>();
    for await (const execution of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      if (live.has(execution.workflowId)) continue;
      live.add(execution.workflowId);
      const attributes = execution.typedSearchAttributes;
      found.set(execution.workflowId, {
        workflowId: execution.workflowId,
        callId: attributes.get(keys.callId) ?? '',
        rocYear: attributes.get(keys.rocYear) ?? 0,
        division: attributes.get(keys.division) ?? '',
        region: attributes.get(keys.region) ?? '',
        institution: attributes.get(keys.institution) ?? '',
        state: attributes.get(keys.state) ?? '',
        phase: attributes.get(keys.phase) ?? 0,
        projectYear: attributes.get(keys.projectYear) ?? 0,
        overdue: attributes.get(keys.overdue) ?? false,
        updatedAt: (execution.closeTime ?? execution.startTime).toISOString(),
      });
    }
    const { from, to, ...columns } = filter;
    const unmatched = (await this.ledger.projects(columns)).filter((record) => !found.has(record.workflowId));
    // Not matched in Temporal's visibility store: the workflow is gone, or held but no longer matching.
    const held = await this.heldByTemporal(unmatched.map((record) => record.workflowId));
    for (const record of unmatched) if (!held.has(record.workflowId)) found.set(record.workflowId, record);
    let results = [...found.values()].sort((a, b) => a.workflowId.localeCompare(b.workflowId));
    if (from || to) {
      const active = new Set((await this.ledger.entries({ from, to })).map((e) => e.workflowId));
      results = results.filter((r) => active.has(r.workflowId));
    }
    return results;
  }

  /**
   * Which of these workflows Temporal's visibility store still holds, a listing per 200 ids: years of
   * projects past their retention would otherwise cost a round trip each at every search.
   */
  private async heldByTemporal(workflowIds: string[]): Promise<Set<string>> {
    const held = new Set<string>();
    for (let i = 0; i < workflowIds.length; i += HELD_BATCH) {
      const query = `WorkflowId IN (${workflowIds
        .slice(i, i + HELD_BATCH)
        .map(quote)
        .join(', ')})`;
      for await (const execution of this.client.workflow.list({ query })) held.add(execution.workflowId);
    }
    return held;
  }

  /**
   * Recomputes the hash chains and compares the ledger with each project's own log while Temporal has
   * it; for the whole ledger, the tree must also extend the auditor's checkpoint and the last one the
   * writer published, which comes back (with the consistency proof to it) as the auditor's next.
   */
  async verify(workflowId?: string, since?: TrustedCheckpoint): Promise<VerifyReport> {
    const entries = await this.ledger.entries(workflowId ? { workflowId } : {});
    if (workflowId && entries.length === 0) throw new AllianceError('NOT_FOUND', `The ledger has no entry for ${workflowId}.`);
    const report = await this.verifyChecked(entries, workflowId, since);
    if (report.broken) return report;
    // Refused by every validator since via became law: only a ledger older than that holds such entries.
    const unvouched = entries.filter((e) => isPerson(e.actor.role) && !e.actor.via);
    if (unvouched.length === 0) return report;
    const first = unvouched
      .slice(0, 5)
      .map((e) => ({ seq: e.seq, workflowId: e.workflowId, entrySeq: e.entrySeq, actor: `${e.actor.role} ${e.actor.id}`, event: e.event }));
    return { ...report, withoutLogIn: { count: unvouched.length, first } };
  }

  private async verifyChecked(entries: LedgerEntry[], workflowId?: string, since?: TrustedCheckpoint): Promise<VerifyReport> {
    const trusted = since ? openTrusted(since) : undefined;
    const chains = verifyChains(entries, workflowId ? 'project' : 'ledger');
    if (chains.broken) return { checked: chains.checked, comparedWithTemporal: 0, broken: chains.broken };
    if (workflowId) return new TemporalComparison(this.client, this.ledger).compare(entries, chains.checked);
    const published = await latestPublished(this.ledger, this.log);
    const target = newest(published, trusted && since ? { note: since.checkpoint, checkpoint: trusted } : undefined);
    const ledger = await checkLedger(this.ledger, {
      ...(trusted ? { trusted } : {}),
      ...(target ? { latest: target.checkpoint } : {}),
      ...(published ? { published: [published.checkpoint] } : {}),
    });
    if (ledger.problem) {
      const { check, reason, seq, workflowId: where, entrySeq } = ledger.problem;
      return {
        checked: chains.checked,
        comparedWithTemporal: 0,
        broken: { seq: seq ?? 0, workflowId: where ?? '', entrySeq: entrySeq ?? 0, reason: `${check}: ${reason}` },
        ledger,
      };
    }
    const report = await new TemporalComparison(this.client, this.ledger).compare(entries, chains.checked);
    return { ...report, ledger, ...(target ? { checkpoint: target.note } : {}), unpublished: ledger.size - (target?.checkpoint.size ?? 0) };
  }

  /** Transitions the ledger set aside (a Temporal reset's second version of history), with why. */
  quarantined(workflowId?: string): Promise<QuarantinedEntry[]> {
    return this.ledger.quarantined(workflowId);
  }

  /** What the office must look at: quarantined or missing ledger entries, mail held up. */
  alerts(): Promise<OfficeAlert[]> {
    return this.ledger.alerts();
  }

  /** Ledger entries of a call or a project, as CSV (UTF-8 with a byte-order mark) or JSON. */
  async export(format: 'csv' | 'json', scope: { callId?: string; workflowId?: string }): Promise<string> {
    const entries = await this.ledger.entries(scope.workflowId ? { workflowId: scope.workflowId } : { callId: scope.callId });
    if (format === 'json') return JSON.stringify(entries, null, 2);
    const header = [
      'seq',
      'workflowId',
      'entrySeq',
      'at',
      'actorRole',
      'actorId',
      'event',
      'from',
      'to',
      'payloadDigest',
      'prevHash',
      'prevWorkflowHash',
      'hash',
    ];
    const cell = (v: string | number): string => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const rows = entries.map((e) =>
      [
        e.seq,
        e.workflowId,
        e.entrySeq,
        e.at,
        e.actor.role,
        e.actor.id,
        e.event,
        e.from.join(' | '),
        e.to.join(' | '),
        e.payloadDigest,
        e.prevHash,
        e.prevWorkflowHash,
        e.hash,
      ]
        .map(cell)
        .join(','),
    );
    // The byte-order mark: Excel on zh-TW Windows reads a CSV without it in the local code page and garbles its Chinese.
    return `\uFEFF${[header.join(','), ...rows].join('\n')}`;
  }
}
