// The auditor's check of the ledger against Temporal, both ways: every entry of a project Temporal
// still holds against the project's own transition log, and every transition of that log in the
// ledger. Read-only; a project Temporal no longer holds, or no worker serves, is left to its chains.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { LedgerEntry, LedgerStore } from '../activities/ledger/store';
import { inLanes } from '../activities/lanes';
import { transitionLogQuery, type ProjectOutcome, type TransitionLogEntry } from '../messages/project';
import type { BrokenEntry, VerifyReport } from '../tlog/reports';
import { isTombstoneEvent } from '../domain/retention';

/** How long verify waits for a project's transition log from its worker before leaving Temporal out of that project's check. */
const QUERY_PATIENCE_MS = 10_000;

/** Projects verify compares with Temporal at once; up to this many are described one by one, not listed. */
const PROJECTS_AT_ONCE = 16;

export class TemporalComparison {
  constructor(
    private readonly client: Client,
    private readonly ledger: LedgerStore,
  ) {}

  /**
   * Every entry of a project Temporal still holds, against the project's own transition log: a
   * closed project's from its result (no replay), a running one's by a query to its worker;
   * projects 16 at a time, what Temporal holds of them read in one visibility listing.
   */
  async compare(entries: LedgerEntry[], checked: number): Promise<VerifyReport> {
    const byProject = new Map<string, LedgerEntry[]>();
    for (const entry of entries) {
      // A tombstone is the ledger's own entry, after the project ended: Temporal's log never had it.
      if (!entry.workflowId.startsWith('project:') || isTombstoneEvent(entry.event)) continue;
      const mine = byProject.get(entry.workflowId);
      if (mine) mine.push(entry);
      else byProject.set(entry.workflowId, [entry]);
    }
    const executions = await this.latestExecutions(byProject);
    const served = new Map<string, Promise<boolean>>();
    const compareOne = async (id: string, mineAll: LedgerEntry[]): Promise<{ compared: number; broken: BrokenEntry | null }> => {
      // The chain of the execution Temporal holds now (a re-used id's earlier chains are not in its log).
      const current = mineAll.at(-1)?.chainId;
      let told = await this.transitionLogOf(id, executions.get(id), served);
      // The listing may lag behind a re-used id's new run: then Temporal is asked about the project itself.
      if (told?.chainId && current && told.chainId !== current) told = await this.transitionLogOf(id, undefined, served);
      const log = told?.log;
      if (!log) return { compared: 0, broken: null };
      const mine = mineAll.filter((e) => e.chainId === current);
      const bySeq = new Map(log.map((l) => [l.seq, l]));
      let compared = 0;
      for (const entry of mine) {
        const original = bySeq.get(entry.entrySeq);
        const same =
          original &&
          original.event === entry.event &&
          original.at === entry.at &&
          original.actor.role === entry.actor.role &&
          original.actor.id === entry.actor.id &&
          original.from.join('|') === entry.from.join('|') &&
          original.to.join('|') === entry.to.join('|');
        compared++;
        if (!same)
          return {
            compared,
            broken: { seq: entry.seq, workflowId: id, entrySeq: entry.entrySeq, reason: 'it disagrees with the transition log Temporal holds for the project' },
          };
      }
      // The reverse: every transition Temporal holds is in the ledger (its last may still be on its way: a moment's grace).
      const have = new Set(mine.map((e) => e.entrySeq));
      const missing = log.some((l) => !have.has(l.seq))
        ? await this.missingFromLedger(
            id,
            current,
            log.map((l) => l.seq),
          )
        : undefined;
      if (missing !== undefined) {
        const transition = log.find((l) => l.seq === missing)!;
        return {
          compared,
          broken: {
            seq: 0,
            workflowId: id,
            entrySeq: missing,
            reason: `transition ${missing} (${transition.event}), which Temporal holds for the project, is not in the ledger: it was removed, or never recorded`,
          },
        };
      }
      return { compared, broken: null };
    };
    const results = await inLanes([...byProject], PROJECTS_AT_ONCE, ([id, mine]) => compareOne(id, mine));
    let compared = 0;
    for (const result of results) {
      compared += result.compared;
      // The first disagreement in ledger order, as one project after another would have found it.
      if (result.broken) return { checked, comparedWithTemporal: compared, broken: result.broken };
    }
    return { checked, comparedWithTemporal: compared, broken: null };
  }

  /** The latest execution of each project, from visibility (a few pages for a thousand projects). */
  private async latestExecutions(projects: Map<string, unknown>): Promise<Map<string, WorkflowExecutionInfo>> {
    const latest = new Map<string, WorkflowExecutionInfo>();
    // A few projects are described one by one: cheaper than listing every project Temporal holds.
    if (projects.size <= PROJECTS_AT_ONCE) return latest;
    try {
      for await (const execution of this.client.workflow.list({ query: "WorkflowType = 'projectWorkflow'" })) {
        if (!projects.has(execution.workflowId)) continue;
        const seen = latest.get(execution.workflowId);
        if (!seen || execution.startTime > seen.startTime) latest.set(execution.workflowId, execution);
      }
    } catch {
      // Visibility away: each project is described on its own below.
    }
    return latest;
  }

  /** A project's transition log as Temporal holds it; undefined when Temporal has it no more, or no worker can tell. */
  private async transitionLogOf(
    id: string,
    known: WorkflowExecutionInfo | undefined,
    served: Map<string, Promise<boolean>>,
  ): Promise<{ log: TransitionLogEntry[]; chainId?: string } | undefined> {
    try {
      const execution = known ?? (await this.client.workflow.getHandle(id).describe());
      if (execution.status.name === 'COMPLETED') {
        // A closed project's result carries its whole log; one closed before it did, or whose
        // result cannot be read here, is queried as a running one is.
        const outcome = (await this.client.workflow
          .getHandle(id, execution.runId)
          .result()
          .catch(() => undefined)) as ProjectOutcome | undefined;
        if (Array.isArray(outcome?.transitionLog))
          return { log: outcome.transitionLog, ...(typeof outcome.chainId === 'string' ? { chainId: outcome.chainId } : {}) };
      }
      // A query to a project no worker serves waits until Temporal gives up: ask the task queue first.
      const { taskQueue } = execution;
      if (!served.has(taskQueue)) served.set(taskQueue, this.hasWorker(taskQueue));
      if (!(await served.get(taskQueue))) return undefined;
      // A worker answers a query in milliseconds; one that died a moment ago leaves the query waiting.
      return { log: await this.client.withDeadline(Date.now() + QUERY_PATIENCE_MS, () => this.client.workflow.getHandle(id).query(transitionLogQuery)) };
    } catch {
      // Gone from Temporal, no worker to answer, or Temporal busy: the chains are all there is to
      // check for this project, and the report counts only what was compared.
      return undefined;
    }
  }

  /** Whether any worker polls the task queue for workflow tasks (and so can answer a query). */
  private async hasWorker(taskQueue: string): Promise<boolean> {
    const queue = await this.client.workflowService.describeTaskQueue({
      namespace: this.client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    // Temporal lists pollers for minutes after they stop; a live one polls again within about a minute.
    const recent = Date.now() - 90_000;
    return (queue.pollers ?? []).some(
      (p) => p.lastAccessTime?.seconds !== undefined && p.lastAccessTime.seconds !== null && Number(p.lastAccessTime.seconds) * 1000 > recent,
    );
  }

  /** The first of `seqs` the ledger lacks for this chain, asked again for a few seconds while the workflow records its latest. */
  private async missingFromLedger(workflowId: string, chainId: string | undefined, seqs: number[]): Promise<number | undefined> {
    for (let tries = 0; ; tries++) {
      const have = new Set((await this.ledger.entries({ workflowId })).filter((e) => e.chainId === chainId).map((e) => e.entrySeq));
      const missing = seqs.find((seq) => !have.has(seq));
      if (missing === undefined || tries >= 10) return missing;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
