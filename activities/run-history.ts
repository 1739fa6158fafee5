import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

export interface RunHistory {
  runId: string;
  history: temporal.api.history.v1.IHistory;
}

/**
 * Every run of a project's continue-as-new chain, oldest first, each with its full event
 * history: walks back from the latest run (or from `lastRunId`) through each run's `continuedExecutionRunId`.
 */
export async function fetchRunChain(client: Client, workflowId: string, lastRunId?: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let runId: string | undefined = lastRunId ?? (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift({ runId, history });
    const started: temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes | null | undefined =
      history.events?.[0]?.workflowExecutionStartedEventAttributes;
    runId = started?.continuedExecutionRunId || undefined;
  }
  return runs;
}
