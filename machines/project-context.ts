import type { Actor } from '../domain/actor';
import type { Application, ReportedKpi } from '../domain/application';
import type { AmendableDeadline } from '../domain/project-events';
import type { ProgrammePolicy } from '../domain/policy';
import type { DocumentAttachment } from '../domain/documents';

/** Each record names who made it and when, for auditors. */
type Recorded = {
  by: Actor;
  at: string;
};

export type ReviewRecord = Recorded & {
  reviewerId: string;
  score: number;
  recommendation: 'fund' | 'fundWithChanges' | 'doNotFund';
  comments: string;
};

export type DecisionRecord = Recorded & ({ outcome: 'approved'; amountsNtd: number[] } | { outcome: 'rejected'; reason: string });

export type DisbursementRecord = Recorded & {
  year: number;
  tranche: 1 | 2;
  amountNtd: number;
  requestedBy: Actor;
  requestedAt: string;
  paymentReference: string;
};

export type ReportRecord = Recorded & {
  year: number;
  summary: string;
  outcome: 'submitted' | 'accepted' | 'returned';
  note: string;
  /** Law v2: the year's results the report states, and the members the programme's rules count (null: no member list given). */
  kpis?: Omit<ReportedKpi, 'memberList'> & { countedMembers: number | null };
};

export type SiteVisitRecord = Recorded & {
  year: number;
  visitedOn: string;
  suggestions: string;
};

/** A tranche request its year ended on before it was paid. */
export type SettledTranche = { amountNtd: number; requestedBy: Actor; requestedAt: string; year: number; settledAt: string };

/** A reviewer who stepped down from this application before reviewing it (law v2): never assigned to it again. */
export type DeclinedReview = Recorded & { reviewerId: string; reason: string; conflict: boolean };

/** An office's move of one deadline of this project, and why. */
export type DeadlineAmendment = Recorded & {
  deadline: AmendableDeadline;
  /** The progress report's project year the amendment moves (progress reports only). */
  year?: number;
  until: string;
  reason: string;
  /** `call`: the office moved the deadline of the whole call, not of this project alone (absent: this project's own). */
  scope?: 'call';
};

/**
 * The fields marked "law v2" are absent from projects that started on law v1 and have not yet
 * crossed a project-year boundary (where `migrateSnapshot` gives them their v2 values).
 */
/** A document as the project records it: what it is, its SHA-256, who attached it and when, in which project year. */
export type AttachedDocument = Recorded & DocumentAttachment & { year: number };

export type ProjectContext = {
  /** Which version of the project's law this project runs under; absent: 1. */
  lawVersion?: number;
  projectId: string;
  callId: string;
  policy: ProgrammePolicy;
  application: Application;
  endorsement: (Recorded & { rosterId: string; letterReference: string }) | null;
  reviewers: string[];
  /** Reviewers who stepped down before reviewing (law v2; absent until the first). */
  declinedReviews?: DeclinedReview[];
  reviews: ReviewRecord[];
  presentation: (Recorded & { slot?: string; venue?: string; panelScore?: number; comments?: string }) | null;
  decision: DecisionRecord | null;
  contractNumber: string | null;
  /** 0 until execution starts, then 1… */
  projectYear: number;
  pendingTranche: { amountNtd: number; requestedBy: Actor; requestedAt: string } | null;
  disbursements: DisbursementRecord[];
  /** The project year whose progress report is outstanding (or last accepted). */
  reportYear: number;
  reportPastDue: boolean;
  acceptedReports: number[];
  reports: ReportRecord[];
  siteVisits: SiteVisitRecord[];
  closingReports: ReportRecord[];
  closingPastDue: boolean;
  /** Law v2: when this application's written-review round closes by itself (the call's round, or the policy's period). */
  reviewClosesAt?: string | null;
  /** Law v2: when this application's written-review round closed (the office, or its deadline). */
  reviewClosedAt?: string | null;
  /** Law v2: the office's recorded decision to decide without the presentation review. */
  presentationWaiver?: (Recorded & { reason: string }) | null;
  /** Law v2: the project's deadlines as the office moved them, latest last. */
  deadlineAmendments?: DeadlineAmendment[];
  /** Law v2: when project year 1 starts (the call's calendar): the tranche windows are counted from it. */
  firstProjectYearStarts?: string;
  /** Law v2: a tranche unpaid at its year's end, still to be paid (policy `tranches.pendingAtYearEnd: carry`). */
  carriedTranche?: SettledTranche | null;
  /** Law v2: tranches unpaid at their year's end and refused (policy `refuse`). */
  refusedTranches?: SettledTranche[];
  /** Law v2: the results exhibitions the alliance was selected for. */
  exhibitions?: (Recorded & { year: number; rank: number })[];
  /** Law v2: since when the project is suspended, and how long its clock has stood still before. */
  suspendedAt?: string | null;
  clockStoppedMs?: number;
  /** Law v3: the documents attached, in order (their bytes are in the document store under the project's key). */
  documents?: AttachedDocument[];
  /** Why the project ended early: the deadline missed, the withdrawal or termination reason. */
  endReason: string | null;
};

export interface ProjectInput {
  projectId: string;
  callId: string;
  policy: ProgrammePolicy;
  application: Application;
  /** The call's first project-year start (law v2 keeps it for the tranche windows). */
  firstProjectYearStarts: string;
}
