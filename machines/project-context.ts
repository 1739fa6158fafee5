import type { Actor } from '../domain/actor';
import type { Application } from '../domain/application';
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

export type ProjectContext = {
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
  /** Why the project ended early: the deadline missed, the withdrawal or termination reason. */
  endReason: string | null;
};

export interface ProjectInput {
  projectId: string;
  callId: string;
  policy: ProgrammePolicy;
  application: Application;
}
