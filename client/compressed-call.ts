import type { Call, Window } from '../domain/call';
import type { NotificationPolicy } from '../domain/notification-policy';
import { defaultTranchePolicy } from '../domain/policy';

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
  /** How far ahead a call-wide deadline may still move (default 2 s). */
  amendmentLeadTime?: string;
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
      trancheWindows: [
        { opensAfter: 'PT0S', closesAfter: 'PT2S' },
        { opensAfter: 'PT3S', closesAfter: 'PT5S' },
      ],
      // Windows a few seconds wide guide a try-out; refusing outside them would leave no time to type.
      tranches: { ...(base.policy.tranches ?? defaultTranchePolicy), windows: 'advisory' },
      progressReportDueBeforeYearEnd: t.progressReportDueBeforeYearEnd,
      closingReportGrace: t.closingReportGrace,
      writtenReviewPeriod: t.writtenReviewPeriod ?? 'PT10M',
      amendmentLeadTime: t.amendmentLeadTime ?? 'PT2S',
    },
    ...(base.notifications && { notifications: compressedNotifications(base.notifications, t) }),
  };
}

/** Named calendars for trying the service out: every step of a call within minutes of opening it. */
export const tryOutCalendars = {
  /** The README's tour: time to type the commands, then the written review, decisions and year 1. */
  tour: {
    applicationClosesIn: 240,
    endorsementIn: 270,
    firstYearStartsIn: 900,
    yearLength: 'PT1H',
    progressReportDueBeforeYearEnd: 'PT15M',
    closingReportGrace: 'PT15M',
    writtenReviewPeriod: 'PT10M',
  },
  /** The whole of year 1 in a few minutes, for the impatient. */
  quick: {
    applicationClosesIn: 60,
    endorsementIn: 75,
    firstYearStartsIn: 300,
    yearLength: 'PT10M',
    progressReportDueBeforeYearEnd: 'PT3M',
    closingReportGrace: 'PT3M',
    writtenReviewPeriod: 'PT3M',
  },
} satisfies Record<string, CompressedTimes>;
export type TryOutCalendar = keyof typeof tryOutCalendars;

/** The same call with every date moved by one amount, so that its application window opens at `opensMs`. */
export function startingNow(call: Call, opensMs: number, id = call.id): Call {
  const shift = opensMs - Date.parse(call.calendar.applicationWindow.opens);
  const move = (instant: string): string => new Date(Date.parse(instant) + shift).toISOString();
  const moveWindow = (w: Window): Window => ({ opens: move(w.opens), closes: move(w.closes) });
  const c = call.calendar;
  return {
    ...call,
    id,
    calendar: {
      applicationWindow: moveWindow(c.applicationWindow),
      endorsementDeadline: move(c.endorsementDeadline),
      interimReportDeadline: move(c.interimReportDeadline),
      reviewPeriod: moveWindow(c.reviewPeriod),
      firstProjectYearStarts: move(c.firstProjectYearStarts),
      firstYearTrancheWindows: c.firstYearTrancheWindows.map(moveWindow),
      siteVisitWindow: moveWindow(c.siteVisitWindow),
      resultsExhibition: moveWindow(c.resultsExhibition),
    },
  };
}
