// The notices' shapes that cross a workflow's edge: what a project carries to its next run, what
// its notice list shows, and what a notice's own workflow tells when it ends.

/**
 * A notice the project delivered itself, as the office's notice list shows it. `handedOver`: its
 * own workflow (`notice:<project>:<notice>`) has it, and tells its outcome.
 */
export type SentNotice = { noticeId: string; kind: string; at: string } & (
  { status: 'sending' | 'handedOver' } | { status: 'delivered'; sent: number; alreadySent: number; uncertain: number }
);

/** What the notifier carries from one run of the project to the next. */
export interface CarriedNotices {
  /** Reminders already sent or skipped, by id. */
  handled: string[];
  /** Reviewers' names and addresses, as the office assigned them. */
  reviewers: Record<string, { name: string; email: string }>;
  /** The notices the project delivered itself (absent before notices-inline-v1). */
  sent?: SentNotice[];
}

/** `uncertain`: recipients whose copy may or may not have reached the relay (absent in outcomes older than it). */
export type NoticeOutcome =
  | { status: 'delivered'; sent: number; alreadySent: number; uncertain?: number; officeAlerted: boolean }
  | { status: 'refused'; reason: string; officeAlerted: true };

export type NoticeSummary = {
  workflowId: string;
  /** The notice's id within its project: `t<transition>-<kind>` or `r-<kind>-<deadline>-<offset>`. */
  noticeId: string;
  kind: string;
  startedAt: string;
  status: 'delivered' | 'uncertain' | 'refused' | 'pending' | 'failed';
  /** Delivered: to how many; uncertain: to how many not known; pending: attempts and the last error; refused: the relay's answer. */
  detail: string;
  officeAlerted: boolean;
  /** The detail's figures, for pages that word it in their own language: to how many sent, how many uncertain, how many attempts. */
  recipients?: number;
  uncertain?: number;
  attempts?: number;
};
