import { CancelledFailure, Context, log } from '@temporalio/activity';
import { NOTICE_QUICK_ATTEMPTS } from '../domain/notification-policy';
import type { createAuditActivities, RecordTransitionInput } from './audit';
import type { BatchDelivery, createNoticeActivities, DeliverNoticeInput } from './notices';

export interface TransitionWithNoticesInput extends RecordTransitionInput {
  notices: DeliverNoticeInput[];
}

export interface TransitionWithNoticesOutcome {
  ledger: Awaited<ReturnType<ReturnType<typeof createAuditActivities>['recordTransition']>>;
  /** Each notice's outcome, or `relayAway`: its attempts could not reach the relay, the notices' own workflows take over. */
  notices: BatchDelivery[] | 'relayAway';
}

/**
 * One transition's ledger append and its notices in one activity (transition-notices-v1): a
 * transition with notices costs one activity and one workflow task, not two of each. The append
 * comes first and is idempotent, so the ledger never waits for the relay and a retry finds it
 * there; a relay that is away fails the attempt (Temporal retries it with backoff) until the
 * third, which answers `relayAway` so that each notice's own workflow waits for the relay. A
 * ledger that is away fails every attempt, as `recordTransition` does, and is retried without end.
 */
export function createTransitionWithNoticesActivity(
  audit: ReturnType<typeof createAuditActivities>, notices: ReturnType<typeof createNoticeActivities>,
) {
  return {
    async recordTransitionWithNotices(input: TransitionWithNoticesInput): Promise<TransitionWithNoticesOutcome> {
      const { notices: deliveries, ...transition } = input;
      const ledger = await audit.recordTransition(transition);
      try {
        return { ledger, notices: await notices.deliverNotices(deliveries) };
      } catch (error) {
        if (error instanceof CancelledFailure || Context.current().info.attempt < NOTICE_QUICK_ATTEMPTS) throw error;
        log.warn('notices handed to their own workflows: the relay could not be reached', { workflowId: input.workflowId, entrySeq: input.entry.seq, error: String(error) });
        return { ledger, notices: 'relayAway' };
      }
    },
  };
}
