import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { fetchRunChain } from './run-history';
import { recordLedgerAppend } from './metrics';
import type { TransitionLogEntry } from '../messages/project';
import { canonicalJson, sha256 } from '../tlog/digest';
import type { AppendOutcome, LedgerStore, ProjectRecord } from './ledger/store';

export interface RecordTransitionInput {
  workflowId: string;
  /** The workflow's first run id: a re-used workflow id writes a chain of its own (absent in older histories). */
  chainId?: string;
  entry: TransitionLogEntry;
  /** The event's payload: kept in the ledger by its digest, which the entry carries. */
  payload: unknown;
  /** What the office searches projects by (absent for calls). */
  project?: Omit<ProjectRecord, 'workflowId' | 'updatedAt'>;
  /** The earlier transition whose append the workflow had started and not seen finish: written first (audit-eager-v1). */
  after?: number;
  /**
   * The transitions before this one whose appends the workflow had started and not seen finish
   * (audit-carry-v1): appended first, in order, those already there found so; `after`, if given,
   * is then the one before the first of them. So an append never waits for another activity.
   */
  carried?: CarriedTransition[];
}

/** A transition carried by a later one's append: its entry and payload; the project's facts go with the later one. */
export interface CarriedTransition {
  entry: TransitionLogEntry;
  payload: unknown;
}

/** How long one attempt waits for the earlier transition's append (an attempt may take ten seconds). */
const PREDECESSOR_PATIENCE_MS = 6_000;

/** One transition's append, waiting a few seconds at most for the transition it names as `after`. */
async function appendOne(ledger: LedgerStore, input: Omit<RecordTransitionInput, 'carried'>): Promise<Exclude<AppendOutcome['status'], 'predecessorPending'>> {
  const { entry } = input;
  const payload = canonicalJson(input.payload);
  const facts = input.project ? { ...input.project, workflowId: input.workflowId, updatedAt: entry.at } : undefined;
  const append = () =>
    ledger.append(
      {
        workflowId: input.workflowId,
        ...(input.chainId ? { chainId: input.chainId } : {}),
        entrySeq: entry.seq,
        at: entry.at,
        actor: entry.actor,
        event: entry.event,
        from: entry.from,
        to: entry.to,
        payloadDigest: sha256(payload),
      },
      payload,
      {
        ...(input.after === undefined ? {} : { after: input.after }),
        ...(facts ? { project: facts } : {}),
      },
    );
  let outcome = await append();
  // The earlier transition's append is on its way (another worker, a retry): wait for it a few
  // seconds, within this attempt's ten; then the attempt fails and is retried, never written out of order.
  for (let waitMs = 25, waited = 0; outcome.status === 'predecessorPending'; waited += waitMs, waitMs = Math.min(waitMs * 2, 500)) {
    if (waited > PREDECESSOR_PATIENCE_MS) {
      throw ApplicationFailure.retryable(
        `transition ${entry.seq} of ${input.workflowId} waits for transition ${input.after} to be in the ledger first`,
        'LedgerPredecessorPending',
      );
    }
    await Context.current().sleep(waitMs);
    outcome = await append();
  }
  if (outcome.status === 'quarantined')
    log.warn('ledger entry quarantined', { workflowId: input.workflowId, entrySeq: entry.seq, detail: outcome.quarantined.detail });
  if (outcome.status !== 'quarantined' && outcome.gap) log.warn('ledger gap', { workflowId: input.workflowId, entrySeq: entry.seq, detail: outcome.gap });
  // Appended or already there: the store wrote the facts in its transaction (unless a later
  // transition's are there already). Quarantined: the entry is not this one, the facts still stand.
  if (facts && outcome.status === 'quarantined') await ledger.upsertProject(facts);
  return outcome.status;
}

/** Archives the chain ending in `closedRunId`, or in the workflow's latest run once that has closed. */
async function archiveChain(deps: { ledger: LedgerStore; client: Client }, workflowId: string, closedRunId?: string): Promise<number> {
  if (!closedRunId) {
    const latest = await deps.client.workflow.getHandle(workflowId).describe();
    if (latest.status.name === 'RUNNING') throw ApplicationFailure.retryable(`${workflowId} is still running`, 'ProjectStillRunning');
  }
  const runs = await fetchRunChain(deps.client, workflowId, closedRunId);
  for (const [runIndex, run] of runs.entries()) {
    const historyJson = historyToJSON(run.history);
    await deps.ledger.archiveRun({ workflowId, runIndex, runId: run.runId, historyJson, sha256: sha256(historyJson), archivedAt: new Date().toISOString() });
    Context.current().heartbeat(runIndex);
  }
  return runs.length;
}

/** The audit trail: the transition ledger and the archive of closed projects' histories. */
export function createAuditActivities(deps: { ledger: LedgerStore; client: Client }) {
  /**
   * Appends one transition; idempotent by (workflow, chain, transition number), so retries and
   * replays add nothing. Content that disagrees with what the ledger holds (after a Temporal
   * reset) is quarantined and the office alerted: the workflow goes on. Only an unreachable
   * database fails the attempt, and it is retried. The transitions it carries are appended first.
   */
  async function recordTransition(input: RecordTransitionInput): Promise<Exclude<AppendOutcome['status'], 'predecessorPending'>> {
    const started = performance.now();
    try {
      const status = await appendWithCarried(input);
      recordLedgerAppend(performance.now() - started, status);
      return status;
    } catch (error) {
      recordLedgerAppend(performance.now() - started, 'failed');
      throw error;
    }
  }

  async function appendWithCarried(input: RecordTransitionInput): Promise<Exclude<AppendOutcome['status'], 'predecessorPending'>> {
    const { carried = [], after, ...own } = input;
    const { workflowId, chainId } = input;
    // Each carried one written after the one before it; the first after `after`, as the own one would have been.
    for (const [i, { entry, payload }] of carried.entries()) {
      await appendOne(deps.ledger, { workflowId, ...(chainId ? { chainId } : {}), entry, payload, ...(i === 0 && after !== undefined ? { after } : {}) });
    }
    return appendOne(deps.ledger, carried.length === 0 && after !== undefined ? { ...own, after } : own);
  }

  return {
    recordTransition,

    /**
     * Appends the transitions that came while the previous append was on its way, in their order,
     * each as `recordTransition` does: a retry after a partial attempt finds the first ones there.
     * The project's facts are written once, as they stand after the last.
     */
    async recordTransitions(inputs: RecordTransitionInput[]): Promise<Awaited<ReturnType<typeof recordTransition>>[]> {
      const statuses: Awaited<ReturnType<typeof recordTransition>>[] = [];
      for (const [i, input] of inputs.entries()) {
        const { project: _facts, ...entryOnly } = input;
        statuses.push(await recordTransition(i === inputs.length - 1 ? input : entryOnly));
      }
      return statuses;
    },

    /**
     * Copies every run of a closed project's continue-as-new chain, with its SHA-256, into the
     * archive, so the raw history outlives Temporal's retention. Retries until the project has closed.
     */
    async archiveProjectHistory(workflowId: string): Promise<number> {
      return archiveChain(deps, workflowId);
    },

    /**
     * The archive's safety net: projects and calls of this task queue that ended without their own
     * archive step (terminated, failed, timed out, cancelled; and every call) and are not archived
     * yet. Run by a schedule, so an operator's `temporal workflow terminate` loses nothing.
     */
    async archiveUnarchivedClosed(taskQueue: string): Promise<{ archived: string[]; failed: string[] }> {
      const abnormal = ['Terminated', 'Failed', 'TimedOut', 'Canceled'].map((s) => `ExecutionStatus = '${s}'`).join(' OR ');
      const query = `TaskQueue = '${taskQueue.replace(/'/g, "''")}' AND ((WorkflowType = 'projectWorkflow' AND (${abnormal})) OR (WorkflowType = 'callWorkflow' AND (${abnormal} OR ExecutionStatus = 'Completed')))`;
      const archived: string[] = [];
      const failed: string[] = [];
      for await (const execution of deps.client.workflow.list({ query })) {
        Context.current().heartbeat(archived.length);
        if ((await deps.ledger.archivedRunIds(execution.workflowId)).has(execution.runId)) continue;
        try {
          // The run listed, and the chain that led to it: not the workflow id's latest run, which
          // may be a later one (a reset, a call re-opened under its old id) still running.
          await archiveChain(deps, execution.workflowId, execution.runId);
          archived.push(execution.workflowId);
        } catch (error) {
          // Restarted since (a new run under the same id) or deleted meanwhile: the next sweep sees it as it is then.
          failed.push(execution.workflowId);
          log.warn('archive sweep skipped a workflow', { workflowId: execution.workflowId, error: (error as Error).message });
        }
      }
      return { archived, failed };
    },
  };
}
