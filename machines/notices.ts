import type { Call } from '../domain/call';
import { addDuration, subtractDuration } from '../domain/duration';
import type { NoticeKind, NoticeVariables, NotificationPolicy } from '../domain/notification-policy';
import type { ProjectEvent } from '../domain/project-events';
import { projectDeadlines, projectYearEnd } from './deadlines';
import type { ProjectSnapshot } from './judge';

/**
 * A notice the project owes someone: which template, for whom (the policy names the roles), with
 * which data. Pure: the hosting workflow resolves addresses and sends it through an activity.
 */
export interface PlannedNotice {
  /** Unique within the project and stable under replay: half of the idempotency key. */
  id: string;
  kind: NoticeKind;
  variables: NoticeVariables;
  /** Reviewer notices go to these assigned reviewers only. */
  reviewerIds?: string[];
}

/** A reminder or overdue notice, due at an instant while its deadline is still open. */
export interface PlannedReminder extends PlannedNotice {
  at: string;
  /** The deadline it belongs to: of several due at once, only the latest is sent. */
  deadline: string;
}

const ntd = (amount: number): string => `NT$${amount.toLocaleString('en-US')}`;

function decisionVariables(snapshot: ProjectSnapshot): NoticeVariables {
  const decision = snapshot.context.decision;
  if (decision?.outcome === 'approved') {
    const amounts = decision.amountsNtd.map(ntd);
    return {
      outcome: { 'zh-TW': '核定補助', en: 'approved' },
      detail: {
        'zh-TW': `核定補助 ${amounts.length} 年，各年度金額依序為 ${amounts.join('、')}。`,
        en: `Funded for ${amounts.length} year(s): ${amounts.join(', ')} a year in turn.`,
      },
    };
  }
  const reason = decision?.outcome === 'rejected' ? decision.reason : (snapshot.context.endReason ?? '');
  return { outcome: { 'zh-TW': '未獲補助', en: 'not funded' }, detail: { 'zh-TW': `理由：${reason}`, en: `Reason: ${reason}` } };
}

/** The site-visit window of the current project year: the call's window moved on by whole project years. */
function siteVisitWindow(call: Call, projectYear: number): { windowOpens: string; windowCloses: string } {
  const { calendar, policy } = call;
  let windowYear = 1;
  while (windowYear < 10 && projectYearEnd(calendar, policy.projectYearLength, windowYear).toISOString() <= calendar.siteVisitWindow.opens) windowYear++;
  const shift = (instant: string): string => {
    let at = new Date(instant);
    for (let n = windowYear; n < projectYear; n++) at = addDuration(at, policy.projectYearLength);
    return at.toISOString();
  };
  return { windowOpens: shift(calendar.siteVisitWindow.opens), windowCloses: shift(calendar.siteVisitWindow.closes) };
}

/** When the written review of this project is due: the review's start plus the policy's review period. */
export const writtenReviewDeadline = (call: Call, reviewStartedAt: string): string =>
  addDuration(reviewStartedAt, call.policy.writtenReviewPeriod).toISOString();

/**
 * The notices one accepted transition causes (the reminders are `reminderSchedule`'s). `seq` is the
 * transition's place in the project's log, which makes each notice's id unique and stable.
 */
export function noticesForTransition(
  seq: number,
  event: ProjectEvent,
  after: ProjectSnapshot,
  call: Call,
  reviewStartedAt: string | undefined,
): PlannedNotice[] {
  const { context } = after;
  const notice = (kind: NoticeKind, variables: NoticeVariables = {}, reviewerIds?: string[]): PlannedNotice[] => [
    { id: `t${seq}-${kind}`, kind, variables, ...(reviewerIds && { reviewerIds }) },
  ];
  switch (event.type) {
    case 'application.submit':
      return notice('applicationReceived', { deadline: projectDeadlines(context, call.calendar).endorsement() });
    case 'endorsement.record':
      return notice('endorsementReceived', { rosterId: event.rosterId });
    case 'reviewer.assign':
      // Assigned in a round the call tells each reviewer of in one mail: nothing of the project's own.
      if (event.roundNotice) return [];
      return reviewStartedAt ? notice('reviewAssigned', { deadline: writtenReviewDeadline(call, reviewStartedAt) }, [event.reviewerId]) : [];
    case 'presentation.schedule':
      return notice('presentationInvitation', { slot: event.slot, venue: event.venue });
    case 'decision.announce':
      return notice('decision', decisionVariables(after));
    case 'contract.issue':
      return notice('contractReady', { contractNumber: event.contractNumber });
    case 'tranche.pay': {
      const paid = context.disbursements.at(-1)!;
      return notice('tranchePaid', { year: paid.year, tranche: paid.tranche, amount: paid.amountNtd, paymentReference: paid.paymentReference });
    }
    case 'progressReport.accept':
      return notice('progressReportAccepted', { year: context.acceptedReports.at(-1)! });
    case 'progressReport.return':
      return notice('progressReportReturned', { year: context.reports.at(-1)?.year ?? context.reportYear, reason: event.reason });
    case 'siteVisit.select':
      return notice('siteVisitSelected', siteVisitWindow(call, context.projectYear));
    case 'closingReport.accept':
      return notice('projectClosed');
    case 'exhibition.select':
      return notice('exhibitionSelected', {
        year: event.year,
        rank: event.rank,
        windowOpens: call.calendar.resultsExhibition.opens,
        windowCloses: call.calendar.resultsExhibition.closes,
      });
    case 'year.end': {
      // Law v2: a request still unpaid when its year ended is carried or refused; the institution is told which.
      const carried = context.carriedTranche?.settledAt === event.at ? context.carriedTranche : undefined;
      const refused = context.refusedTranches?.at(-1)?.settledAt === event.at ? context.refusedTranches.at(-1) : undefined;
      const settled = carried ?? refused;
      if (!settled) return [];
      const outcome = carried
        ? { 'zh-TW': '仍將撥付，並計入該年度', en: "it will still be paid, as that year's money" }
        : { 'zh-TW': '依計畫規定不予撥付', en: "it is refused, as the programme's rules say" };
      return notice('trancheUnpaidAtYearEnd', { year: settled.year, amount: settled.amountNtd, deadline: event.at, outcome });
    }
    default:
      return [];
  }
}

type Schedule = NotificationPolicy['reminders']['progressReport'];

/** Reminders before a deadline and numbered overdue notices after it. */
function series(
  deadline: string,
  schedule: Schedule,
  kinds: { before: NoticeKind; after?: NoticeKind },
  variables: NoticeVariables,
  reviewerIds?: string[],
): PlannedReminder[] {
  const planned = (kind: NoticeKind, at: Date, offset: string, extra: NoticeVariables = {}): PlannedReminder => ({
    id: `r-${kind}-${deadline}-${offset}`,
    kind,
    at: at.toISOString(),
    deadline,
    variables: { ...variables, ...extra, deadline },
    ...(reviewerIds && { reviewerIds }),
  });
  const before = schedule.before.map((offset) => planned(kinds.before, subtractDuration(deadline, offset), `-${offset}`));
  const after = kinds.after ? schedule.after.map((offset, i) => planned(kinds.after!, addDuration(deadline, offset), `+${offset}`, { notice: i + 1 })) : [];
  return [...before, ...after];
}

/**
 * Every reminder the project's current state calls for, from the call calendar, the programme
 * policy and the notification policy. A state that moves on (the report is in) drops its reminders.
 */
export function reminderSchedule(snapshot: ProjectSnapshot, call: Call, reviewStartedAt: string | undefined): PlannedReminder[] {
  const notifications = call.notifications;
  if (!notifications) return [];
  const { context } = snapshot;
  const { reminders } = notifications;
  const due = projectDeadlines(context, call.calendar);
  if (snapshot.matches('submitted')) {
    return series(due.endorsement(), reminders.endorsement, { before: 'endorsementMissing' }, {});
  }
  if (snapshot.matches({ review: 'writtenReview' }) && reviewStartedAt) {
    const owing = context.reviewers.filter((id) => !context.reviews.some((r) => r.reviewerId === id));
    // A closed round (law v2) takes no more reviews: nobody is reminded of one.
    if (owing.length === 0 || context.reviewClosedAt) return [];
    return series(
      due.writtenReview() ?? writtenReviewDeadline(call, reviewStartedAt),
      reminders.writtenReview,
      { before: 'reviewReminder', after: 'reviewReminder' },
      {},
      owing,
    );
  }
  if (snapshot.matches({ execution: { progressReport: 'awaiting' } }) || snapshot.matches({ execution: { progressReport: 'overdue' } })) {
    return series(
      due.progressReport(context.reportYear),
      reminders.progressReport,
      { before: 'progressReportDue', after: 'progressReportOverdue' },
      { year: context.reportYear },
    );
  }
  if (snapshot.matches({ closing: 'awaitingReport' }) || snapshot.matches({ closing: 'overdue' })) {
    return series(due.closingReport(), reminders.closingReport, { before: 'closingReportDue', after: 'closingReportOverdue' }, {});
  }
  return [];
}

/**
 * The reminders to send now: those due and not yet handled. Of several due for one deadline (a
 * worker that was down, a project that entered the state late) only the latest goes out.
 */
export function dueReminders(schedule: PlannedReminder[], handled: ReadonlySet<string>, now: string): { send: PlannedReminder[]; handled: string[] } {
  const due = schedule.filter((r) => r.at <= now && !handled.has(r.id));
  const latest = new Map<string, PlannedReminder>();
  for (const reminder of due) {
    const current = latest.get(reminder.deadline);
    if (!current || reminder.at > current.at) latest.set(reminder.deadline, reminder);
  }
  return { send: [...latest.values()], handled: due.map((r) => r.id) };
}

/** When the next reminder not yet handled falls, if any. */
export function nextReminderAt(schedule: PlannedReminder[], handled: ReadonlySet<string>): string | undefined {
  return schedule
    .filter((r) => !handled.has(r.id))
    .map((r) => r.at)
    .sort()[0];
}
