import type { CallCalendar } from '../domain/call';
import { addDuration, subtractDuration } from '../domain/duration';
import type { ProjectEvent } from '../domain/project-events';
import { apply, type ProjectSnapshot } from './judge';
import { byCodePoint } from '../domain/order';

export type DeadlineEvent = 'deadline.application' | 'deadline.endorsement' | 'deadline.progressReport' | 'deadline.closingReport' | 'year.end';

export type Deadline = {
  event: DeadlineEvent;
  /** UTC ISO instant. */
  at: string;
  /** What a person calls it. */
  label: string;
};

/** When project year `n` starts: the call's first year start plus n−1 project-year lengths. */
export function projectYearStart(calendar: CallCalendar, yearLength: string, n: number): Date {
  let start = new Date(calendar.firstProjectYearStarts);
  for (let i = 1; i < n; i++) start = addDuration(start, yearLength);
  return start;
}

export const projectYearEnd = (calendar: CallCalendar, yearLength: string, n: number): Date =>
  projectYearStart(calendar, yearLength, n + 1);

/**
 * The deadlines the project's current state waits on, earliest first. Pure data from the call
 * calendar and the policy: the hosting workflow turns the first into a Temporal timer.
 */
export function pendingDeadlines(snapshot: ProjectSnapshot, calendar: CallCalendar): Deadline[] {
  const { context } = snapshot;
  const { policy } = context;
  const yearEnd = (n: number) => projectYearEnd(calendar, policy.projectYearLength, n).toISOString();
  const deadlines: Deadline[] = [];
  if (snapshot.matches('draft')) {
    deadlines.push({ event: 'deadline.application', at: calendar.applicationWindow.closes, label: 'application deadline' });
  }
  if (snapshot.matches('submitted')) {
    deadlines.push({ event: 'deadline.endorsement', at: calendar.endorsementDeadline, label: 'institution endorsement deadline' });
  }
  if (snapshot.matches('execution')) {
    deadlines.push({ event: 'year.end', at: yearEnd(context.projectYear), label: `end of project year ${context.projectYear}` });
    if (snapshot.matches({ execution: { progressReport: 'awaiting' } }) && !context.reportPastDue) {
      const due = subtractDuration(yearEnd(context.reportYear), policy.progressReportDueBeforeYearEnd).toISOString();
      deadlines.push({ event: 'deadline.progressReport', at: due, label: `progress report of year ${context.reportYear}` });
    }
  }
  if (snapshot.matches({ closing: 'awaitingReport' }) && !context.closingPastDue) {
    const due = addDuration(yearEnd(context.application.yearsRequested), policy.closingReportGrace).toISOString();
    deadlines.push({ event: 'deadline.closingReport', at: due, label: 'closing report' });
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
    const event = (next.event === 'year.end'
      ? { type: next.event, actor: SYSTEM, at: next.at }
      : { type: next.event, actor: SYSTEM, at: next.at, deadline: next.at }) as ProjectEvent;
    if (!current.can(event)) break;
    const after = apply(current, event);
    fired.push({ deadline: next, event, before: current, after });
    current = after;
  }
  return fired;
}
