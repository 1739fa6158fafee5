import type { Client } from '@temporalio/client';
import { ensureIntervalSchedule } from './interval-schedule';

export const archiveSweepScheduleId = (taskQueue: string): string => `archive-sweep:${taskQueue}`;

/** Makes sure the archive's sweep runs every `everyMinutes`: each tick archives what closed without its own archive step. */
export function ensureArchiveSweepSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<void> {
  return ensureIntervalSchedule(client, {
    scheduleId: archiveSweepScheduleId(taskQueue),
    every: `${everyMinutes} minutes`,
    workflowType: 'archiveSweepWorkflow',
    taskQueue,
    workflowId: `archive-sweep:${taskQueue}`,
    args: [taskQueue],
    catchupWindow: '1 hour',
  });
}
