// The project's law, part one: who may send each event, and the guards and actions every version
// of the chart (machines/project-states.ts) picks from.
import { assign, setup } from 'xstate';
import type { Role } from '../domain/actor';
import type { AmendableDeadline, ProjectEvent, ProjectEventOf, ProjectEventType } from '../domain/project-events';
import { addDuration } from '../domain/duration';
import { formatRocDate } from '../domain/roc-date';
import { checkApplication, checkApprovedAmounts, countKpiMembers, trancheCapNtd } from '../domain/rules';
import { defaultTranchePolicy } from '../domain/policy';
import { acceptedKpis } from './kpis';
import { trancheWindow } from './project-clock';
import type { ProjectContext, ProjectInput } from './project-context';
import type { DocumentKind } from '../domain/documents';
import { attachable } from './documents';

/** Who may send each event. `system` is the deadline timers; `auditor` sends nothing. */
export const projectEventRoles: Record<ProjectEventType, readonly Role[]> = {
  'application.update': ['pi'],
  'application.submit': ['pi'],
  'application.withdraw': ['pi'],
  'endorsement.record': ['institution'],
  'review.start': ['office'],
  'reviewer.assign': ['office'],
  'review.record': ['reviewer'],
  'review.decline': ['reviewer'],
  'review.close': ['office'],
  'presentation.invite': ['office'],
  'presentation.waive': ['office'],
  'presentation.schedule': ['office'],
  'presentation.record': ['office'],
  'decision.record': ['office'],
  'decision.announce': ['office'],
  'contract.issue': ['office'],
  'contract.sign': ['institution'],
  'consent.sign': ['pi'],
  'tranche.request': ['institution'],
  'tranche.pay': ['office'],
  'progressReport.submit': ['pi'],
  'progressReport.accept': ['office'],
  'progressReport.return': ['office'],
  'siteVisit.select': ['office'],
  'siteVisit.record': ['office'],
  'closingReport.submit': ['pi'],
  'closingReport.accept': ['office'],
  'closingReport.return': ['office'],
  'project.suspend': ['office'],
  'project.resume': ['office'],
  'project.terminate': ['office'],
  'deadline.amend': ['office'],
  'exhibition.select': ['office'],
  'document.attach': ['pi', 'institution'],
  'deadline.application': ['system'],
  'deadline.endorsement': ['system'],
  'deadline.writtenReview': ['system'],
  'deadline.progressReport': ['system'],
  'deadline.closingReport': ['system'],
  'year.end': ['system'],
};

type E<T extends ProjectEventType> = ProjectEventOf<T>;
const as = <T extends ProjectEventType>(event: ProjectEvent) => event as E<T>;

const paidInYear = (context: ProjectContext, year: number): number =>
  context.disbursements.filter((d) => d.year === year).reduce((sum, d) => sum + d.amountNtd, 0);

const approvedForYear = (context: ProjectContext, year: number): number =>
  context.decision?.outcome === 'approved' ? (context.decision.amountsNtd[year - 1] ?? 0) : 0;

/** The disbursements after paying `request` as money of project year `year`: its first or second tranche. */
function paid(
  context: ProjectContext,
  e: E<'tranche.pay'>,
  request: NonNullable<ProjectContext['pendingTranche']>,
  year: number,
): ProjectContext['disbursements'] {
  const tranche = context.disbursements.some((d) => d.year === year) ? 2 : 1;
  return [
    ...context.disbursements,
    {
      by: e.actor,
      at: e.at,
      year,
      tranche,
      amountNtd: request.amountNtd,
      requestedBy: request.requestedBy,
      requestedAt: request.requestedAt,
      paymentReference: e.paymentReference,
    },
  ];
}

/** The guards and actions of every version of the law; each version's chart picks its own. */
export const projectLaw = setup({
  types: {
    context: {} as ProjectContext,
    events: {} as ProjectEvent,
    input: {} as ProjectInput,
  },
  guards: {
    applicationIsEligible: ({ context }) => checkApplication(context.application, context.policy).length === 0,
    // A reviewer who stepped down from the application is not assigned to it again.
    reviewerNotYetAssigned: ({ context, event }) => {
      const { reviewerId } = as<'reviewer.assign'>(event);
      return !context.reviewers.includes(reviewerId) && !(context.declinedReviews ?? []).some((d) => d.reviewerId === reviewerId);
    },
    isAssignedReviewerWithoutReview: ({ context, event }) =>
      context.reviewers.includes(event.actor.id) && !context.reviews.some((r) => r.reviewerId === event.actor.id),
    isRejection: ({ event }) => as<'decision.record'>(event).outcome === 'rejected',
    decisionWithinLimits: ({ context, event }) => {
      const decision = as<'decision.record'>(event);
      return decision.outcome === 'rejected' || checkApprovedAmounts(decision.amountsNtd, context.application, context.policy).length === 0;
    },
    decisionIsApproval: ({ context }) => context.decision?.outcome === 'approved',
    previousProgressReportAccepted: ({ context }) => context.projectYear <= 1 || context.acceptedReports.includes(context.projectYear - 1),
    trancheWithinApproval: ({ context, event }) =>
      paidInYear(context, context.projectYear) + as<'tranche.request'>(event).amountNtd <= approvedForYear(context, context.projectYear),
    isFinalYear: ({ context }) => context.projectYear >= context.application.yearsRequested,
    progressReportDueThisYear: ({ context }) => context.reportYear < context.application.yearsRequested,
    acceptedReportIsLate: ({ context }) => context.reportYear < context.projectYear,
    reportPastDue: ({ context }) => context.reportPastDue,
    closingPastDue: ({ context }) => context.closingPastDue,
    // Law v2.
    isEndorsed: ({ context }) => context.endorsement !== null,
    reviewRoundOpen: ({ context }) => !context.reviewClosedAt,
    /** An approval follows the presentation review, or the office's recorded waiver of it. */
    approvalFollowsPresentation: ({ context, event }) =>
      as<'decision.record'>(event).outcome === 'rejected' || context.presentation?.panelScore !== undefined || !!context.presentationWaiver,
    /**
     * The request falls in one of these windows of the current project year (unless the policy makes
     * windows advisory). A first tranche missed in its window may still come in the second one.
     */
    inTrancheWindow: ({ context, event }, params: { windows: readonly (0 | 1)[] }) => {
      const rules = context.policy.tranches ?? defaultTranchePolicy;
      if (rules.windows === 'advisory') return true;
      return params.windows.some((i) => {
        const window = trancheWindow(context, i);
        return !!window && event.at >= window.opens && event.at < window.closes;
      });
    },
    /** The request takes no more than its tranche's share of the year's approved amount. */
    withinTrancheShare: ({ context, event }, params: { tranche: 0 | 1 }) =>
      as<'tranche.request'>(event).amountNtd <=
      trancheCapNtd(approvedForYear(context, context.projectYear), (context.policy.tranches ?? defaultTranchePolicy).maxShares, params.tranche),
    hasCarriedTranche: ({ context }) => !!context.carriedTranche,
    /** Selected on a year whose results were accepted, and not yet for that year. */
    hasAcceptedResultsOf: ({ context, event }) => {
      const { year } = as<'exhibition.select'>(event);
      return acceptedKpis(context).some((k) => k.year === year) && !(context.exhibitions ?? []).some((x) => x.year === year);
    },
    /** Law v3: a document of a kind this state takes, from the role that attaches it, in a format and size the call's rules allow. */
    attaches: ({ context, event }, params: { kinds: readonly DocumentKind[] }) => {
      const e = as<'document.attach'>(event);
      return params.kinds.includes(e.kind) && attachable(context.policy, e, e.actor.role);
    },
    /** The amendment moves one of the deadlines this state waits on, to a time still to come. */
    amends: ({ event }, params: { deadlines: readonly AmendableDeadline[] }) => {
      const e = as<'deadline.amend'>(event);
      return params.deadlines.includes(e.deadline) && e.until > e.at;
    },
  },
  actions: {
    updateApplication: assign({ application: ({ event }) => as<'application.update'>(event).application }),
    recordEndorsement: assign({
      endorsement: ({ event }) => {
        const e = as<'endorsement.record'>(event);
        return { by: e.actor, at: e.at, rosterId: e.rosterId, letterReference: e.letterReference };
      },
    }),
    assignReviewer: assign({ reviewers: ({ context, event }) => [...context.reviewers, as<'reviewer.assign'>(event).reviewerId] }),
    recordReview: assign({
      reviews: ({ context, event }) => {
        const e = as<'review.record'>(event);
        return [...context.reviews, { by: e.actor, at: e.at, reviewerId: e.actor.id, score: e.score, recommendation: e.recommendation, comments: e.comments }];
      },
    }),
    declineReview: assign(({ context, event }) => {
      const e = as<'review.decline'>(event);
      return {
        reviewers: context.reviewers.filter((id) => id !== e.actor.id),
        declinedReviews: [...(context.declinedReviews ?? []), { by: e.actor, at: e.at, reviewerId: e.actor.id, reason: e.reason, conflict: e.conflict }],
      };
    }),
    scheduleSlot: assign({
      presentation: ({ event }) => {
        const e = as<'presentation.schedule'>(event);
        return { by: e.actor, at: e.at, slot: e.slot, venue: e.venue };
      },
    }),
    recordPanel: assign({
      presentation: ({ context, event }) => {
        const e = as<'presentation.record'>(event);
        return { ...context.presentation, by: e.actor, at: e.at, panelScore: e.panelScore, comments: e.comments };
      },
    }),
    recordDecision: assign({
      decision: ({ event }) => {
        const e = as<'decision.record'>(event);
        return e.outcome === 'approved'
          ? { by: e.actor, at: e.at, outcome: 'approved', amountsNtd: e.amountsNtd }
          : { by: e.actor, at: e.at, outcome: 'rejected', reason: e.reason };
      },
    }),
    recordRejectionReason: assign({
      endReason: ({ context }) => (context.decision?.outcome === 'rejected' ? context.decision.reason : null),
    }),
    issueContract: assign({ contractNumber: ({ event }) => as<'contract.issue'>(event).contractNumber }),
    startFirstYear: assign({ projectYear: 1, reportYear: 1, reportPastDue: false }),
    startNextYear: assign({ projectYear: ({ context }) => context.projectYear + 1, pendingTranche: null }),
    requestTranche: assign({
      pendingTranche: ({ event }) => {
        const e = as<'tranche.request'>(event);
        return { amountNtd: e.amountNtd, requestedBy: e.actor, requestedAt: e.at };
      },
    }),
    payTranche: assign(({ context, event }) => ({
      pendingTranche: null,
      disbursements: paid(context, as<'tranche.pay'>(event), context.pendingTranche!, context.projectYear),
    })),
    submitReport: assign({
      reports: ({ context, event }) => {
        const e = as<'progressReport.submit'>(event);
        return [...context.reports, { by: e.actor, at: e.at, year: context.reportYear, summary: e.summary, outcome: 'submitted' as const, note: '' }];
      },
    }),
    /** Law v2: the report's KPIs are kept, and its members counted by the programme's rules. */
    submitReportWithKpis: assign({
      reports: ({ context, event }) => {
        const e = as<'progressReport.submit'>(event);
        // The member list is counted, not kept: resubmissions would pile copies of it into every year's carried state (the ledger keeps the payload).
        const kpis =
          e.kpis &&
          (({ memberList, ...stated }) => ({ ...stated, year: context.reportYear, countedMembers: memberList ? countKpiMembers(memberList) : null }))(e.kpis);
        return [
          ...context.reports,
          { by: e.actor, at: e.at, year: context.reportYear, summary: e.summary, outcome: 'submitted' as const, note: '', ...(kpis && { kpis }) },
        ];
      },
    }),
    acceptReport: assign(({ context, event }) => {
      const e = as<'progressReport.accept'>(event);
      return {
        acceptedReports: [...context.acceptedReports, context.reportYear],
        reports: [...context.reports, { by: e.actor, at: e.at, year: context.reportYear, summary: '', outcome: 'accepted' as const, note: e.comments }],
      };
    }),
    returnReport: assign({
      reports: ({ context, event }) => {
        const e = as<'progressReport.return'>(event);
        return [...context.reports, { by: e.actor, at: e.at, year: context.reportYear, summary: '', outcome: 'returned' as const, note: e.reason }];
      },
    }),
    markReportPastDue: assign({ reportPastDue: true }),
    /** The next outstanding report is this year's: the late one has just been accepted. */
    catchUpReportYear: assign({ reportYear: ({ context }) => context.projectYear, reportPastDue: false }),
    advanceReportYear: assign({ reportYear: ({ context }) => context.reportYear + 1, reportPastDue: false }),
    recordSiteVisit: assign({
      siteVisits: ({ context, event }) => {
        const e = as<'siteVisit.record'>(event);
        return [...context.siteVisits, { by: e.actor, at: e.at, year: context.projectYear, visitedOn: e.visitedOn, suggestions: e.suggestions }];
      },
    }),
    submitClosingReport: assign({
      closingReports: ({ context, event }) => {
        const e = as<'closingReport.submit'>(event);
        return [...context.closingReports, { by: e.actor, at: e.at, year: context.projectYear, summary: e.summary, outcome: 'submitted' as const, note: '' }];
      },
    }),
    acceptClosingReport: assign({
      closingReports: ({ context, event }) => {
        const e = as<'closingReport.accept'>(event);
        return [...context.closingReports, { by: e.actor, at: e.at, year: context.projectYear, summary: '', outcome: 'accepted' as const, note: e.comments }];
      },
    }),
    returnClosingReport: assign({
      closingReports: ({ context, event }) => {
        const e = as<'closingReport.return'>(event);
        return [...context.closingReports, { by: e.actor, at: e.at, year: context.projectYear, summary: '', outcome: 'returned' as const, note: e.reason }];
      },
    }),
    markClosingPastDue: assign({ closingPastDue: true }),
    // Law v2.
    closeReviewRound: assign({ reviewClosedAt: ({ event }) => event.at }),
    recordReviewPeriod: assign({
      reviewClosesAt: ({ context, event }) => as<'review.start'>(event).closes ?? addDuration(event.at, context.policy.writtenReviewPeriod).toISOString(),
    }),
    recordWaiver: assign({
      presentationWaiver: ({ event }) => {
        const e = as<'presentation.waive'>(event);
        return { by: e.actor, at: e.at, reason: e.reason };
      },
    }),
    /** The announcement decides a project nobody decided: rejected, with the step it stopped at. */
    rejectUndecided: assign(({ event }, params: { reason: string }) => ({
      decision: { by: event.actor, at: event.at, outcome: 'rejected' as const, reason: params.reason },
      endReason: params.reason,
    })),
    recordAmendment: assign({
      deadlineAmendments: ({ context, event }) => {
        const e = as<'deadline.amend'>(event);
        const year = e.deadline === 'progressReport' ? { year: context.reportYear } : {};
        return [
          ...(context.deadlineAmendments ?? []),
          { by: e.actor, at: e.at, deadline: e.deadline, ...year, until: e.until, reason: e.reason, ...(e.scope && { scope: e.scope }) },
        ];
      },
    }),
    /** The year ends on an unpaid request: carried to be paid afterwards, or refused, as the policy says. */
    settlePendingTranche: assign(({ context, event }) => {
      if (!context.pendingTranche) return {};
      const settled = { ...context.pendingTranche, year: context.projectYear, settledAt: event.at };
      return (context.policy.tranches ?? defaultTranchePolicy).pendingAtYearEnd === 'carry'
        ? { pendingTranche: null, carriedTranche: settled }
        : { pendingTranche: null, refusedTranches: [...(context.refusedTranches ?? []), settled] };
    }),
    payCarriedTranche: assign(({ context, event }) => ({
      carriedTranche: null,
      disbursements: paid(context, as<'tranche.pay'>(event), context.carriedTranche!, context.carriedTranche!.year),
    })),
    recordExhibition: assign({
      exhibitions: ({ context, event }) => {
        const e = as<'exhibition.select'>(event);
        return [...(context.exhibitions ?? []), { by: e.actor, at: e.at, year: e.year, rank: e.rank }];
      },
    }),
    recordDocument: assign({
      documents: ({ context, event }) => {
        const { type: _type, actor, at, ...document } = as<'document.attach'>(event);
        return [...(context.documents ?? []), { ...document, by: actor, at, year: context.projectYear }];
      },
    }),
    stopClock: assign({ suspendedAt: ({ event }) => event.at }),
    restartClock: assign(({ context, event }) => ({
      suspendedAt: null,
      clockStoppedMs: (context.clockStoppedMs ?? 0) + Math.max(0, Date.parse(event.at) - Date.parse(context.suspendedAt ?? event.at)),
    })),
    recordEndReason: assign({
      endReason: ({ event }) => {
        switch (event.type) {
          case 'deadline.application':
            return `not submitted by the application deadline, ${formatRocDate(event.deadline)}`;
          case 'deadline.endorsement':
            return `not endorsed by the institution endorsement deadline, ${formatRocDate(event.deadline)}`;
          case 'application.withdraw':
            return event.reason;
          case 'project.terminate':
            return event.reason;
          default:
            return null;
        }
      },
    }),
  },
});

/** The versions of the project's law (machines/project-machine.ts says how one follows another). */
export type LawVersion = 1 | 2 | 3;
