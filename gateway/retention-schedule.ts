import type { Client } from '@temporalio/client';
import { ensureIntervalSchedule } from './interval-schedule';

export const retentionScheduleId = (taskQueue: string): string => `retention-sweep:${taskQueue}`;

/** Makes sure the retention sweep runs every `everyHours`: each tick erases what fell due, leaving tombstones. */
export function ensureRetentionSchedule(client: Client, taskQueue: string, everyHours: number): Promise<void> {
  return ensureIntervalSchedule(client, {
    scheduleId: retentionScheduleId(taskQueue),
    every: `${everyHours} hours`,
    workflowType: 'retentionSweepWorkflow',
    taskQueue,
    workflowId: `retention-sweep:${taskQueue}`,
    args: [],
    catchupWindow: '1 day',
  });
}
