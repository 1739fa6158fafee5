import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { writeCheckpointIfDue } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** One tick of the ledger's checkpoint schedule: writes a checkpoint if the policy says one is due. */
export async function checkpointWorkflow(): Promise<{ size: number; written: boolean; refused?: string } | null> {
  return await writeCheckpointIfDue();
}
