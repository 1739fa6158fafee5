import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

/** The schedule of one service's ledger (its task queue): a tick every minute, never two at once. */
export const checkpointScheduleId = (taskQueue: string): string => `ledger-checkpoints:${taskQueue}`;

/**
 * Makes sure the ledger's checkpoint schedule exists: Temporal keeps the time, each tick runs
 * checkpointWorkflow, which writes a checkpoint only when the policy says one is due. Every
 * worker of the service may call this at start; the first one creates it.
 */
export async function ensureCheckpointSchedule(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: checkpointScheduleId(taskQueue),
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: 'checkpointWorkflow', taskQueue, workflowId: `ledger-checkpoint:${taskQueue}`, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
