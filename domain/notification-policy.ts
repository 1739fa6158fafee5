import { z } from 'zod';
import { IsoDuration } from './duration';
import { atMost, bounds } from './bounds';

/**
 * Quick attempts at a notice before the project hands it to its own workflow, which waits out a
 * relay that stays away: the delivery activity's retry limit, and the point where the activity
 * that also appends the transition stops retrying the relay.
 */
export const NOTICE_QUICK_ATTEMPTS = 3;

/** Every notice the service sends (issue 6's list), one template each per language. */
export const NoticeKind = z.enum([
  'applicationReceived',
  'endorsementReceived',
  'endorsementMissing',
  'reviewAssigned',
  'reviewReminder',
  'presentationInvitation',
  'decision',
  'contractReady',
  'tranchePaid',
  'progressReportDue',
  'progressReportOverdue',
  'progressReportAccepted',
  'progressReportReturned',
  'siteVisitSelected',
  'closingReportDue',
  'closingReportOverdue',
  'projectClosed',
  'deliveryFailed',
  'trancheUnpaidAtYearEnd',
  'exhibitionSelected',
  'reviewRoundAssigned',
]);
export type NoticeKind = z.infer<typeof NoticeKind>;

/** Who a notice goes to, resolved against the project when it is sent. */
export const NoticeRecipient = z.enum(['pi', 'coPis', 'institutionResearchOffice', 'assignedReviewers', 'office']);
export type NoticeRecipient = z.infer<typeof NoticeRecipient>;

/** Notices added after calls were opened: a call file that does not name their recipients sends them to these. */
export const laterNoticeRecipients: Partial<Record<NoticeKind, NoticeRecipient[]>> = {
  trancheUnpaidAtYearEnd: ['institutionResearchOffice', 'pi'],
  exhibitionSelected: ['pi', 'institutionResearchOffice'],
  // One mail per reviewer for a round, listing their applications (the call sends it).
  reviewRoundAssigned: ['assignedReviewers'],
};

/** Who receives a notice of this kind under this policy. */
export const recipientsOf = (policy: { notices: Partial<Record<NoticeKind, { recipients: NoticeRecipient[] }>> }, kind: NoticeKind): NoticeRecipient[] =>
  policy.notices[kind]?.recipients ?? laterNoticeRecipients[kind] ?? [];

export const Language = z.enum(['zh-TW', 'en']);
export type Language = z.infer<typeof Language>;

/** A value that reads differently per language (an outcome, a recipient's title). */
export type Localized = Record<Language, string>;

/** The data a notice's template is filled from; dates as ISO instants, amounts as NT$ numbers. */
export type NoticeVariables = Record<string, string | number | Localized>;

/** Reminders before a deadline and overdue notices after it, as offsets from the deadline. */
const ReminderSchedule = z.object({ before: z.array(IsoDuration).max(...atMost(20)), after: z.array(IsoDuration).max(...atMost(20)) }).strict();

/**
 * Which notices go to whom, and when reminders fall: data, validated, compressible to seconds
 * like the rest of the policy. The consequence after the last overdue notice is the machine's.
 */
export const NotificationPolicy = z
  .object({
    language: Language,
    officeEmail: z.email().max(bounds.email, 'expected an e-mail address of at most 254 characters'),
    // Partial: the kinds added later have default recipients; the check below names any other missing one.
    notices: z.partialRecord(
      NoticeKind,
      z
        .object({
          recipients: z
            .array(NoticeRecipient)
            .min(1)
            .max(...atMost(NoticeRecipient.options.length)),
        })
        .strict(),
    ),
    reminders: z
      .object({
        endorsement: ReminderSchedule,
        writtenReview: ReminderSchedule,
        progressReport: ReminderSchedule,
        closingReport: ReminderSchedule,
      })
      .strict(),
    /** After this long undelivered, the office is told (the notice keeps being retried). */
    undeliveredAlertAfter: IsoDuration,
    /**
     * The notices a person who chose a daily digest receives in it instead of at once; every other
     * notice goes at once. Unset: the reminders before and around a deadline (`remindersThatMayWait`).
     */
    mayWait: z
      .array(NoticeKind)
      .max(...atMost(NoticeKind.options.length))
      .optional(),
  })
  .strict()
  .superRefine((policy, ctx) => {
    for (const kind of NoticeKind.options) {
      if (!policy.notices[kind] && !(kind in laterNoticeRecipients))
        ctx.addIssue({ code: 'custom', path: ['notices', kind], message: `expected the recipients of the ${kind} notice` });
    }
  });
export type NotificationPolicy = z.infer<typeof NotificationPolicy>;

/**
 * The reminders that may wait for a daily digest when a policy does not say (calls opened before
 * `mayWait` existed; the 105 call file states the same list): those before a deadline and the reviewer's. Overdue notices (they announce consequences), decisions, money and
 * everything a person must act on at once never wait.
 */
export const remindersThatMayWait: readonly NoticeKind[] = ['endorsementMissing', 'reviewReminder', 'progressReportDue', 'closingReportDue'];

/** Whether a notice of this kind may wait for the daily digest of a person who chose one. */
export const mayWaitForDigest = (policy: { mayWait?: readonly NoticeKind[] | undefined }, kind: NoticeKind): boolean =>
  (policy.mayWait ?? remindersThatMayWait).includes(kind);
