// The call's written review: the rounds the office starts and closes (or their deadlines close),
// the reviewers drawn from the pool or assigned by hand, and a reviewer stepping down.
import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ProjectCommand } from '../../activities/project-commands';
import { Actor, servicePrincipal } from '../../domain/actor';
import type { Division } from '../../domain/application';
import { planAssignments } from '../../domain/assignment';
import { addDuration } from '../../domain/duration';
import { projectWorkflowId } from '../../domain/ids';
import { missingReviews, reviewStartPlan, reviewed, roundProjects } from '../../machines/call-plans';
import { assignReviewerUpdate, closeWrittenReviewUpdate, declineReviewUpdate, startWrittenReviewUpdate, type ReviewRound } from '../../messages/call';
import { applyProjectCommands, now, summarizeProjects, type CallRun } from './run';
import { ROUND_MAIL_PATCH, sendRoundMail } from './round-mail';

/**
 * The call's own draw, made on the office's behalf when a reviewer steps down: no one of the office
 * logged in for it, so its log-in names the service and the call that drew (docs/audit.md).
 */
const drawer = (): Actor => ({ role: 'office', id: 'reviewer-draw', via: servicePrincipal(workflowInfo().workflowId) });

/** A reviewer as the pool declares them, with the institution and conflicts the project's law checks. */
const assignmentOf = (run: CallRun, reviewerId: string) => {
  const reviewer = run.reviewerPool.find((r) => r.id === reviewerId)!;
  return { reviewerId: reviewer.id, name: reviewer.name, email: reviewer.email, institutionId: reviewer.institutionId, conflicts: reviewer.conflicts };
};

/** Closes the open rounds of a division (or all): by the office now, or by the round's own deadline (no actor). */
export async function closeRounds(run: CallRun, division: Division | undefined, office?: Actor): Promise<ReviewRound[]> {
  // Since review-close-v1 a round binds: the office's closing is sent to each of its projects (late reviews are
  // refused by their law; at the deadline each project closes its own round), and closing one division's round
  // leaves the round of the whole call open.
  const binding = patched('review-close-v1');
  const open = run.rounds.filter((r) => !r.closedAt && (!division || r.scope === division || (!binding && r.scope === 'all')));

  if (binding && office && open.length > 0) {
    const closing = [...new Set(open.flatMap((round) => roundProjects(run, round.scope)))];
    // Kept like any bulk operation: a project that did not take the closing (unreachable) is listed for the office.
    const outcome = await applyProjectCommands(closing.map((p) => ({ projectId: p.projectId, type: 'review.close', actor: office, payload: {} })));
    run.record({
      type: 'record.operation',
      record: { operation: `close written review ${open.map((r) => r.scope).join(', ')}`, by: office, at: now(), ...outcome },
    });
  }
  const summaries = await summarizeProjects(reviewed(run).map((p) => p.projectId));
  const closedAt = now();
  run.record({
    type: 'record.roundsClosed',
    closed: open.map((round) => ({ scope: round.scope, closedAt, missing: missingReviews(run, round.scope, summaries) })),
  });
  run.version++;
  return open.map((round) => run.rounds.find((r) => r.scope === round.scope)!);
}

function handleStart(run: CallRun): void {
  const { call, reviewerPool } = run;
  setHandler(
    startWrittenReviewUpdate,
    async (args) => {
      const actor = run.admit('call.startWrittenReview', args);
      run.move('review.start', actor);
      const scope: Division | 'all' = args.division ?? 'all';
      // A scope's round opens once: a second start of it keeps the first's deadline.
      run.record({
        type: 'record.round',
        round: { scope, startedAt: now(), deadline: addDuration(now(), call.policy.writtenReviewPeriod).toISOString(), closedAt: null, missing: [] },
      });
      // Each project's round closes with the call's (law v2 projects keep the time; v1 projects ignore it).
      const closes = run.rounds.find((r) => r.scope === scope)!.deadline;
      const candidates = run.inScope(args.division).filter((p) => run.onRoster(p));
      const summaries = await summarizeProjects(candidates.map((p) => p.projectId));
      const reviewable = reviewStartPlan(candidates, summaries);
      const plan = planAssignments(
        reviewable.map((p) => ({ applicationId: p.applicationId, division: p.division, institutionId: p.institutionId })),
        reviewerPool,
        call.policy.reviewersPerApplication,
        run.assignments,
      );
      run.record({ type: 'record.assignments', assignments: plan.assignments });
      const withConflicts = patched('assignment-conflicts-v1');
      // Since round-mail-v1 each reviewer hears of the round once, from the call, not once per assignment from each project.
      const roundMail = patched(ROUND_MAIL_PATCH);
      const commands: ProjectCommand[] = reviewable.flatMap((p) => [
        { projectId: p.projectId, type: 'review.start' as const, actor, payload: { closes } },
        ...(plan.assignments[p.applicationId] ?? []).map((reviewerId) => {
          const reviewer = reviewerPool.find((r) => r.id === reviewerId);
          // The reviewer's institution and conflicts travel with the assignment, so the project's law can refuse a conflicted one.
          const conflicts = reviewer && withConflicts ? { institutionId: reviewer.institutionId, conflicts: reviewer.conflicts } : {};
          return {
            projectId: p.projectId,
            type: 'reviewer.assign' as const,
            actor,
            payload: {
              reviewerId,
              ...(reviewer && { name: reviewer.name, email: reviewer.email }),
              ...conflicts,
              ...(roundMail && { roundNotice: true as const }),
            },
          };
        }),
      ]);
      let start = 0;
      const record = await run.bulk(`written review ${scope}`, actor, commands, (record) => {
        start = run.view().operations.length;
        for (const s of plan.shortfalls)
          record.skipped.push({
            projectId: projectWorkflowId(call.id, s.applicationId),
            type: 'reviewer.assign',
            reason: `only ${s.eligible} of ${s.needed} eligible reviewers in the pool`,
          });
        // A project whose state could not be read was not started: the office sees which, and may start the round again for it.
        for (const s of summaries.filter((x) => x.unreachable))
          (record.unreachable ??= []).push({ projectId: s.projectId, type: 'review.start', reason: s.unreachable! });
      });
      if (roundMail) await sendRoundMail(run, { scope, deadline: closes }, start, commands, record);
      return record;
    },
    run.validate('call.startWrittenReview'),
  );
}

function handleReviewers(run: CallRun): void {
  const { call, reviewerPool } = run;
  // A hand assignment is the call's like its own draws: the same pool, the same conflicts carried to the
  // project's law, and recorded in the call's assignments only once the project took it.
  setHandler(
    assignReviewerUpdate,
    (args) => {
      const actor = run.admit('call.assignReviewer', args);
      const project = run.projects.find((p) => p.applicationId === args.applicationId)!;
      const reviewer = reviewerPool.find((r) => r.id === args.reviewerId)!;
      const payload = {
        reviewerId: reviewer.id,
        name: reviewer.name,
        email: reviewer.email,
        institutionId: reviewer.institutionId,
        conflicts: reviewer.conflicts,
      };
      return run.bulk(
        `reviewer ${reviewer.id} assigned to ${project.applicationId}`,
        actor,
        [{ projectId: project.projectId, type: 'reviewer.assign', actor, payload }],
        (record) => {
          const id = project.applicationId;
          if (record.applied === 1) run.record({ type: 'record.assignments', assignments: { [id]: [...(run.assignments[id] ?? []), reviewer.id] } });
        },
      );
    },
    run.validate('call.assignReviewer'),
  );

  // A reviewer stepping down is the call's fact like an assignment: the project withdraws them, and the call
  // draws a replacement by the round's rules from the pool less those who stepped down from that application.
  setHandler(
    declineReviewUpdate,
    (args) => {
      const actor = run.admit('call.declineReview', args);
      const project = run.projects.find((p) => p.applicationId === args.applicationId)!;
      const id = project.applicationId;
      const payload = { reason: args.reason, conflict: args.conflict === true };
      return run.exclusive(async () => {
        const stepped = await run.operate(`reviewer ${actor.id} stepped down from ${id}${payload.conflict ? ' (conflict of interest)' : ''}`, actor, [
          { projectId: project.projectId, type: 'review.decline', actor, payload },
        ]);
        if (stepped.applied !== 1) return stepped;
        run.record({ type: 'record.declined', applicationId: id, reviewerId: actor.id });
        const pool = reviewerPool.filter((r) => !run.declined[id]!.includes(r.id));
        const plan = planAssignments(
          [{ applicationId: id, division: project.division, institutionId: project.institutionId }],
          pool,
          call.policy.reviewersPerApplication,
          run.assignments,
        );
        const drawn = (plan.assignments[id] ?? []).filter((r) => !run.assignments[id]!.includes(r));
        const draw = drawer();
        await run.operate(
          `replacement reviewer for ${id}`,
          draw,
          drawn.map((reviewerId) => ({ projectId: project.projectId, type: 'reviewer.assign', actor: draw, payload: assignmentOf(run, reviewerId) })),
          (replaced) => {
            if (replaced.applied === drawn.length) run.record({ type: 'record.assignments', assignments: { [id]: [...run.assignments[id]!, ...drawn] } });
            for (const s of plan.shortfalls)
              replaced.skipped.push({
                projectId: project.projectId,
                type: 'reviewer.assign',
                reason: `only ${s.eligible} of ${s.needed} eligible reviewers in the pool`,
              });
          },
        );
        return stepped;
      });
    },
    run.validate('call.declineReview'),
  );
}

export function handleReview(run: CallRun): void {
  handleStart(run);
  handleReviewers(run);
  setHandler(
    closeWrittenReviewUpdate,
    (args) => run.exclusive(() => closeRounds(run, args.division, Actor.parse(args.actor))),
    run.validate('call.closeWrittenReview'),
  );
}
