import { z } from 'zod';
import { IsoDuration } from './duration';
import { atMost } from './bounds';
import { DocumentPolicy } from './documents';

export const BudgetCategory = z.enum(['personnel', 'operatingExpenses', 'serviceEquipment', 'researchEquipment']);
export type BudgetCategory = z.infer<typeof BudgetCategory>;

const Ntd = z.number().int('expected whole NT$').nonnegative('expected an amount of NT$0 or more');

/** A window relative to the start of a project year: opens after `opensAfter`, closes after `closesAfter`. */
export const RelativeWindow = z.object({ opensAfter: IsoDuration, closesAfter: IsoDuration }).strict();
export type RelativeWindow = z.infer<typeof RelativeWindow>;

/**
 * How tranches are requested and what happens to one still unpaid when its year ends (law v2).
 * A try-out calendar that compresses a year into minutes has windows seconds wide: there the
 * windows are advisory.
 */
export const TranchePolicy = z
  .object({
    /** Whether a request outside its tranche's window (`trancheWindows`) is refused. */
    windows: z.enum(['enforced', 'advisory']),
    /** The largest share of the year's approved amount each of the two tranches may take. */
    maxShares: z.array(z.number().gt(0).max(1)).length(2, 'expected two shares, one per tranche'),
    /** A tranche requested but unpaid at its year's end: still paid afterwards (carry), or refused; the institution is told either way. */
    pendingAtYearEnd: z.enum(['carry', 'refuse']),
  })
  .strict();
export type TranchePolicy = z.infer<typeof TranchePolicy>;

/** Applications one PI may register in one call when the policy does not say (assumption: the deck sets no number; a bound, so one account cannot flood a call). */
export const defaultMaxApplicationsPerPi = 10;

/**
 * How long before a call-wide deadline the office may still move it when the policy does not say
 * (assumption: the deck sets none): an hour, in which the amendment reaches every project of a
 * call of a thousand before either instant comes (docs/performance.md).
 */
export const defaultAmendmentLeadTime = 'PT1H';

/** For calls opened before tranche rules were data: windows enforced, no share limit beyond the year's approval, unpaid requests refused. */
export const defaultTranchePolicy: TranchePolicy = { windows: 'enforced', maxShares: [1, 1], pendingAtYearEnd: 'refuse' };

/**
 * What the blind review discloses, and when. Reviewer identities are never shown to applicants:
 * that is the review's nature, not a setting.
 */
export const DisclosurePolicy = z
  .object({
    /** When the PI and the institution see the written-review and panel scores and comments. */
    reviewsToApplicant: z.enum(['afterAnnouncement', 'never']),
    /** When a reviewer sees the other reviews of an application assigned to them. */
    otherReviewsToReviewer: z.enum(['afterOwnReview', 'never']),
  })
  .strict();
export type DisclosurePolicy = z.infer<typeof DisclosurePolicy>;

/** For calls opened before disclosure was data: the programme's practice. */
export const defaultDisclosure: DisclosurePolicy = { reviewsToApplicant: 'afterAnnouncement', otherReviewsToReviewer: 'afterOwnReview' };

/**
 * Everything that may change from one call to the next, as data. Durations are ISO-8601 so a
 * compressed policy (PT5S…) can run a whole lifecycle in seconds against a real server.
 */
export const ProgrammePolicy = z
  .object({
    yearlyCapNtd: Ntd.positive(),
    maxYearsPerPhase: z.number().int().min(1),
    maxPhases: z.number().int().min(1),
    fundableBudgetCategories: z
      .array(BudgetCategory)
      .min(1)
      .max(...atMost(BudgetCategory.options.length)),
    /** A phase-2 application's year-3 income must exceed its grant; industry–academia project funding counts at this weight. */
    phase2IndustryProjectFundingWeight: z.number().min(0).max(1),
    reviewersPerApplication: z.number().int().min(1),
    /** How long the online written review round runs once the office starts it (assumption: the deck gives only the review period). */
    writtenReviewPeriod: IsoDuration,
    /** Length of one presentation slot (assumption). */
    presentationSlotLength: IsoDuration,
    /** Length of one project year (1 Feb → 31 Jan in the deck). */
    projectYearLength: IsoDuration,
    /** The two tranche windows of every project year, relative to its start. */
    trancheWindows: z.array(RelativeWindow).length(2, 'expected exactly two tranche windows, one per tranche'),
    /** Whether a PI whose closing report is overdue may not register a new application until it is filed (the programme's assumption); absent: blocks. */
    overdueClosingReportBlocksApplications: z.boolean().optional(),
    /** The results exhibition (成果發表): how many alliances the office selects, on the results of which project year. */
    exhibition: z
      .object({ alliances: z.number().int().min(1).max(1000), projectYear: z.number().int().min(1) })
      .strict()
      .optional(),
    /** Tranche rules (law v2); absent: `defaultTranchePolicy`. */
    tranches: TranchePolicy.optional(),
    /** Progress reports are due this long before a project year ends (every year but the last). */
    progressReportDueBeforeYearEnd: IsoDuration,
    /** The closing report is due this long after the project ends. */
    closingReportGrace: IsoDuration,
    /**
     * Since law v2: whether a suspension stops the project's clock (its year ends and report
     * deadlines move on by the time suspended) or lets it run (missed deadlines fall due on resume).
     * Absent: the clock stops.
     */
    suspension: z.enum(['stopsClock', 'clockRuns']).optional(),
    /** How many applications one PI may register in one call (withdrawn ones count until the call ends); absent: `defaultMaxApplicationsPerPi`. */
    maxApplicationsPerPi: z.number().int().min(1).max(1000).optional(),
    /**
     * A call-wide deadline moves only while it, and the instant it moves to, are at least this far
     * ahead: the call's amendment reaches its projects one by one, and must reach the last before
     * the old instant (or the new) comes. Absent: `defaultAmendmentLeadTime`.
     */
    amendmentLeadTime: IsoDuration.optional(),
    /** What the review discloses to applicants and reviewers, and when; absent: `defaultDisclosure`. */
    disclosure: DisclosurePolicy.optional(),
    /** Each kind of document's formats and largest size; a kind left out: `defaultDocumentRules`. */
    documents: DocumentPolicy.optional(),
  })
  .strict();
export type ProgrammePolicy = z.infer<typeof ProgrammePolicy>;
