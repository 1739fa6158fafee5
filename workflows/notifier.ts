import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { log, patched as askHistory, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BatchDelivery, DeliverNoticeInput, NoticeAddress } from '../activities/notices';
import type { Application } from '../domain/application';
import type { Call } from '../domain/call';
import { noticeWorkflowId } from '../domain/ids';
import { mayWaitForDigest, NOTICE_QUICK_ATTEMPTS, recipientsOf, type NoticeRecipient } from '../domain/notification-policy';
import type { ProjectEvent } from '../domain/project-events';
import type { ProjectSnapshot } from '../machines/judge';
import { dueReminders, nextReminderAt, noticesForTransition, reminderSchedule, type PlannedNotice } from '../machines/notices';
import { noticeWorkflow, type NoticeWorkflowInput } from './notice-workflow';
import type { TransitionLogEntry } from '../messages/project';
import type { CarriedNotices, SentNotice } from '../messages/notices';
import type { PatchCheck } from './patch-levels';
import { settle } from './settle';

/** Patch id of e-mail notices: histories recorded before it replay without notice workflows. */
export const NOTICES_PATCH = 'notices-v1';

/**
 * Patch id of notices delivered by the project itself: one activity per transition (or per
 * instant's reminders) for all its notices, instead of a workflow per notice. A notice that
 * activity cannot deliver in its few attempts (the relay away, an address refused) is handed to
 * its own `noticeWorkflow`, which waits out the outage and tells the office, as before.
 */
export const NOTICES_INLINE_PATCH = 'notices-inline-v1';

const { deliverNotices } = proxyActivities<Activities>({
  // Heartbeats after each recipient and during each SMTP conversation: a slow relay is waited for,
  // a worker that died mid-send is noticed within 30 s.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  // Three attempts only: a relay that stays away is the notice workflow's to wait for, so a
  // project's continue-as-new or closing waits for mail seconds when the relay is down (an attempt
  // with a relay that answers slowly lasts as long as the relay keeps talking).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: NOTICE_QUICK_ATTEMPTS },
});

/** Notices prepared for delivery by another activity (the transition's ledger append), and what to do with its outcome. */
export interface PendingNotices {
  deliveries: DeliverNoticeInput[];
  /** Each notice's outcome, or `relayAway`; resolves once the notices not delivered have their own workflows. */
  settle: (outcomes: BatchDelivery[] | 'relayAway') => Promise<unknown>;
}

/** Who a role is, for this project: addresses from the application, the reviewer pool and the policy. */
function addresses(
  role: NoticeRecipient,
  application: Application,
  officeEmail: string,
  reviewers: CarriedNotices['reviewers'],
  reviewerIds: string[],
): NoticeAddress[] {
  switch (role) {
    case 'pi':
      return [{ role, name: application.pi.name, email: application.pi.email }];
    case 'coPis':
      return application.coPis.map((c) => ({ role, name: c.name, email: c.email }));
    case 'institutionResearchOffice': {
      const { name, researchOfficeEmail } = application.institution;
      // Applications from before the field existed have no address: they get no institution notices.
      return researchOfficeEmail ? [{ role, name: { 'zh-TW': `${name}研發處`, en: `Research Office, ${name}` }, email: researchOfficeEmail }] : [];
    }
    case 'assignedReviewers':
      return reviewerIds.flatMap((id) => (reviewers[id] ? [{ role, name: reviewers[id].name, email: reviewers[id].email }] : []));
    case 'office':
      return [{ role, name: { 'zh-TW': '計畫辦公室', en: 'Programme office' }, email: officeEmail }];
  }
}

/**
 * The project's side of e-mail notices: turns transitions and reminder instants into one
 * delivery activity each (before notices-inline-v1: one `noticeWorkflow` per notice). Nothing happens for a call without a notification policy, or when
 * replaying a history recorded before notices existed.
 */
/** A notice's recipients by the policy's roles, each address once (case aside). */
function distinctRecipients(
  policy: NonNullable<Call['notifications']>,
  kind: PlannedNotice['kind'],
  application: Application,
  reviewers: CarriedNotices['reviewers'],
  reviewerIds: string[],
) {
  const seen = new Set<string>();
  return recipientsOf(policy, kind)
    .flatMap((role) => addresses(role, application, policy.officeEmail, reviewers, reviewerIds))
    .filter((r) => !seen.has(r.email.toLowerCase()) && seen.add(r.email.toLowerCase()));
}

/** Its own workflow per notice: the way before notices-inline-v1, and the fallback after it. */
export const startNoticeWorkflow = (input: NoticeWorkflowInput): Promise<void> =>
  startChild(noticeWorkflow, {
    workflowId: input.key,
    args: [input],
    // The notice outlives the run that owed it (continue-as-new, or the project closing).
    parentClosePolicy: 'ABANDON',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  }).then(
    () => undefined,
    (error: unknown) => {
      // Already started by an earlier run: the notice is on its way, once.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    },
  );

/** A batch's delivery outcome, noted on each notice's record: one not delivered goes to its own workflow. */
function settleNotices(
  inputs: NoticeWorkflowInput[],
  records: SentNotice[],
  outcomes: BatchDelivery[] | 'relayAway',
  handOver: (input: NoticeWorkflowInput, record: SentNotice) => Promise<void>,
): Promise<unknown> {
  // Every attempt failed (the relay away): each notice's own workflow waits for the relay.
  if (outcomes === 'relayAway') return Promise.all(inputs.map((input, i) => handOver(input, records[i]!)));
  return Promise.all(
    inputs.map((input, i) => {
      const outcome = outcomes.find((o) => o.key === input.key);
      if (outcome?.status !== 'delivered') return handOver(input, records[i]!);
      const { key: _key, ...counts } = outcome;
      Object.assign(records[i]!, counts);
      return Promise.resolve();
    }),
  );
}

export function createNotifier(
  workflowId: string,
  call: Call,
  transitions: readonly TransitionLogEntry[],
  carried: CarriedNotices | undefined,
  patched: PatchCheck = askHistory,
) {
  const policy = call.notifications;
  const handled = new Set(carried?.handled ?? []);
  const reviewers = { ...carried?.reviewers };
  // The written review's deadline follows from its start, which the project's log holds.
  const reviewStartedAt = (): string | undefined => transitions.find((entry) => entry.event === 'review.start')?.at;
  let starts: Promise<unknown> = Promise.resolve();
  const enabled = (): boolean => policy !== undefined && patched(NOTICES_PATCH);

  const sentNotices: SentNotice[] = [...(carried?.sent ?? [])];
  const inline = (): boolean => patched(NOTICES_INLINE_PATCH);

  /**
   * A transition's or an instant's notices, listed as sending, with what to do once their delivery
   * has an outcome: a notice not delivered (refused, or the relay away) goes to its own workflow.
   */
  const prepare = (inputs: NoticeWorkflowInput[], at: string): PendingNotices | undefined => {
    if (inputs.length === 0) return undefined;
    const records = inputs.map((input): SentNotice => ({
      noticeId: input.key.slice(noticeWorkflowId(workflowId, '').length),
      kind: input.kind,
      at,
      status: 'sending',
    }));
    sentNotices.push(...records);
    const handOver = (input: NoticeWorkflowInput, record: SentNotice): Promise<void> => {
      Object.assign(record, { status: 'handedOver' });
      return startNoticeWorkflow(input);
    };
    return {
      deliveries: inputs.map(({ officeEmail: _office, undeliveredAlertAfter: _after, ...delivery }) => delivery),
      settle: (outcomes) => settleNotices(inputs, records, outcomes, handOver),
    };
  };

  /** All the notices of one transition, or of one instant's reminders, in one activity of their own. */
  const deliver = (inputs: NoticeWorkflowInput[], at: string): void => {
    const pending = prepare(inputs, at);
    if (!pending) return;
    const delivered = deliverNotices(pending.deliveries).then(pending.settle, () => pending.settle('relayAway'));
    starts = Promise.all([starts, delivered]);
  };

  const send = (notice: PlannedNotice, snapshot: ProjectSnapshot, batch: NoticeWorkflowInput[]): void => {
    // The application as it stands now: the PI may have updated it since the project started.
    const application = snapshot.context.application;
    const reviewerIds = notice.reviewerIds ?? snapshot.context.reviewers;
    const recipients = distinctRecipients(policy!, notice.kind, application, reviewers, reviewerIds);
    if (recipients.length === 0) {
      log.warn('notice has no recipient with an address', { notice: notice.id, kind: notice.kind });
      return;
    }
    const variables = { callTitle: call.title, projectTitle: application.title, applicationId: application.id, ...notice.variables };
    const noticeId = noticeWorkflowId(workflowId, notice.id);
    const input = {
      key: noticeId,
      kind: notice.kind,
      language: policy!.language,
      variables,
      recipients,
      officeEmail: policy!.officeEmail,
      undeliveredAlertAfter: policy!.undeliveredAlertAfter,
      // A reminder the policy lets wait goes into the digest of a recipient who chose one (the activity asks).
      ...(mayWaitForDigest(policy!, notice.kind) && { mayWait: true }),
    };
    if (inline()) batch.push(input);
    else starts = Promise.all([starts, startNoticeWorkflow(input)]);
  };

  const transitionNotices = (seq: number, event: ProjectEvent, after: ProjectSnapshot): NoticeWorkflowInput[] | undefined => {
    if (!enabled()) return undefined;
    if (event.type === 'reviewer.assign' && event.email) reviewers[event.reviewerId] = { name: event.name ?? event.reviewerId, email: event.email };
    const batch: NoticeWorkflowInput[] = [];
    for (const notice of noticesForTransition(seq, event, after, call, reviewStartedAt())) send(notice, after, batch);
    return batch;
  };

  return {
    onTransition(seq: number, event: ProjectEvent, after: ProjectSnapshot): void {
      const batch = transitionNotices(seq, event, after);
      if (batch) deliver(batch, event.at);
    },
    /** A transition's notices for its ledger append to deliver (transition-notices-v1); none, or those started as workflows (before notices-inline-v1): undefined. */
    prepareTransition(seq: number, event: ProjectEvent, after: ProjectSnapshot): PendingNotices | undefined {
      const batch = transitionNotices(seq, event, after);
      return batch ? prepare(batch, event.at) : undefined;
    },
    /** Sends the reminders due by `now`; returns when the next one falls. */
    remind(snapshot: ProjectSnapshot, now: string): string | undefined {
      if (!enabled()) return undefined;
      const schedule = reminderSchedule(snapshot, call, reviewStartedAt());
      const due = dueReminders(schedule, handled, now);
      for (const id of due.handled) handled.add(id);
      const batch: NoticeWorkflowInput[] = [];
      for (const reminder of due.send) send(reminder, snapshot, batch);
      deliver(batch, now);
      return nextReminderAt(schedule, handled);
    },
    /** Resolves once every delivery asked for so far has ended, or been handed to a notice workflow that has started (before the run ends). */
    settled: (): Promise<void> => settle(() => starts),
    /** The notices delivered by the project itself, oldest first, in every run so far. */
    sent: (): readonly SentNotice[] => sentNotices,
    carry: (): CarriedNotices => ({ handled: [...handled], reviewers, ...(sentNotices.length > 0 ? { sent: sentNotices } : {}) }),
  };
}
