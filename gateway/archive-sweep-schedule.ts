import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const archiveSweepScheduleId = (taskQueue: string): string => `archive-sweep:${taskQueue}`;

/**
 * Makes sure the archive's sweep runs every `everyMinutes`: Temporal keeps the time, each tick
 * archives what closed without its own archive step. Every worker may call this; the first creates it.
 */
export async function ensureArchiveSweepSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: archiveSweepScheduleId(taskQueue),
      spec: { intervals: [{ every: `${everyMinutes} minutes` }] },
      action: { type: 'startWorkflow', workflowType: 'archiveSweepWorkflow', taskQueue, workflowId: `archive-sweep:${taskQueue}`, args: [taskQueue] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
