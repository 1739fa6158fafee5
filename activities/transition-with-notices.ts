import { CancelledFailure, Context, log } from '@temporalio/activity';
import { NOTICE_QUICK_ATTEMPTS } from '../domain/notification-policy';
import type { CarriedTransition, createAuditActivities, RecordTransitionInput } from './audit';
import type { BatchDelivery, createNoticeActivities, DeliverNoticeInput } from './notices';

export interface TransitionWithNoticesInput extends RecordTransitionInput {
  notices: DeliverNoticeInput[];
}

export interface TransitionWithNoticesOutcome {
  ledger: Awaited<ReturnType<ReturnType<typeof createAuditActivities>['recordTransition']>>;
  /** Each notice's outcome, or `relayAway`: its attempts could not reach the relay, the notices' own workflows take over. */
  notices: BatchDelivery[] | 'relayAway';
}

/** A batch's transitions (one command batch), in the order they happened. */
export interface TransitionsWithNoticesInput {
  transitions: TransitionWithNoticesInput[];
  /** The earlier transition whose append the workflow had started and not seen finish: written before the first. */
  after?: number;
  /** The transitions whose appends the workflow had started and not seen finish (audit-carry-v1): appended before the first. */
  carried?: CarriedTransition[];
}

export interface TransitionsWithNoticesOutcome {
  ledger: TransitionWithNoticesOutcome['ledger'][];
  notices: TransitionWithNoticesOutcome['notices'];
}

/**
 * One transition's ledger append and its notices in one activity (transition-notices-v1): a
 * transition with notices costs one activity and one workflow task, not two of each. The append
 * comes first and is idempotent, so the ledger never waits for the relay and a retry finds it
 * there; a relay that is away fails the attempt (Temporal retries it with backoff) until the
 * third, which answers `relayAway` so that each notice's own workflow waits for the relay. A
 * ledger that is away fails every attempt, as `recordTransition` does, and is retried without end.
 */
export function createTransitionWithNoticesActivity(audit: ReturnType<typeof createAuditActivities>, notices: ReturnType<typeof createNoticeActivities>) {
  /** The notices once the entries are in: a relay away fails the attempt until the last quick one, which hands them over. */
  const deliver = async (deliveries: DeliverNoticeInput[], workflowId: string, entrySeqs: number[]): Promise<TransitionWithNoticesOutcome['notices']> => {
    try {
      return await notices.deliverNotices(deliveries);
    } catch (error) {
      if (error instanceof CancelledFailure || Context.current().info.attempt < NOTICE_QUICK_ATTEMPTS) throw error;
      log.warn('notices handed to their own workflows: the relay could not be reached', { workflowId, entrySeqs, error: String(error) });
      return 'relayAway';
    }
  };
  return {
    async recordTransitionWithNotices(input: TransitionWithNoticesInput): Promise<TransitionWithNoticesOutcome> {
      const { notices: deliveries, ...transition } = input;
      const ledger = await audit.recordTransition(transition);
      return { ledger, notices: await deliver(deliveries, input.workflowId, [input.entry.seq]) };
    },

    /**
     * A command batch's transitions: each appended in order, as `recordTransitionWithNotices` does
     * (a retry finds the first ones there; the project's facts go with the last), then all their
     * notices over the same relay connections.
     */
    async recordTransitionsWithNotices(input: TransitionsWithNoticesInput): Promise<TransitionsWithNoticesOutcome> {
      const ledger: TransitionWithNoticesOutcome['ledger'][] = [];
      // What goes before the batch (`after`, `carried`) goes with its first transition.
      const { transitions: _transitions, ...ahead } = input;
      for (const [i, { notices: _notices, project, ...entry }] of input.transitions.entries()) {
        const last = i === input.transitions.length - 1;
        ledger.push(await audit.recordTransition({ ...entry, ...(last && project ? { project } : {}), ...(i === 0 ? ahead : {}) }));
      }
      const deliveries = input.transitions.flatMap((t) => t.notices);
      const workflowId = input.transitions[0]?.workflowId ?? '';
      return {
        ledger,
        notices:
          deliveries.length === 0
            ? []
            : await deliver(
                deliveries,
                workflowId,
                input.transitions.map((t) => t.entry.seq),
              ),
      };
    },
  };
}
