import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RetentionOutcome } from '../activities/retention';

const { applyRetention } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '5 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 5 },
});

/** One tick of the retention schedule: every ended project past its period loses what the policy says, leaving a tombstone. */
export async function retentionSweepWorkflow(): Promise<RetentionOutcome> {
  return await applyRetention();
}
