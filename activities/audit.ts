import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { fetchRunChain } from './temporal/history';
import type { TransitionLogEntry } from '../workflows/project-messages';
import { canonicalJson, sha256 } from './ledger/digest';
import { LedgerConflictError, type LedgerStore, type ProjectRecord } from './ledger/store';

export interface RecordTransitionInput {
  workflowId: string;
  entry: TransitionLogEntry;
  /** The event's payload; only its digest is kept. */
  payload: unknown;
  /** What the office searches projects by (absent for calls). */
  project?: Omit<ProjectRecord, 'workflowId' | 'updatedAt'>;
}

/** The audit trail: the transition ledger and the archive of closed projects' histories. */
export function createAuditActivities(deps: { ledger: LedgerStore; client: Client }) {
  return {
    /** Appends one transition; idempotent by (workflow, transition number), so retries and replays add nothing. */
    recordTransition(input: RecordTransitionInput): Promise<number> {
      const { entry } = input;
      try {
        const stored = deps.ledger.append({
          workflowId: input.workflowId, entrySeq: entry.seq, at: entry.at, actor: entry.actor, event: entry.event,
          from: entry.from, to: entry.to, payloadDigest: sha256(canonicalJson(input.payload)),
        });
        if (input.project) deps.ledger.upsertProject({ ...input.project, workflowId: input.workflowId, updatedAt: entry.at });
        return Promise.resolve(stored.seq);
      } catch (error) {
        if (error instanceof LedgerConflictError) throw ApplicationFailure.nonRetryable(error.message, 'LedgerConflictError');
        throw error;
      }
    },

    /**
     * Copies every run of a closed project's continue-as-new chain, with its SHA-256, into the
     * archive, so the raw history outlives Temporal's retention. Retries until the project has closed.
     */
    async archiveProjectHistory(workflowId: string): Promise<number> {
      const latest = await deps.client.workflow.getHandle(workflowId).describe();
      if (latest.status.name === 'RUNNING') throw ApplicationFailure.retryable(`${workflowId} is still running`, 'ProjectStillRunning');
      const runs = await fetchRunChain(deps.client, workflowId);
      runs.forEach((run, runIndex) => {
        const historyJson = historyToJSON(run.history);
        deps.ledger.archiveRun({ workflowId, runIndex, runId: run.runId, historyJson, sha256: sha256(historyJson), archivedAt: new Date().toISOString() });
        Context.current().heartbeat(runIndex);
      });
      return runs.length;
    },
  };
}
