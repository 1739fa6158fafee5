import type { Call, Window } from '../domain/call';
import type { NotificationPolicy } from '../domain/notification-policy';

export interface CompressedTimes {
  /** Seconds from now until each date of the call. */
  applicationClosesIn: number;
  endorsementIn: number;
  firstYearStartsIn: number;
  /** The policy's durations, ISO-8601 in seconds. */
  yearLength: string;
  progressReportDueBeforeYearEnd: string;
  closingReportGrace: string;
  writtenReviewPeriod?: string;
  /** Every reminder schedule of the notification policy, in seconds (default: 2 s and 1 s before, 1 s and 2 s after). */
  reminders?: { before: string[]; after: string[] };
  /** When the office hears of a notice still undelivered (default 30 s). */
  undeliveredAlertAfter?: string;
}

function compressedNotifications(base: NotificationPolicy, t: CompressedTimes): NotificationPolicy {
  const schedule = t.reminders ?? { before: ['PT2S', 'PT1S'], after: ['PT1S', 'PT2S'] };
  return {
    ...base,
    reminders: { endorsement: schedule, writtenReview: schedule, progressReport: schedule, closingReport: schedule },
    undeliveredAlertAfter: t.undeliveredAlertAfter ?? 'PT30S',
  };
}

/**
 * A call with the policy of `base` and every date and duration compressed to seconds from
 * `nowMs`: a whole lifecycle runs in minutes against a real server (demo, tests).
 */
export function compressedCall(base: Call, nowMs: number, t: CompressedTimes, id: string): Call {
  const at = (seconds: number) => new Date(nowMs + seconds * 1000).toISOString();
  const window = (from: number, to: number): Window => ({ opens: at(from), closes: at(to) });
  return {
    ...base,
    id,
    calendar: {
      applicationWindow: window(-1, t.applicationClosesIn),
      endorsementDeadline: at(t.endorsementIn),
      interimReportDeadline: at(t.endorsementIn + 1),
      reviewPeriod: window(t.endorsementIn, t.firstYearStartsIn),
      firstProjectYearStarts: at(t.firstYearStartsIn),
      firstYearTrancheWindows: [window(t.firstYearStartsIn, t.firstYearStartsIn + 2), window(t.firstYearStartsIn + 3, t.firstYearStartsIn + 5)],
      siteVisitWindow: window(t.firstYearStartsIn, t.firstYearStartsIn + 60),
      resultsExhibition: window(t.firstYearStartsIn + 60, t.firstYearStartsIn + 90),
    },
    policy: {
      ...base.policy,
      projectYearLength: t.yearLength,
      trancheWindows: [{ opensAfter: 'PT0S', closesAfter: 'PT2S' }, { opensAfter: 'PT3S', closesAfter: 'PT5S' }],
      progressReportDueBeforeYearEnd: t.progressReportDueBeforeYearEnd,
      closingReportGrace: t.closingReportGrace,
      writtenReviewPeriod: t.writtenReviewPeriod ?? 'PT10M',
    },
    ...(base.notifications && { notifications: compressedNotifications(base.notifications, t) }),
  };
}
