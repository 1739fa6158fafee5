import { ActivityFailure, ApplicationFailure, condition, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeliverNoticeInput } from '../activities/notices';
import { addDuration } from '../domain/duration-math';
import type { NoticeOutcome } from '../messages/notices';

const { deliverNotice } = proxyActivities<Activities>({
  // One short SMTP conversation per recipient, a heartbeat after each: a worker that died mid-send
  // is noticed within 30 s and the notice goes to another, while the timed-out attempt, told by its
  // next heartbeat, stops instead of sending alongside the retry.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  // A relay that is down delays mail, never loses it: retried without end, at most every 10 minutes.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

const { reportUndeliveredNotice } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export interface NoticeWorkflowInput extends DeliverNoticeInput {
  officeEmail: string;
  /** ISO duration: how long a notice may stay undelivered before the office is told. */
  undeliveredAlertAfter: string;
}

/**
 * One notice, from the project that owes it to every recipient's mailbox. Its own workflow (id
 * `notice:<project>:<notice>`), so a relay outage of days holds up neither the project nor its
 * continue-as-new, and the office hears of a notice that has waited too long.
 */
export async function noticeWorkflow(input: NoticeWorkflowInput): Promise<NoticeOutcome> {
  const { officeEmail: _office, undeliveredAlertAfter: _after, ...delivery } = input;
  let outcome: { sent: number; alreadySent: number; uncertain?: number } | undefined;
  let refusal: string | undefined;
  const sending = deliverNotice(delivery).then(
    (result) => (outcome = result),
    (error: unknown) => {
      const cause = error instanceof ActivityFailure ? error.cause : error;
      if (cause instanceof ApplicationFailure && cause.nonRetryable) refusal = cause.message;
      else throw error;
    },
  );
  const alertInMs = addDuration(new Date(), input.undeliveredAlertAfter).getTime() - Date.now();
  const settledInTime = await condition(() => outcome !== undefined || refusal !== undefined, Math.max(1, alertInMs));
  let officeAlerted = false;
  if (!settledInTime || refusal !== undefined) {
    log.warn('notice not delivered in time; telling the office', { key: input.key, kind: input.kind, refusal });
    await reportUndeliveredNotice(input);
    officeAlerted = true;
  }
  await sending;
  if (refusal !== undefined) return { status: 'refused', reason: refusal, officeAlerted: true };
  return { status: 'delivered', ...outcome!, officeAlerted: officeAlerted || (outcome?.uncertain ?? 0) > 0 };
}
