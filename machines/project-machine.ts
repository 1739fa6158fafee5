import { and, assign, not, setup, type SnapshotFrom } from 'xstate';
import type { Role } from '../domain/actor';
import type { AmendableDeadline, ProjectEvent, ProjectEventOf, ProjectEventType } from '../domain/project-events';
import { addDuration } from '../domain/duration';
import { formatRocDate } from '../domain/roc-date';
import { checkApplication, checkApprovedAmounts, countKpiMembers, trancheCapNtd } from '../domain/rules';
import { defaultTranchePolicy } from '../domain/policy';
import { acceptedKpis } from './kpis';
import { trancheWindow } from './project-clock';
import type { ProjectContext, ProjectInput } from './project-context';

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
function paid(context: ProjectContext, e: E<'tranche.pay'>, request: NonNullable<ProjectContext['pendingTranche']>, year: number): ProjectContext['disbursements'] {
  const tranche = context.disbursements.some((d) => d.year === year) ? 2 : 1;
  return [
    ...context.disbursements,
    { by: e.actor, at: e.at, year, tranche, amountNtd: request.amountNtd, requestedBy: request.requestedBy, requestedAt: request.requestedAt, paymentReference: e.paymentReference },
  ];
}

/** The guards and actions of every version of the law; each version's chart picks its own. */
const projectLaw = setup({
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
    previousProgressReportAccepted: ({ context }) =>
      context.projectYear <= 1 || context.acceptedReports.includes(context.projectYear - 1),
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
      as<'tranche.request'>(event).amountNtd <= trancheCapNtd(approvedForYear(context, context.projectYear), (context.policy.tranches ?? defaultTranchePolicy).maxShares, params.tranche),
    hasCarriedTranche: ({ context }) => !!context.carriedTranche,
    /** Selected on a year whose results were accepted, and not yet for that year. */
    hasAcceptedResultsOf: ({ context, event }) => {
      const { year } = as<'exhibition.select'>(event);
      return acceptedKpis(context).some((k) => k.year === year) && !(context.exhibitions ?? []).some((x) => x.year === year);
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
        const kpis = e.kpis && (({ memberList, ...stated }) => ({ ...stated, year: context.reportYear, countedMembers: memberList ? countKpiMembers(memberList) : null }))(e.kpis);
        return [...context.reports, { by: e.actor, at: e.at, year: context.reportYear, summary: e.summary, outcome: 'submitted' as const, note: '', ...(kpis && { kpis }) }];
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
        return [...(context.deadlineAmendments ?? []), { by: e.actor, at: e.at, deadline: e.deadline, ...year, until: e.until, reason: e.reason, ...(e.scope && { scope: e.scope }) }];
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
    stopClock: assign({ suspendedAt: ({ event }) => event.at }),
    restartClock: assign(({ context, event }) => ({
      suspendedAt: null,
      clockStoppedMs: (context.clockStoppedMs ?? 0) + Math.max(0, Date.parse(event.at) - Date.parse(context.suspendedAt ?? event.at)),
    })),
    recordEndReason: assign({
      endReason: ({ event }) => {
        switch (event.type) {
          case 'deadline.application': return `not submitted by the application deadline, ${formatRocDate(event.deadline)}`;
          case 'deadline.endorsement': return `not endorsed by the institution endorsement deadline, ${formatRocDate(event.deadline)}`;
          case 'application.withdraw': return event.reason;
          case 'project.terminate': return event.reason;
          default: return null;
        }
      },
    }),
  },
});

/** What law v2 records that v1 did not, as a project starts (or migrates) with it. */
export const lawV2Records = (firstProjectYearStarts: string): Required<Pick<ProjectContext,
  'firstProjectYearStarts' | 'reviewClosesAt' | 'reviewClosedAt' | 'presentationWaiver' | 'deadlineAmendments' | 'carriedTranche' | 'refusedTranches' | 'exhibitions' | 'suspendedAt' | 'clockStoppedMs'
>> => ({
  firstProjectYearStarts,
  reviewClosesAt: null,
  reviewClosedAt: null,
  presentationWaiver: null,
  deadlineAmendments: [],
  carriedTranche: null,
  refusedTranches: [],
  exhibitions: [],
  suspendedAt: null,
  clockStoppedMs: 0,
});

/**
 * The versions of the project's law. A project keeps the version it started with until its next
 * project-year boundary, where `migrateSnapshot` moves it to the current one (projects live for
 * years; a history recorded under v1 must replay under v1). A new version is a new number here,
 * the changes behind `law >= n`, and a migration step.
 */
export type LawVersion = 1 | 2;
export const currentLaw: LawVersion = 2;

/**
 * The whole life of one project: application, endorsement, the three review steps, decision,
 * contract, execution year by year (tranches, progress report, site visit in parallel), closing.
 * Pure: no timers, no I/O. Deadlines arrive as `system` events from the hosting workflow.
 *
 * Law v2 (2026-11): an institution may endorse before the PI submits (and amend its roster); the
 * office closes a round (late reviews refused), approves only after the presentation or its
 * recorded waiver, and the announcement decides every project still undecided; the office moves
 * a deadline with a reason; a suspension stops the clock when the policy says so.
 */
function buildProjectMachine(law: LawVersion) {
  const v2 = law >= 2;
  /** Transitions of law v2 and later; absent from v1. */
  const since2 = <const T extends object>(config: T): T | Record<never, never> => (v2 ? config : {});
  const amendable = (...deadlines: AmendableDeadline[]) => ({ type: 'amends' as const, params: { deadlines } });
  const undecided = (reason: string) => ({ target: '#project.rejected' as const, actions: { type: 'rejectUndecided' as const, params: { reason } } });
  // A first tranche missed in its window may still come in the second one.
  const requestWindows: Record<0 | 1, readonly (0 | 1)[]> = { 0: [0, 1], 1: [1] };
  const requestGuard = (tranche: 0 | 1) => v2
    ? and([
      'previousProgressReportAccepted', 'trancheWithinApproval', { type: 'withinTrancheShare', params: { tranche } },
      { type: 'inTrancheWindow', params: { windows: requestWindows[tranche] } },
      // One request at a time: a tranche carried from the year before is paid first.
      not('hasCarriedTranche'),
    ])
    : and(['previousProgressReportAccepted', 'trancheWithinApproval']);
  const decisionGuard = v2 ? and(['decisionWithinLimits', 'approvalFollowsPresentation']) : 'decisionWithinLimits';
  return projectLaw.createMachine({
    id: 'project',
    initial: 'draft',
    context: ({ input }) => ({
      projectId: input.projectId,
      callId: input.callId,
      policy: input.policy,
      application: input.application,
      endorsement: null,
      reviewers: [],
      reviews: [],
      presentation: null,
      decision: null,
      contractNumber: null,
      projectYear: 0,
      pendingTranche: null,
      disbursements: [],
      reportYear: 0,
      reportPastDue: false,
      acceptedReports: [],
      reports: [],
      siteVisits: [],
      closingReports: [],
      closingPastDue: false,
      endReason: null,
      ...since2({ lawVersion: law, ...lawV2Records(input.firstProjectYearStarts) }),
    }),
    states: {
      draft: {
        on: {
          'application.update': { actions: 'updateApplication' },
          'application.submit': v2
            ? [{ guard: and(['applicationIsEligible', 'isEndorsed']), target: 'endorsed' }, { guard: 'applicationIsEligible', target: 'submitted' }]
            : { guard: 'applicationIsEligible', target: 'submitted' },
          'application.withdraw': { target: 'withdrawn', actions: 'recordEndReason' },
          'deadline.application': { target: 'lapsed', actions: 'recordEndReason' },
          // An institution's roster may come before its applicants submit: the endorsement waits for the submission.
          ...since2({
            'endorsement.record': { actions: 'recordEndorsement' },
            'deadline.amend': { guard: amendable('application', 'endorsement'), actions: 'recordAmendment' },
          }),
        },
      },
      submitted: {
        on: {
          'endorsement.record': { target: 'endorsed', actions: 'recordEndorsement' },
          'application.withdraw': { target: 'withdrawn', actions: 'recordEndReason' },
          'deadline.endorsement': { target: 'lapsed', actions: 'recordEndReason' },
          ...since2({ 'deadline.amend': { guard: amendable('endorsement'), actions: 'recordAmendment' } }),
        },
      },
      endorsed: {
        on: {
          'review.start': { target: 'review', ...since2({ actions: 'recordReviewPeriod' }) },
          'application.withdraw': { target: 'withdrawn', actions: 'recordEndReason' },
          ...since2({
            // An amended roster lists the project again: its letter is the latest.
            'endorsement.record': { actions: 'recordEndorsement' },
            'decision.announce': undecided('not reviewed before the announcement'),
          }),
        },
      },
      review: {
        initial: 'writtenReview',
        on: {
          'application.withdraw': { target: 'withdrawn', actions: 'recordEndReason' },
        },
        states: {
          writtenReview: {
            on: {
              'reviewer.assign': { guard: v2 ? and(['reviewerNotYetAssigned', 'reviewRoundOpen']) : 'reviewerNotYetAssigned', actions: 'assignReviewer' },
              'review.record': { guard: v2 ? and(['isAssignedReviewerWithoutReview', 'reviewRoundOpen']) : 'isAssignedReviewerWithoutReview', actions: 'recordReview' },
              'presentation.invite': { target: 'presentationReview' },
              // Not invited to present: the office may reject straight from the written review.
              'decision.record': { guard: 'isRejection', target: 'finalDecision.decided', actions: 'recordDecision' },
              ...since2({
                'review.close': { guard: 'reviewRoundOpen', actions: 'closeReviewRound' },
                'review.decline': { guard: and(['isAssignedReviewerWithoutReview', 'reviewRoundOpen']), actions: 'declineReview' },
                'deadline.writtenReview': { guard: 'reviewRoundOpen', actions: 'closeReviewRound' },
                'deadline.amend': { guard: and(['reviewRoundOpen', amendable('writtenReview')]), actions: 'recordAmendment' },
                'presentation.waive': { target: 'finalDecision', actions: 'recordWaiver' },
                'decision.announce': undecided('not invited to the presentation review'),
              }),
            },
          },
          presentationReview: {
            initial: 'invited',
            on: {
              ...since2({
                'decision.announce': undecided('no presentation recorded before the announcement'),
                // The presentation cannot be held (the alliance is abroad, the panel could not meet): decided without it, with the reason.
                'presentation.waive': { target: '#project.review.finalDecision', actions: 'recordWaiver' },
              }),
            },
            states: {
              invited: { on: { 'presentation.schedule': { target: 'scheduled', actions: 'scheduleSlot' } } },
              scheduled: { on: { 'presentation.record': { target: '#project.review.finalDecision', actions: 'recordPanel' } } },
            },
          },
          finalDecision: {
            initial: 'pending',
            states: {
              pending: {
                on: {
                  'decision.record': { guard: decisionGuard, target: 'decided', actions: 'recordDecision' },
                  ...since2({ 'decision.announce': undecided('no decision recorded before the announcement') }),
                },
              },
              decided: {
                on: {
                  'decision.record': { guard: decisionGuard, target: 'decided', actions: 'recordDecision' },
                  'decision.announce': [
                    { guard: 'decisionIsApproval', target: '#project.approved' },
                    { target: '#project.rejected', actions: 'recordRejectionReason' },
                  ],
                },
              },
            },
          },
        },
      },
      approved: {
        on: {
          'contract.issue': { target: 'contracting', actions: 'issueContract' },
          'project.terminate': { target: 'terminated', actions: 'recordEndReason' },
        },
      },
      contracting: {
        type: 'parallel',
        onDone: { target: 'execution', actions: 'startFirstYear' },
        on: { 'project.terminate': { target: 'terminated', actions: 'recordEndReason' } },
        states: {
          contract: {
            initial: 'unsigned',
            states: { unsigned: { on: { 'contract.sign': 'signed' } }, signed: { type: 'final' } },
          },
          consent: {
            initial: 'unsigned',
            states: { unsigned: { on: { 'consent.sign': 'signed' } }, signed: { type: 'final' } },
          },
        },
      },
      execution: {
        type: 'parallel',
        on: {
          'year.end': { guard: 'isFinalYear', target: 'closing', ...since2({ actions: 'settlePendingTranche' }) },
          'project.suspend': { target: 'suspended', ...since2({ actions: 'stopClock' }) },
          ...since2({ 'exhibition.select': { guard: 'hasAcceptedResultsOf', actions: 'recordExhibition' } }),
          'project.terminate': { target: 'terminated', actions: 'recordEndReason' },
        },
        states: {
          /** Resuming a suspended project returns every region to where it was. */
          history: { type: 'history', history: 'deep' },
          funding: {
            initial: 'awaitingFirstTranche',
            on: {
              'year.end': { guard: not('isFinalYear'), target: '.awaitingFirstTranche', actions: v2 ? ['settlePendingTranche', 'startNextYear'] : 'startNextYear' },
              // A tranche carried over from the year before is paid first (law v2).
              ...since2({ 'tranche.pay': { guard: 'hasCarriedTranche', actions: 'payCarriedTranche' } }),
            },
            states: {
              awaitingFirstTranche: {
                on: { 'tranche.request': { guard: requestGuard(0), target: 'firstTrancheRequested', actions: 'requestTranche' } },
              },
              firstTrancheRequested: { on: { 'tranche.pay': { guard: not('hasCarriedTranche'), target: 'awaitingSecondTranche', actions: 'payTranche' } } },
              awaitingSecondTranche: {
                on: { 'tranche.request': { guard: requestGuard(1), target: 'secondTrancheRequested', actions: 'requestTranche' } },
              },
              secondTrancheRequested: { on: { 'tranche.pay': { guard: not('hasCarriedTranche'), target: 'yearFunded', actions: 'payTranche' } } },
              yearFunded: {},
            },
          },
          progressReport: {
            initial: 'awaiting',
            states: {
              awaiting: {
                // The last project year ends with the closing report instead.
                always: { guard: not('progressReportDueThisYear'), target: 'notRequired' },
                on: {
                  'progressReport.submit': { target: 'submitted', actions: v2 ? 'submitReportWithKpis' : 'submitReport' },
                  'deadline.progressReport': { target: 'overdue', actions: 'markReportPastDue' },
                  ...since2({ 'deadline.amend': { guard: amendable('progressReport'), actions: 'recordAmendment' } }),
                },
              },
              overdue: { on: { 'progressReport.submit': { target: 'submitted', actions: v2 ? 'submitReportWithKpis' : 'submitReport' } } },
              submitted: {
                on: {
                  'progressReport.accept': [
                    { guard: 'acceptedReportIsLate', target: 'awaiting', actions: ['acceptReport', 'catchUpReportYear'] },
                    { target: 'accepted', actions: 'acceptReport' },
                  ],
                  'progressReport.return': [
                    { guard: 'reportPastDue', target: 'overdue', actions: 'returnReport' },
                    { target: 'awaiting', actions: 'returnReport' },
                  ],
                },
              },
              accepted: {
                on: { 'year.end': { guard: not('isFinalYear'), target: 'awaiting', actions: 'advanceReportYear' } },
              },
              notRequired: {},
            },
          },
          siteVisit: {
            initial: 'notSelected',
            on: { 'year.end': { guard: not('isFinalYear'), target: '.notSelected' } },
            states: {
              notSelected: { on: { 'siteVisit.select': 'selected' } },
              selected: { on: { 'siteVisit.record': { target: 'visited', actions: 'recordSiteVisit' } } },
              visited: {},
            },
          },
        },
      },
      suspended: {
        on: {
          'project.resume': { target: 'execution.history', ...since2({ actions: 'restartClock' }) },
          'project.terminate': { target: 'terminated', actions: 'recordEndReason' },
        },
      },
      closing: {
        initial: 'awaitingReport',
        on: {
          'project.terminate': { target: 'terminated', actions: 'recordEndReason' },
          ...since2({ 'exhibition.select': { guard: 'hasAcceptedResultsOf', actions: 'recordExhibition' } }),
          // The last year's tranche carried past its end is still paid while the project closes (law v2).
          ...since2({ 'tranche.pay': { guard: 'hasCarriedTranche', actions: 'payCarriedTranche' } }),
        },
        states: {
          awaitingReport: {
            on: {
              'closingReport.submit': { target: 'submitted', actions: 'submitClosingReport' },
              'deadline.closingReport': { target: 'overdue', actions: 'markClosingPastDue' },
              ...since2({ 'deadline.amend': { guard: amendable('closingReport'), actions: 'recordAmendment' } }),
            },
          },
          overdue: { on: { 'closingReport.submit': { target: 'submitted', actions: 'submitClosingReport' } } },
          submitted: {
            on: {
              // The project closes with nothing owed to it: a carried tranche is paid first (law v2).
              'closingReport.accept': { target: '#project.closed', actions: 'acceptClosingReport', ...since2({ guard: not('hasCarriedTranche') }) },
              'closingReport.return': [
                { guard: 'closingPastDue', target: 'overdue', actions: 'returnClosingReport' },
                { target: 'awaitingReport', actions: 'returnClosingReport' },
              ],
            },
          },
        },
      },
      closed: { type: 'final' },
      rejected: { type: 'final' },
      lapsed: { type: 'final' },
      withdrawn: { type: 'final' },
      terminated: { type: 'final' },
    },
  });
}

export const projectMachines: Record<LawVersion, ReturnType<typeof buildProjectMachine>> = { 1: buildProjectMachine(1), 2: buildProjectMachine(2) };
/** The law new projects start on. */
export const projectMachine = projectMachines[currentLaw];
export type ProjectMachine = typeof projectMachine;

/** A project's state under its law, as the workflow holds it and the judge reads it. */
export type ProjectSnapshot = SnapshotFrom<typeof projectMachine>;
