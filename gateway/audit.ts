import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { sha256 } from '../tlog/digest';
import type { LedgerEntry, LedgerStore, OfficeAlert, ProjectFilter, ProjectRecord, QuarantinedEntry } from '../activities/ledger/store';
import { verifyChains } from '../activities/ledger/verify';
import { openCheckpoint, parseVerifierKey, signCheckpoint, type Checkpoint } from '../tlog/checkpoint';
import { checkLedger } from '../activities/ledger/integrity';
import { rootOf } from '../tlog/merkle';
import { archiveLeafData, entryLeafData } from '../tlog/leaves';
import { proofBundle, type ProofBundle } from '../tlog/proof-bundle';
import type { LogSigning } from '../activities/ledger/log-signing';
import { searchAttributes as keys } from '../domain/search-attributes';
import { AllianceError } from '../domain/errors';
import { fetchRunChain, type RunHistory } from '../activities/run-history';
import { decodeHistoryJson } from './history-codec';
import { TemporalComparison } from './audit-compare';
import type { CurrentCheckpoint, RawHistory, TrustedCheckpoint, VerifyReport } from '../tlog/reports';

export interface SearchFilter extends ProjectFilter {
  /** Projects with a transition in [from, to). */
  from?: string;
  to?: string;
}

const quote = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const isNotFound = (error: unknown): boolean =>
  (error as { name?: string }).name === 'WorkflowNotFoundError' || /not found/i.test(String((error as Error).message));

/** Opens the auditor's checkpoint with the auditor's key: a clear error when either is not what it claims. */
function openTrusted(since: TrustedCheckpoint): Checkpoint {
  try {
    return openCheckpoint(since.checkpoint, parseVerifierKey(since.key));
  } catch (error) {
    throw new AllianceError('VALIDATION', `since: ${(error as Error).message}. Give the checkpoint you kept and the verifier key you were given.`);
  }
}

/** What auditors may do: read the ledger, the archive and Temporal, and change nothing. */
export class AuditClient {
  constructor(
    private readonly client: Client,
    private readonly ledger: LedgerStore,
    private readonly signing?: LogSigning,
  ) {}

  /**
   * Inclusion proofs, against a checkpoint signed now, of chosen entries (by ledger seq) or of a
   * whole project (every entry and archived run of it, also long after Temporal deleted it), each
   * with the data its leaf is made of and its payload; with `since`, the consistency proof from the
   * auditor's trusted checkpoint. What tools/ledger-verifier checks without our code.
   */
  async proofs(request: { seqs?: number[]; workflowId?: string; since?: TrustedCheckpoint }): Promise<ProofBundle> {
    if (!this.signing) throw new AllianceError('NOT_FOUND', 'This service signs no checkpoints: configure ALLIANCE_LOG_SIGNING_KEY_FILE.');
    const trusted = request.since ? openTrusted(request.since) : undefined;
    const stored = await this.ledger.leaves();
    if (trusted && trusted.size > stored.length)
      throw new AllianceError(
        'INTEGRITY',
        `The ledger has ${stored.length} leaves, fewer than the ${trusted.size} of the checkpoint you trust: entries were removed.`,
      );
    const leafOf = new Set(stored.filter((l) => l.kind === 'entry').map((l) => Number(l.ref)));
    // Entries appended after the leaves were read are proven next time, not reported as missing.
    const entries = (
      request.workflowId ? await this.history(request.workflowId) : (await this.ledger.entries()).filter((e) => request.seqs?.includes(e.seq))
    ).filter((e) => leafOf.has(e.seq));
    const missing = (request.seqs ?? []).find((seq) => !entries.some((e) => e.seq === seq));
    if (missing !== undefined) throw new AllianceError('NOT_FOUND', `The ledger has no entry ${missing}.`);
    const runs = request.workflowId ? await this.ledger.archivedRuns(request.workflowId) : [];
    const payloads = await this.ledger.payloads(entries.map((e) => e.payloadDigest));
    const indexOf = new Map(stored.map((leaf, index) => [`${leaf.kind} ${leaf.ref}`, index]));
    const item = (key: string, leafData: string, payload?: string) => {
      const index = indexOf.get(key);
      if (index === undefined) throw new AllianceError('INTEGRITY', `The tree has no leaf for ${key}.`);
      return { index, leafData, ...(payload !== undefined ? { payload } : {}) };
    };
    const items = [
      ...entries.map((e) => item(`entry ${e.seq}`, entryLeafData(e).toString('utf8'), payloads.get(e.payloadDigest))),
      ...runs.map((r) => item(`archive ${r.workflowId}/${r.runId}`, archiveLeafData(r).toString('utf8'))),
    ];
    const leaves = stored.map((l) => Buffer.from(l.hash, 'hex'));
    return proofBundle(leaves, this.signing.signer, this.signing.origin, {
      items,
      ...(trusted && request.since ? { since: { checkpoint: request.since.checkpoint, size: trusted.size } } : {}),
    });
  }

  /** Signs the tree as it stands now (on demand; the worker also writes them on its schedule). */
  async checkpoint(): Promise<CurrentCheckpoint> {
    if (!this.signing)
      throw new AllianceError(
        'NOT_FOUND',
        'This service signs no checkpoints: configure ALLIANCE_LOG_SIGNING_KEY_FILE (or run the embedded default, which makes a key in the data directory).',
      );
    const leaves = (await this.ledger.leaves()).map((l) => Buffer.from(l.hash, 'hex'));
    const root = rootOf(leaves);
    return {
      checkpoint: signCheckpoint({ origin: this.signing.origin, size: leaves.length, root }, this.signing.signer),
      verifierKey: this.signing.verifierKey,
      size: leaves.length,
      root: root.toString('hex'),
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
    for (const run of archived) {
      if (sha256(run.historyJson) !== run.sha256)
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
    for (const record of await this.ledger.projects(columns)) {
      if (found.has(record.workflowId)) continue;
      // Not in Temporal's visibility store: ask whether the workflow is gone or just not matching.
      const gone = await this.client.workflow
        .getHandle(record.workflowId)
        .describe()
        .then(
          () => false,
          (error: unknown) => isNotFound(error),
        );
      if (gone) found.set(record.workflowId, record);
    }
    let results = [...found.values()].sort((a, b) => a.workflowId.localeCompare(b.workflowId));
    if (from || to) {
      const active = new Set((await this.ledger.entries({ from, to })).map((e) => e.workflowId));
      results = results.filter((r) => active.has(r.workflowId));
    }
    return results;
  }

  /** Recomputes the hash chains and compares the ledger with each project's own log while Temporal has it. */
  async verify(workflowId?: string, since?: TrustedCheckpoint): Promise<VerifyReport> {
    const trusted = since ? openTrusted(since) : undefined;
    const entries = await this.ledger.entries(workflowId ? { workflowId } : {});
    if (workflowId && entries.length === 0) throw new AllianceError('NOT_FOUND', `The ledger has no entry for ${workflowId}.`);
    const chains = verifyChains(entries, workflowId ? 'project' : 'ledger');
    if (chains.broken) return { checked: chains.checked, comparedWithTemporal: 0, broken: chains.broken };
    if (!workflowId) {
      const ledger = await checkLedger(this.ledger, trusted ? { trusted } : {});
      // Signed over the tree just recomputed, so the consistency proof and the checkpoint speak of the same size.
      const checkpoint = this.signing
        ? signCheckpoint({ origin: this.signing.origin, size: ledger.size, root: Buffer.from(ledger.root, 'hex') }, this.signing.signer)
        : undefined;
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
      return { ...report, ledger, ...(checkpoint ? { checkpoint } : {}) };
    }
    return new TemporalComparison(this.client, this.ledger).compare(entries, chains.checked);
  }

  /** Transitions the ledger set aside (a Temporal reset's second version of history), with why. */
  quarantined(workflowId?: string): Promise<QuarantinedEntry[]> {
    return this.ledger.quarantined(workflowId);
  }

  /** What the office must look at: quarantined or missing ledger entries, mail held up. */
  alerts(): Promise<OfficeAlert[]> {
    return this.ledger.alerts();
  }

  /** Ledger entries of a call or a project, as CSV or JSON. */
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
    return [header.join(','), ...rows].join('\n');
  }
}
