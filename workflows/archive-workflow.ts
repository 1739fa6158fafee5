import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { archiveProjectHistory } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Copies a closed project's whole history into the archive, once the project has closed. */
export async function archiveWorkflow(projectWorkflowId: string): Promise<number> {
  return await archiveProjectHistory(projectWorkflowId);
}
