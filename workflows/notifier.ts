import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { log, patched, startChild } from '@temporalio/workflow';
import type { NoticeAddress } from '../activities/notices';
import type { Application } from '../domain/application';
import type { Call } from '../domain/call';
import { noticeWorkflowId } from '../domain/ids';
import { recipientsOf, type NoticeRecipient } from '../domain/notification-policy';
import type { ProjectEvent } from '../domain/project-events';
import type { ProjectSnapshot } from '../machines/judge';
import { dueReminders, nextReminderAt, noticesForTransition, reminderSchedule, type PlannedNotice } from '../machines/notices';
import { noticeWorkflow } from './notice-workflow';
import type { TransitionLogEntry } from './project-messages';
import { settle } from './settle';

/** Patch id of e-mail notices: histories recorded before it replay without notice workflows. */
export const NOTICES_PATCH = 'notices-v1';

/** What the notifier carries from one run of the project to the next. */
export interface CarriedNotices {
  /** Reminders already sent or skipped, by id. */
  handled: string[];
  /** Reviewers' names and addresses, as the office assigned them. */
  reviewers: Record<string, { name: string; email: string }>;
}

/** Who a role is, for this project: addresses from the application, the reviewer pool and the policy. */
function addresses(
  role: NoticeRecipient, application: Application, officeEmail: string, reviewers: CarriedNotices['reviewers'], reviewerIds: string[],
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
 * `noticeWorkflow` each. Nothing happens for a call without a notification policy, or when
 * replaying a history recorded before notices existed.
 */
export function createNotifier(workflowId: string, call: Call, transitions: readonly TransitionLogEntry[], carried: CarriedNotices | undefined) {
  const policy = call.notifications;
  const handled = new Set(carried?.handled ?? []);
  const reviewers = { ...carried?.reviewers };
  // The written review's deadline follows from its start, which the project's log holds.
  const reviewStartedAt = (): string | undefined => transitions.find((entry) => entry.event === 'review.start')?.at;
  let starts: Promise<unknown> = Promise.resolve();
  const enabled = (): boolean => policy !== undefined && patched(NOTICES_PATCH);

  const send = (notice: PlannedNotice, snapshot: ProjectSnapshot): void => {
    // The application as it stands now: the PI may have updated it since the project started.
    const application = snapshot.context.application;
    const reviewerIds = notice.reviewerIds ?? snapshot.context.reviewers;
    const seen = new Set<string>();
    const recipients = recipientsOf(policy!, notice.kind)
      .flatMap((role) => addresses(role, application, policy!.officeEmail, reviewers, reviewerIds))
      .filter((r) => !seen.has(r.email.toLowerCase()) && seen.add(r.email.toLowerCase()));
    if (recipients.length === 0) {
      log.warn('notice has no recipient with an address', { notice: notice.id, kind: notice.kind });
      return;
    }
    const variables = { callTitle: call.title, projectTitle: application.title, applicationId: application.id, ...notice.variables };
    const noticeId = noticeWorkflowId(workflowId, notice.id);
    const started = startChild(noticeWorkflow, {
      workflowId: noticeId,
      args: [{ key: noticeId, kind: notice.kind, language: policy!.language, variables, recipients, officeEmail: policy!.officeEmail, undeliveredAlertAfter: policy!.undeliveredAlertAfter }],
      // The notice outlives the run that owed it (continue-as-new, or the project closing).
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }).catch((error: unknown) => {
      // Already started by an earlier run: the notice is on its way, once.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    });
    starts = Promise.all([starts, started]);
  };

  return {
    onTransition(seq: number, event: ProjectEvent, after: ProjectSnapshot): void {
      if (!enabled()) return;
      if (event.type === 'reviewer.assign' && event.email) reviewers[event.reviewerId] = { name: event.name ?? event.reviewerId, email: event.email };
      for (const notice of noticesForTransition(seq, event, after, call, reviewStartedAt())) send(notice, after);
    },
    /** Sends the reminders due by `now`; returns when the next one falls. */
    remind(snapshot: ProjectSnapshot, now: string): string | undefined {
      if (!enabled()) return undefined;
      const schedule = reminderSchedule(snapshot, call, reviewStartedAt());
      const due = dueReminders(schedule, handled, now);
      for (const id of due.handled) handled.add(id);
      for (const reminder of due.send) send(reminder, snapshot);
      return nextReminderAt(schedule, handled);
    },
    /** Resolves once every notice workflow asked for so far has started (before the run ends). */
    settled: (): Promise<void> => settle(() => starts),
    carry: (): CarriedNotices => ({ handled: [...handled], reviewers }),
  };
}
