// A workflow started around the service (its input in plaintext, not sealed under the payload keys)
// ends at once, having done nothing: a start cannot be refused before its first event, as a command is.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { isUnsealed, unsealedRefusal } from '../messages/sealed';

/**
 * Fails the run when its input came unsealed. Asked only of such a run, so a sealed start's history
 * has no marker; a run from before encryption replays as it ran (no marker: patched is false).
 */
export function refuseUnsealedStart(input: unknown, workflowType: string): void {
  if (isUnsealed(input) && patched('sealed-starts-v1'))
    throw ApplicationFailure.create({ type: 'FORBIDDEN', message: unsealedRefusal(`Starting ${workflowType}`), nonRetryable: true });
}
