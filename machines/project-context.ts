import type { Actor } from '../domain/actor';
import type { Application } from '../domain/application';
import type { AmendableDeadline } from '../domain/project-events';
import type { ProgrammePolicy } from '../domain/policy';

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

export type DecisionRecord = Recorded &
  ({ outcome: 'approved'; amountsNtd: number[] } | { outcome: 'rejected'; reason: string });

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
};

export type SiteVisitRecord = Recorded & {
  year: number;
  visitedOn: string;
  suggestions: string;
};

/** An office's move of one deadline of this project, and why. */
export type DeadlineAmendment = Recorded & {
  deadline: AmendableDeadline;
  /** The progress report's project year the amendment moves (progress reports only). */
  year?: number;
  until: string;
  reason: string;
};

/**
 * The fields marked "law v2" are absent from projects that started on law v1 and have not yet
 * crossed a project-year boundary (where `migrateSnapshot` gives them their v2 values).
 */
export type ProjectContext = {
  /** Which version of the project's law this project runs under; absent: 1. */
  lawVersion?: number;
  projectId: string;
  callId: string;
  policy: ProgrammePolicy;
  application: Application;
  endorsement: (Recorded & { rosterId: string; letterReference: string }) | null;
  reviewers: string[];
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
  /** Law v2: since when the project is suspended, and how long its clock has stood still before. */
  suspendedAt?: string | null;
  clockStoppedMs?: number;
  /** Why the project ended early: the deadline missed, the withdrawal or termination reason. */
  endReason: string | null;
};

export interface ProjectInput {
  projectId: string;
  callId: string;
  policy: ProgrammePolicy;
  application: Application;
}
