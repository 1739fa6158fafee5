// One mail per reviewer for a round of written review, listing every application of theirs the
// round assigned, instead of one invitation per assignment from each project (the assignments carry
// `roundNotice`, so the projects send none). Each mail is its own notice workflow, as a project's
// undelivered notice is: a relay away for days delays it, never loses it, and the office is told.
import type { ProjectCommand } from '../../activities/project-commands';
import { callWorkflowId, noticeWorkflowId } from '../../domain/ids';
import { byCodePoint } from '../../domain/order';
import { recipientsOf } from '../../domain/notification-policy';
import { roundAssignments } from '../../machines/call-plans';
import type { OperationRecord } from '../../messages/call';
import { startNoticeWorkflow } from '../notifier';
import type { CallRun } from './run';

/** Patch id of the round's mail: histories from before it replay with each project inviting its own reviewers. */
export const ROUND_MAIL_PATCH = 'round-mail-v1';

/**
 * Starts the round's mails: one per reviewer whose assignment at least one project took, listing
 * those applications, due by the round's deadline. `start` tells this round start from another of
 * the same scope (the notice ids stay unique and stable under replay).
 */
export async function sendRoundMail(
  run: CallRun,
  round: { scope: string; deadline: string },
  start: number,
  commands: ProjectCommand[],
  record: OperationRecord,
): Promise<void> {
  const policy = run.call.notifications;
  if (!policy || !recipientsOf(policy, 'reviewRoundAssigned').includes('assignedReviewers')) return;
  const byProject = new Map(run.projects.map((p) => [p.projectId, p]));
  const mails = [...roundAssignments(commands, record)].sort(([a], [b]) => byCodePoint(a, b));
  await Promise.all(
    mails.map(([reviewerId, projectIds]) => {
      const reviewer = run.reviewerPool.find((r) => r.id === reviewerId);
      if (!reviewer) return Promise.resolve();
      const applications = projectIds
        .map((id) => byProject.get(id))
        .filter((p) => p !== undefined)
        .sort((a, b) => byCodePoint(a.applicationId, b.applicationId))
        .map((p) => `${p.applicationId}「${p.title}」`);
      return startNoticeWorkflow({
        key: noticeWorkflowId(callWorkflowId(run.call.id), `round-${round.scope}-${start}-${reviewerId}`),
        kind: 'reviewRoundAssigned',
        language: policy.language,
        variables: { callTitle: run.call.title, deadline: round.deadline, count: applications.length, applications: applications.join('\n') },
        recipients: [{ role: 'assignedReviewers', name: reviewer.name, email: reviewer.email }],
        officeEmail: policy.officeEmail,
        undeliveredAlertAfter: policy.undeliveredAlertAfter,
      });
    }),
  );
}
