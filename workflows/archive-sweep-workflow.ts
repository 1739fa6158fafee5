import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { archiveUnarchivedClosed } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** One tick of the archive's schedule: archives the projects and calls that closed without their own archive step. */
export async function archiveSweepWorkflow(taskQueue: string): Promise<{ archived: string[]; failed: string[] }> {
  return await archiveUnarchivedClosed(taskQueue);
}
