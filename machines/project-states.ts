// The project's law, part two: the chart's states phase by phase, as each version of the law has
// them (part one, the guards and actions they name, is machines/project-law.ts).
import { and, not } from 'xstate';
import type { AmendableDeadline } from '../domain/project-events';
import type { DocumentKind } from '../domain/documents';
import { projectLaw, type LawVersion } from './project-law';

/** The words a version of the law is written in: what v2 adds, and the guards that differ by version. */
export function lawTerms(law: LawVersion) {
  const v2 = law >= 2;
  /** Transitions of law v2 and later; absent from v1. */
  const since2 = <const T extends object>(config: T): T | Record<never, never> => (v2 ? config : {});
  /** Transitions of law v3 and later: documents. */
  const since3 = <const T extends object>(config: T): T | Record<never, never> => (law >= 3 ? config : {});
  const attach = (...kinds: DocumentKind[]) =>
    since3({ 'document.attach': { guard: { type: 'attaches' as const, params: { kinds } }, actions: 'recordDocument' as const } });
  const amendable = (...deadlines: AmendableDeadline[]) => ({ type: 'amends' as const, params: { deadlines } });
  const undecided = (reason: string) => ({ target: '#project.rejected' as const, actions: { type: 'rejectUndecided' as const, params: { reason } } });
  // A first tranche missed in its window may still come in the second one.
  const requestWindows: Record<0 | 1, readonly (0 | 1)[]> = { 0: [0, 1], 1: [1] };
  const requestGuard = (tranche: 0 | 1) =>
    v2
      ? and([
          'previousProgressReportAccepted',
          'trancheWithinApproval',
          { type: 'withinTrancheShare', params: { tranche } },
          { type: 'inTrancheWindow', params: { windows: requestWindows[tranche] } },
          // One request at a time: a tranche carried from the year before is paid first.
          not('hasCarriedTranche'),
        ])
      : and(['previousProgressReportAccepted', 'trancheWithinApproval']);
  const decisionGuard = v2 ? and(['decisionWithinLimits', 'approvalFollowsPresentation']) : ('decisionWithinLimits' as const);
  return { v2, since2, since3, attach, amendable, undecided, requestGuard, decisionGuard };
}
type LawTerms = ReturnType<typeof lawTerms>;

/** From the draft to the institution's endorsement. */
function applicationStates({ v2, since2, attach, amendable, undecided }: LawTerms) {
  return {
    draft: projectLaw.createStateConfig({
      on: {
        'application.update': { actions: 'updateApplication' },
        'application.submit': v2
          ? [
              { guard: and(['applicationIsEligible', 'isEndorsed']), target: 'endorsed' },
              { guard: 'applicationIsEligible', target: 'submitted' },
            ]
          : { guard: 'applicationIsEligible', target: 'submitted' },
        'application.withdraw': { target: 'withdrawn', actions: 'recordEndReason' },
        'deadline.application': { target: 'lapsed', actions: 'recordEndReason' },
        // An institution's roster may come before its applicants submit: the endorsement waits for the submission.
        ...since2({
          'endorsement.record': { actions: 'recordEndorsement' },
          'deadline.amend': { guard: amendable('application', 'endorsement'), actions: 'recordAmendment' },
        }),
        ...attach('proposal', 'institutionLetter'),
      },
    }),
    submitted: projectLaw.createStateConfig({
      on: {
        'endorsement.record': { target: 'endorsed', actions: 'recordEndorsement' },
        'application.withdraw': { target: 'withdrawn', actions: 'recordEndReason' },
        'deadline.endorsement': { target: 'lapsed', actions: 'recordEndReason' },
        ...since2({ 'deadline.amend': { guard: amendable('endorsement'), actions: 'recordAmendment' } }),
        ...attach('institutionLetter'),
      },
    }),
    endorsed: projectLaw.createStateConfig({
      on: {
        'review.start': { target: 'review', ...since2({ actions: 'recordReviewPeriod' }) },
        'application.withdraw': { target: 'withdrawn', actions: 'recordEndReason' },
        ...since2({
          // An amended roster lists the project again: its letter is the latest.
          'endorsement.record': { actions: 'recordEndorsement' },
          'decision.announce': undecided('not reviewed before the announcement'),
        }),
      },
    }),
  };
}

/** The written review, the presentation and the final decision. */
function reviewStates({ v2, since2, amendable, undecided, decisionGuard }: LawTerms) {
  return {
    review: projectLaw.createStateConfig({
      initial: 'writtenReview',
      on: {
        'application.withdraw': { target: 'withdrawn', actions: 'recordEndReason' },
      },
      states: {
        writtenReview: {
          on: {
            'reviewer.assign': { guard: v2 ? and(['reviewerNotYetAssigned', 'reviewRoundOpen']) : 'reviewerNotYetAssigned', actions: 'assignReviewer' },
            'review.record': {
              guard: v2 ? and(['isAssignedReviewerWithoutReview', 'reviewRoundOpen']) : 'isAssignedReviewerWithoutReview',
              actions: 'recordReview',
            },
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
    }),
  };
}

/** Approved, then the contract and the consent both signed. */
function contractStates({ attach }: LawTerms) {
  return {
    approved: projectLaw.createStateConfig({
      on: {
        'contract.issue': { target: 'contracting', actions: 'issueContract' },
        'project.terminate': { target: 'terminated', actions: 'recordEndReason' },
      },
    }),
    contracting: projectLaw.createStateConfig({
      type: 'parallel',
      onDone: { target: 'execution', actions: 'startFirstYear' },
      on: { 'project.terminate': { target: 'terminated', actions: 'recordEndReason' }, ...attach('contract') },
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
    }),
  };
}

/** The project years: funding, progress report and site visit side by side; a suspension keeps where they were. */
function executionStates({ v2, since2, attach, amendable, requestGuard }: LawTerms) {
  return {
    execution: projectLaw.createStateConfig({
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
            'year.end': {
              guard: not('isFinalYear'),
              target: '.awaitingFirstTranche',
              actions: v2 ? ['settlePendingTranche', 'startNextYear'] : 'startNextYear',
            },
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
                ...attach('progressReport'),
              },
            },
            overdue: {
              on: { 'progressReport.submit': { target: 'submitted', actions: v2 ? 'submitReportWithKpis' : 'submitReport' }, ...attach('progressReport') },
            },
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
    }),
    suspended: projectLaw.createStateConfig({
      on: {
        'project.resume': { target: 'execution.history', ...since2({ actions: 'restartClock' }) },
        'project.terminate': { target: 'terminated', actions: 'recordEndReason' },
      },
    }),
  };
}

/** The closing report, once the final project year ends. */
function closingStates({ since2, attach, amendable }: LawTerms) {
  return {
    closing: projectLaw.createStateConfig({
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
            ...attach('closingReport'),
          },
        },
        overdue: { on: { 'closingReport.submit': { target: 'submitted', actions: 'submitClosingReport' }, ...attach('closingReport') } },
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
    }),
  };
}

/** Every state of the chart of one version of the law. */
export function projectStates(terms: LawTerms) {
  return {
    ...applicationStates(terms),
    ...reviewStates(terms),
    ...contractStates(terms),
    ...executionStates(terms),
    ...closingStates(terms),
    closed: { type: 'final' as const },
    rejected: { type: 'final' as const },
    lapsed: { type: 'final' as const },
    withdrawn: { type: 'final' as const },
    terminated: { type: 'final' as const },
  };
}
