import { z } from 'zod';
import { bounds, IdText, LongText } from './bounds';
import { type Actor } from './actor';
import { Application, BoundedApplication, ReportedKpi } from './application';
import { Instant } from './roc-date';
import { DocumentAttachment } from './documents';

const Text = LongText().trim().min(1, 'expected some text');
const Ntd = z.number().int('expected whole NT$').positive('expected an amount above NT$0');
const Score = z.number().min(0, 'expected a score from 0 to 100').max(100, 'expected a score from 0 to 100');
const Empty = z.object({}).strict();
/** The deadlines the office may move, one project at a time or a whole call. */
export const AmendableDeadline = z.enum(['application', 'endorsement', 'writtenReview', 'progressReport', 'closingReport']);
export type AmendableDeadline = z.infer<typeof AmendableDeadline>;
/** Deadline events name the instant they enforce, so a refusal can say which deadline was missed. */
const Deadline = z.object({ deadline: Instant }).strict();

/** A decision: the approved amounts a year each, or the reason for a rejection. */
const decisionRecord = (amounts: z.ZodArray<typeof Ntd>) =>
  z.discriminatedUnion('outcome', [
    z.object({ outcome: z.literal('approved'), amountsNtd: amounts }).strict(),
    z.object({ outcome: z.literal('rejected'), reason: Text }).strict(),
  ]);

/**
 * What each command of a project carries besides who sends it and when. One entry per event of
 * `projectMachine`; the workflow's update validators parse with these before asking the machine.
 */
export const projectEventPayloads = {
  'application.update': z.object({ application: Application }).strict(),
  'application.submit': Empty,
  'application.withdraw': z.object({ reason: Text }).strict(),
  'endorsement.record': z.object({ rosterId: Text, letterReference: Text }).strict(),
  /** The call's round says when the written review closes (law v2); absent: the policy's review period from now. */
  'review.start': z.object({ closes: Instant.optional() }).strict(),
  /** Name and e-mail come from the reviewer pool, so the review invitation can reach the reviewer. */
  'reviewer.assign': z
    .object({
      reviewerId: Text,
      name: Text.optional(),
      email: z.email("expected the reviewer's e-mail address").max(bounds.email, 'expected an e-mail address of at most 254 characters').optional(),
      /** The reviewer's own institution and declared conflicts, from the pool: the law refuses a conflicted assignment. */
      institutionId: Text.optional(),
      conflicts: z
        .object({ applicationIds: z.array(IdText()).max(bounds.list).optional(), institutionIds: z.array(IdText()).max(bounds.list).optional() })
        .strict()
        .optional(),
      /**
       * The call tells the reviewer of this assignment in one mail for the round, listing all of
       * theirs: the project sends no invitation of its own (the call sets it; absent in assignments from before).
       */
      roundNotice: z.literal(true).optional(),
    })
    .strict(),
  'review.record': z.object({ score: Score, recommendation: z.enum(['fund', 'fundWithChanges', 'doNotFund']), comments: Text }).strict(),
  /** An assigned reviewer steps down before reviewing: a conflict of interest found late, or cannot review in time; the call draws a replacement. */
  'review.decline': z.object({ reason: Text, conflict: z.boolean().default(false) }).strict(),
  /** Since law v2: closes this application's written-review round; a late review is refused. */
  'review.close': Empty,
  'presentation.invite': Empty,
  /** Since law v2: the office decides without the presentation review, and says why. */
  'presentation.waive': z.object({ reason: Text }).strict(),
  'presentation.schedule': z.object({ slot: Instant, venue: Text }).strict(),
  'presentation.record': z.object({ panelScore: Score, comments: Text }).strict(),
  'decision.record': decisionRecord(z.array(Ntd).min(1)),
  'decision.announce': Empty,
  'contract.issue': z.object({ contractNumber: Text }).strict(),
  'contract.sign': Empty,
  'consent.sign': Empty,
  'tranche.request': z.object({ amountNtd: Ntd }).strict(),
  'tranche.pay': z.object({ paymentReference: Text }).strict(),
  'progressReport.submit': z.object({ summary: Text, kpis: ReportedKpi.optional() }).strict(),
  'progressReport.accept': z.object({ comments: LongText().default('') }).strict(),
  'progressReport.return': z.object({ reason: Text }).strict(),
  'siteVisit.select': Empty,
  'siteVisit.record': z.object({ visitedOn: Instant, suggestions: Text }).strict(),
  'closingReport.submit': z.object({ summary: Text }).strict(),
  'closingReport.accept': z.object({ comments: LongText().default('') }).strict(),
  'closingReport.return': z.object({ reason: Text }).strict(),
  'project.suspend': z.object({ reason: Text }).strict(),
  'project.resume': Empty,
  'project.terminate': z.object({ reason: Text }).strict(),
  /** Since law v3: a document's SHA-256 and what it is, once its bytes are in the document store (the door puts them there). */
  'document.attach': DocumentAttachment,
  /** Since law v2: the office selects the alliance for the results exhibition on one project year's accepted results. */
  'exhibition.select': z.object({ year: z.number().int().min(1).max(20), rank: z.number().int().min(1).max(1000) }).strict(),
  /** Since law v2: the office moves one of this project's deadlines (a typhoon day, an extension), with the reason. */
  /** `scope: "call"` marks the call-wide move of a deadline: it never shortens a project's own, later extension. */
  'deadline.amend': z.object({ deadline: AmendableDeadline, until: Instant, reason: Text, scope: z.literal('call').optional() }).strict(),
  'deadline.application': Deadline,
  'deadline.endorsement': Deadline,
  'deadline.writtenReview': Deadline,
  'deadline.progressReport': Deadline,
  'deadline.closingReport': Deadline,
  'year.end': Empty,
} as const;

/**
 * What a command from outside may carry now: the same schemas, with the bounds added since a
 * history was recorded (the handler parses with `projectEventPayloads` on replay, unbounded as then).
 */
export const incomingPayloads = {
  ...projectEventPayloads,
  'application.update': z.object({ application: BoundedApplication }).strict(),
  'decision.record': decisionRecord(z.array(Ntd).min(1).max(bounds.years, `expected at most ${bounds.years} yearly amounts`)),
} satisfies Record<keyof typeof projectEventPayloads, z.ZodType>;

export type ProjectEventType = keyof typeof projectEventPayloads;
export const projectEventTypes = Object.keys(projectEventPayloads) as ProjectEventType[];

/** Every event carries who sent it and when (the workflow's clock), besides its payload. */
type Envelope = { actor: Actor; at: string };
export type ProjectEventOf<T extends ProjectEventType> = { type: T } & Envelope & z.output<(typeof projectEventPayloads)[T]>;
export type ProjectEvent = { [T in ProjectEventType]: ProjectEventOf<T> }[ProjectEventType];
export type ProjectPayload<T extends ProjectEventType> = z.input<(typeof projectEventPayloads)[T]>;
