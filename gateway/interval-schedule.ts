import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';

export interface IntervalSchedule {
  scheduleId: string;
  every: Duration;
  workflowType: string;
  taskQueue: string;
  workflowId: string;
  args: unknown[];
  catchupWindow: Duration;
}

/**
 * A schedule that starts one workflow every interval, a tick skipped while the last still runs:
 * Temporal keeps the time. Every worker may call this; the first creates it.
 */
export async function ensureIntervalSchedule(client: Client, s: IntervalSchedule): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: s.scheduleId,
      spec: { intervals: [{ every: s.every }] },
      action: { type: 'startWorkflow', workflowType: s.workflowType, taskQueue: s.taskQueue, workflowId: s.workflowId, args: s.args },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.catchupWindow },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
