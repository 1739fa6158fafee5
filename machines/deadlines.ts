import type { CallCalendar } from '../domain/call';
import { addDuration, nthPeriodStart, subtractDuration } from '../domain/duration';
import type { AmendableDeadline, ProjectEvent } from '../domain/project-events';
import { clockStoppedMs } from './project-clock';
import type { ProjectContext } from './project-context';
import { apply, type ProjectSnapshot } from './judge';
import { byCodePoint } from '../domain/order';

export type DeadlineEvent =
  'deadline.application' | 'deadline.endorsement' | 'deadline.writtenReview' | 'deadline.progressReport' | 'deadline.closingReport' | 'year.end';

export type Deadline = {
  event: DeadlineEvent;
  /** UTC ISO instant. */
  at: string;
  /** What a person calls it. */
  label: string;
};

/** When project year `n` starts: the call's first year start plus n−1 project-year lengths. */
export const projectYearStart = (calendar: CallCalendar, yearLength: string, n: number): Date => nthPeriodStart(calendar.firstProjectYearStarts, yearLength, n);

export const projectYearEnd = (calendar: CallCalendar, yearLength: string, n: number): Date => projectYearStart(calendar, yearLength, n + 1);

/** The office's latest move of a deadline of this project (law v2), if any. */
function amendedUntil(context: ProjectContext, deadline: AmendableDeadline, year?: number): string | undefined {
  const moves = (context.deadlineAmendments ?? []).filter((a) => a.deadline === deadline && (year === undefined || a.year === year));
  // The project's own latest move, and the call's: a call-wide move keeps a project's own later extension.
  const own = moves.filter((a) => a.scope !== 'call').at(-1)?.until;
  const callWide = moves.filter((a) => a.scope === 'call').at(-1)?.until;
  return own && callWide ? (Date.parse(own) >= Date.parse(callWide) ? own : callWide) : (own ?? callWide);
}

/**
 * When each of a project's deadlines falls, as the calendar, the policy, the office's amendments
 * and the time suspended make it: one source for the timers and the reminders.
 */
export function projectDeadlines(context: ProjectContext, calendar: CallCalendar) {
  const { policy } = context;
  const shift = clockStoppedMs(context);
  const yearEnd = (n: number): string => new Date(projectYearEnd(calendar, policy.projectYearLength, n).getTime() + shift).toISOString();
  return {
    application: (): string => amendedUntil(context, 'application') ?? calendar.applicationWindow.closes,
    endorsement: (): string => amendedUntil(context, 'endorsement') ?? calendar.endorsementDeadline,
    /** Law v2 only: v1 projects close their round when the office says so. */
    writtenReview: (): string | undefined => amendedUntil(context, 'writtenReview') ?? context.reviewClosesAt ?? undefined,
    yearEnd,
    progressReport: (year: number): string =>
      amendedUntil(context, 'progressReport', year) ?? subtractDuration(yearEnd(year), policy.progressReportDueBeforeYearEnd).toISOString(),
    closingReport: (): string =>
      amendedUntil(context, 'closingReport') ?? addDuration(yearEnd(context.application.yearsRequested), policy.closingReportGrace).toISOString(),
  };
}

/**
 * The deadlines the project's current state waits on, earliest first. Pure data from the call
 * calendar and the policy: the hosting workflow turns the first into a Temporal timer.
 */
export function pendingDeadlines(snapshot: ProjectSnapshot, calendar: CallCalendar): Deadline[] {
  const { context } = snapshot;
  const due = projectDeadlines(context, calendar);
  const deadlines: Deadline[] = [];
  if (snapshot.matches('draft')) {
    deadlines.push({ event: 'deadline.application', at: due.application(), label: 'application deadline' });
  }
  if (snapshot.matches('submitted')) {
    deadlines.push({ event: 'deadline.endorsement', at: due.endorsement(), label: 'institution endorsement deadline' });
  }
  const reviewCloses = due.writtenReview();
  if (snapshot.matches({ review: 'writtenReview' }) && reviewCloses && !context.reviewClosedAt) {
    deadlines.push({ event: 'deadline.writtenReview', at: reviewCloses, label: 'written review' });
  }
  if (snapshot.matches('execution')) {
    deadlines.push({ event: 'year.end', at: due.yearEnd(context.projectYear), label: `end of project year ${context.projectYear}` });
    if (snapshot.matches({ execution: { progressReport: 'awaiting' } }) && !context.reportPastDue) {
      deadlines.push({ event: 'deadline.progressReport', at: due.progressReport(context.reportYear), label: `progress report of year ${context.reportYear}` });
    }
  }
  if (snapshot.matches({ closing: 'awaitingReport' }) && !context.closingPastDue) {
    deadlines.push({ event: 'deadline.closingReport', at: due.closingReport(), label: 'closing report' });
  }
  return deadlines.sort((a, b) => byCodePoint(a.at, b.at));
}

export interface FiredDeadline {
  deadline: Deadline;
  event: ProjectEvent;
  before: ProjectSnapshot;
  after: ProjectSnapshot;
}

const SYSTEM = { role: 'system', id: 'deadline-timer' } as const;

/**
 * Applies, in order, every deadline that has passed by `now`. A command arriving a moment after
 * a deadline meets the state the deadline made, whether or not its timer has fired yet.
 */
export function fireDueDeadlines(snapshot: ProjectSnapshot, calendar: CallCalendar, now: string): FiredDeadline[] {
  const fired: FiredDeadline[] = [];
  let current = snapshot;
  // A deadline moves the project on; a bounded loop guards against a policy that would not.
  for (let i = 0; i < 50; i++) {
    const next = pendingDeadlines(current, calendar)[0];
    if (!next || next.at > now) break;
    const event = (
      next.event === 'year.end' ? { type: next.event, actor: SYSTEM, at: next.at } : { type: next.event, actor: SYSTEM, at: next.at, deadline: next.at }
    ) as ProjectEvent;
    if (!current.can(event)) break;
    const after = apply(current, event);
    fired.push({ deadline: next, event, before: current, after });
    current = after;
  }
  return fired;
}

/**
 * The project's version at `now` (what an If-Match names): its `recorded` transitions and one more
 * for each deadline due by then, recorded or not, so a state read before a deadline passed is stale
 * once it has.
 */
export const versionAt = (snapshot: ProjectSnapshot, calendar: CallCalendar, recorded: number, now: string): number =>
  recorded + fireDueDeadlines(snapshot, calendar, now).length;
