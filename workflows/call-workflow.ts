import {
  allHandlersFinished, ApplicationFailure, condition, continueAsNew, patched, proxyActivities, setHandler, startChild, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import { createActor, initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { Activities } from '../activities';
import type { ProjectCommand } from '../activities/project-commands';
import { Actor } from '../domain/actor';
import { Application, type Division } from '../domain/application';
import { planAssignments } from '../domain/assignment';
import { addDuration } from '../domain/duration';
import { projectWorkflowId } from '../domain/ids';
import { rankByDivision } from '../domain/ranking';
import { requestedTotal } from '../domain/rules';
import { searchAttributes as keys } from '../domain/search-attributes';
import { callCommands, callMachine, rankable, type CallCommand, type CallEvent } from '../machines/call-machine';
import { judgeCall, stateProblem, type CallStanding } from '../machines/call-judge';
import {
  amendDeadlineUpdate, announceUpdate, assignReviewerUpdate, callStatusQuery, declineReviewUpdate, closeCallUpdate, closeWrittenReviewUpdate, invitePresentationsUpdate, registerApplicationUpdate,
  schedulePresentationsUpdate, startDecisionMeetingUpdate, startWrittenReviewUpdate, submitRosterUpdate,
  type CallAmendment, type CallView, type CallWorkflowInput, type OperationRecord, type RegisteredProject, type ReviewRound, type Roster,
} from '../messages/call';
import { createAuditTrail } from './audit-trail';
import { CURRENT_PATCH_LEVEL } from '../messages/patch-levels';
import { projectWorkflow } from './project-workflow';
import { draftFacts, searchAttributesOf } from '../messages/search-attributes';
import { byCodePoint } from '../domain/order';

const { applyProjectCommands, claimPhase2Continuation, summarizeProjects } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const now = (): string => new Date().toISOString();
const refuse = (code: string, message: string): never => {
  throw ApplicationFailure.create({ type: code, message, details: [[]], nonRetryable: true });
};

/**
 * One call of the programme: its application and endorsement deadlines, the institutions'
 * rosters and the office's review rounds, decision meeting and announcement. Its projects are
 * started as abandoned children: they outlive the call by years.
 */
export async function callWorkflow({ call, reviewerPool, carried, continueAsNewAfterEvents = 10_000 }: CallWorkflowInput): Promise<CallView> {
  let snapshot: SnapshotFrom<typeof callMachine> = carried
    ? createActor(callMachine, { snapshot: carried.snapshot as never }).getSnapshot()
    : initialTransition(callMachine)[0];
  const projects: RegisteredProject[] = carried?.projects ?? [];
  const rosters: Roster[] = carried?.rosters ?? [];
  const assignments: Record<string, string[]> = carried?.assignments ?? {};
  const declined: Record<string, string[]> = carried?.declined ?? {};
  const rounds: ReviewRound[] = carried?.rounds ?? [];
  const invited: string[] = carried?.invited ?? [];
  const slots: Record<string, string> = carried?.slots ?? {};
  const operations: OperationRecord[] = carried?.operations ?? [];
  let version = 0;
  let transitions = carried?.transitions ?? 0;
  // The call's dates as the office amended them: its own timers, and the projects registered after, follow them.
  let calendar = carried?.calendar ?? call.calendar;
  const amendments: CallAmendment[] = carried?.amendments ?? [];
  const audit = createAuditTrail(workflowInfo().workflowId);

  const state = (): string => snapshot.value;
  const move = (type: CallEvent['type'], actor: Actor): void => {
    const event: CallEvent = { type, actor, at: now() };
    if (snapshot.can(event)) {
      const from = state();
      snapshot = transition(callMachine, snapshot, event)[0];
      version++;
      upsertSearchAttributes([{ key: keys.state, value: state() }]);
      audit.record({ entry: { seq: ++transitions, at: event.at, actor, event: type as never, from: [from], to: [state()] }, payload: {} });
    }
  };

  /** Role and call state, the law of `callCommands`; then the payload check of each command. */
  /**
   * The handlers' own check, role and call state, as the law words them: the validator has asked the
   * whole law before (validators do not run on replay, so older histories replay by these two alone).
   */
  const admit = (command: CallCommand, args: { actor?: unknown }): Actor => {
    const actor = Actor.safeParse(args?.actor);
    if (!actor.success) refuse('INVALID_PAYLOAD', `${command} was refused: name the acting role and id (actor: { role, id }).`);
    const roles: readonly string[] = callCommands[command].roles;
    if (!roles.includes(actor.data!.role)) refuse('ROLE_NOT_ALLOWED', `${command} may be sent only by ${roles.join(' or ')}, not by ${actor.data!.role} ${actor.data!.id}.`);
    const wrongState = stateProblem(standing(), command);
    if (wrongState) refuse('ILLEGAL_TRANSITION', wrongState);
    return actor.data!;
  };

  /** The call as its law reads it (machines/call-judge.ts). */
  const standing = (): CallStanding => ({ callId: call.id, state: state(), calendar, policy: call.policy, projects, registering: [...registering.values()], assignments, rounds, reviewerPool });
  /** Every validator asks the call's law: a refused command never enters the call's history. */
  const validate = (command: CallCommand) => (args: unknown): void => {
    const verdict = judgeCall(standing(), command, args, Date.now());
    if (!verdict.ok) throw ApplicationFailure.create({ type: verdict.code, message: verdict.message, details: [verdict.details], nonRetryable: true });
  };

  // Bulk operations run one at a time, in the order they were accepted.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };
  /** Sends the commands to their projects; `settle` records in the call what the projects took, before the next operation starts. */
  const operate = async (operation: string, actor: Actor, commands: ProjectCommand[], settle?: (record: OperationRecord) => void): Promise<OperationRecord> => {
    const outcome = await applyProjectCommands(commands);
    const record: OperationRecord = { operation, by: actor, at: now(), ...outcome };
    settle?.(record);
    operations.push(record);
    version++;
    return record;
  };
  const bulk = (operation: string, actor: Actor, commands: ProjectCommand[], settle?: (record: OperationRecord) => void): Promise<OperationRecord> =>
    exclusive(() => operate(operation, actor, commands, settle));

  const inScope = (division?: Division) => projects.filter((p) => !division || p.division === division);
  const onRoster = (p: RegisteredProject) => rosters.some((r) => r.applicationIds.includes(p.applicationId));

  // Ids being registered right now: a second registration of the same id, sent before the first's child has started, is refused too.
  const registering = new Map<string, Application>();
  /** The phase-1 project a phase-2 application continues, or undefined. */
  const continues = (application: Pick<Application, 'phase'>): string | undefined => (application.phase.phase === 2 ? application.phase.phase1ProjectId : undefined);
  setHandler(registerApplicationUpdate, async (args) => {
    const application = Application.parse(args.application);
    registering.set(application.id, application);
    const workflowId = projectWorkflowId(call.id, application.id);
    const phase1ProjectId = continues(application);
    // Since phase2-claim-v1 a phase 2 holds its phase-1 project in the shared store before it starts: one per
    // phase-1 project across every call, race-free and beyond Temporal's retention.
    if (phase1ProjectId && patched('phase2-claim-v1')) {
      const holder = await claimPhase2Continuation({ phase1ProjectId, projectId: workflowId });
      if (holder !== workflowId) {
        registering.delete(application.id);
        refuse('FORBIDDEN', `call.registerApplication was refused: phase.phase1ProjectId ${phase1ProjectId} is already continued by ${holder}; an alliance has one phase 2.`);
      }
    }
    await startChild(projectWorkflow, {
      workflowId,
      args: [{ call: { ...call, calendar }, application, patchLevel: CURRENT_PATCH_LEVEL }],
      parentClosePolicy: 'ABANDON',
      typedSearchAttributes: searchAttributesOf(draftFacts(call, application)),
    });
    projects.push({
      projectId: workflowId, applicationId: application.id, institutionId: application.institution.id, piId: application.pi.id, division: application.division,
      region: application.region, title: application.title, ...(phase1ProjectId && { phase1ProjectId }),
      requestedNtd: application.budget.reduce((sum, b) => sum + requestedTotal(application, b.year), 0),
    });
    version++;
    return workflowId;
  }, {
    validator: validate('call.registerApplication'),
  });

  setHandler(submitRosterUpdate, (args) => {
    const actor = admit('call.submitRoster', args);
    const roster: Roster = { institutionId: actor.id, rosterId: args.rosterId, letterReference: args.letterReference, applicationIds: args.applicationIds, by: actor, at: now() };
    rosters.push(roster);
    version++;
    return bulk(`roster ${args.rosterId}`, actor, args.applicationIds.map((applicationId) => ({
      projectId: projectWorkflowId(call.id, applicationId), type: 'endorsement.record', actor, payload: { rosterId: args.rosterId, letterReference: args.letterReference },
    })));
  }, {
    validator: validate('call.submitRoster'),
  });

  setHandler(startWrittenReviewUpdate, async (args) => {
    const actor = admit('call.startWrittenReview', args);
    move('review.start', actor);
    const scope: Division | 'all' = args.division ?? 'all';
    if (!rounds.some((r) => r.scope === scope)) {
      rounds.push({ scope, startedAt: now(), deadline: addDuration(now(), call.policy.writtenReviewPeriod).toISOString(), closedAt: null, missing: [] });
    }
    // Each project's round closes with the call's (law v2 projects keep the time; v1 projects ignore it).
    const closes = rounds.find((r) => r.scope === scope)!.deadline;
    const candidates = inScope(args.division).filter(onRoster);
    const summaries = await summarizeProjects(candidates.map((p) => p.projectId));
    const reviewable = candidates.filter((p) => ['endorsed', 'review'].includes(summaries.find((s) => s.projectId === p.projectId)?.lifecycle ?? ''));
    const plan = planAssignments(
      reviewable.map((p) => ({ applicationId: p.applicationId, division: p.division, institutionId: p.institutionId })),
      reviewerPool, call.policy.reviewersPerApplication, assignments,
    );
    Object.assign(assignments, plan.assignments);
    const withConflicts = patched('assignment-conflicts-v1');
    const commands: ProjectCommand[] = reviewable.flatMap((p) => [
      { projectId: p.projectId, type: 'review.start' as const, actor, payload: { closes } },
      ...(plan.assignments[p.applicationId] ?? []).map((reviewerId) => {
        const reviewer = reviewerPool.find((r) => r.id === reviewerId);
        // The reviewer's institution and conflicts travel with the assignment, so the project's law can refuse a conflicted one.
        const conflicts = reviewer && withConflicts ? { institutionId: reviewer.institutionId, conflicts: reviewer.conflicts } : {};
        return { projectId: p.projectId, type: 'reviewer.assign' as const, actor, payload: { reviewerId, ...(reviewer && { name: reviewer.name, email: reviewer.email }), ...conflicts } };
      }),
    ]);
    const record = await bulk(`written review ${scope}`, actor, commands);
    for (const s of plan.shortfalls) record.skipped.push({ projectId: projectWorkflowId(call.id, s.applicationId), type: 'reviewer.assign', reason: `only ${s.eligible} of ${s.needed} eligible reviewers in the pool` });
    // A project whose state could not be read was not started: the office sees which, and may start the round again for it.
    for (const s of summaries.filter((x) => x.unreachable)) (record.unreachable ??= []).push({ projectId: s.projectId, type: 'review.start', reason: s.unreachable! });
    return record;
  }, {
    validator: validate('call.startWrittenReview'),
  });

  // A hand assignment is the call's like its own draws: the same pool, the same conflicts carried to the
  // project's law, and recorded in the call's assignments only once the project took it.
  setHandler(assignReviewerUpdate, (args) => {
    const actor = admit('call.assignReviewer', args);
    const project = projects.find((p) => p.applicationId === args.applicationId)!;
    const reviewer = reviewerPool.find((r) => r.id === args.reviewerId)!;
    const payload = { reviewerId: reviewer.id, name: reviewer.name, email: reviewer.email, institutionId: reviewer.institutionId, conflicts: reviewer.conflicts };
    return bulk(`reviewer ${reviewer.id} assigned to ${project.applicationId}`, actor, [{ projectId: project.projectId, type: 'reviewer.assign', actor, payload }], (record) => {
      if (record.applied === 1) assignments[project.applicationId] = [...(assignments[project.applicationId] ?? []), reviewer.id];
    });
  }, {
    validator: validate('call.assignReviewer'),
  });

  /** A reviewer as the pool declares them, with the institution and conflicts the project's law checks. */
  const assignmentOf = (reviewerId: string) => {
    const reviewer = reviewerPool.find((r) => r.id === reviewerId)!;
    return { reviewerId: reviewer.id, name: reviewer.name, email: reviewer.email, institutionId: reviewer.institutionId, conflicts: reviewer.conflicts };
  };
  /** The call's own draw, made on the office's behalf when a reviewer steps down. */
  const drawer: Actor = { role: 'office', id: 'reviewer-draw' };

  // A reviewer stepping down is the call's fact like an assignment: the project withdraws them, and the call
  // draws a replacement by the round's rules from the pool less those who stepped down from that application.
  setHandler(declineReviewUpdate, (args) => {
    const actor = admit('call.declineReview', args);
    const project = projects.find((p) => p.applicationId === args.applicationId)!;
    const id = project.applicationId;
    const payload = { reason: args.reason, conflict: args.conflict === true };
    return exclusive(async () => {
      const stepped = await operate(`reviewer ${actor.id} stepped down from ${id}${payload.conflict ? ' (conflict of interest)' : ''}`, actor, [{ projectId: project.projectId, type: 'review.decline', actor, payload }]);
      if (stepped.applied !== 1) return stepped;
      assignments[id] = (assignments[id] ?? []).filter((r) => r !== actor.id);
      declined[id] = [...(declined[id] ?? []), actor.id];
      const pool = reviewerPool.filter((r) => !declined[id]!.includes(r.id));
      const plan = planAssignments([{ applicationId: id, division: project.division, institutionId: project.institutionId }], pool, call.policy.reviewersPerApplication, assignments);
      const drawn = (plan.assignments[id] ?? []).filter((r) => !assignments[id]!.includes(r));
      await operate(`replacement reviewer for ${id}`, drawer, drawn.map((reviewerId) => ({ projectId: project.projectId, type: 'reviewer.assign', actor: drawer, payload: assignmentOf(reviewerId) })), (replaced) => {
        if (replaced.applied === drawn.length) assignments[id] = [...assignments[id]!, ...drawn];
        for (const s of plan.shortfalls) replaced.skipped.push({ projectId: project.projectId, type: 'reviewer.assign', reason: `only ${s.eligible} of ${s.needed} eligible reviewers in the pool` });
      });
      return stepped;
    });
  }, {
    validator: validate('call.declineReview'),
  });

  /** Closes the open rounds of a division (or all): by the office now, or by the round's own deadline (no actor). */
  const closeRounds = async (division: Division | undefined, office?: Actor): Promise<ReviewRound[]> => {
    // Since review-close-v1 a round binds: the office's closing is sent to each of its projects (late reviews are
    // refused by their law; at the deadline each project closes its own round), and closing one division's round
    // leaves the round of the whole call open.
    const binding = patched('review-close-v1');
    const open = rounds.filter((r) => !r.closedAt && (!division || r.scope === division || (!binding && r.scope === 'all')));
    const inRound = (round: ReviewRound) => projects.filter((p) => (round.scope === 'all' || p.division === round.scope) && assignments[p.applicationId]);
    if (binding && office && open.length > 0) {
      const closing = [...new Set(open.flatMap(inRound))];
      // Kept like any bulk operation: a project that did not take the closing (unreachable) is listed for the office.
      const outcome = await applyProjectCommands(closing.map((p) => ({ projectId: p.projectId, type: 'review.close', actor: office, payload: {} })));
      operations.push({ operation: `close written review ${open.map((r) => r.scope).join(', ')}`, by: office, at: now(), ...outcome });
    }
    const summaries = await summarizeProjects(projects.filter((p) => assignments[p.applicationId]).map((p) => p.projectId));
    for (const round of open) {
      round.closedAt = now();
      round.missing = inRound(round)
        .flatMap((p) => {
          const done = summaries.find((s) => s.projectId === p.projectId)?.reviews.map((r) => r.reviewerId) ?? [];
          return assignments[p.applicationId]!.filter((id) => !done.includes(id)).map((reviewerId) => ({ projectId: p.projectId, reviewerId }));
        });
    }
    version++;
    return open;
  };
  setHandler(closeWrittenReviewUpdate, (args) => exclusive(() => closeRounds(args.division, Actor.parse(args.actor))), {
    validator: validate('call.closeWrittenReview'),
  });

  const ranking = async (purpose: 'invitation' | 'decisionMeeting') => {
    const read = await summarizeProjects(projects.filter((p) => assignments[p.applicationId]).map((p) => p.projectId));
    // Since rank-live-v1 only live applications are ranked: a withdrawn or rejected one takes no place in the top N.
    const summaries = patched('rank-live-v1') ? read.filter((s) => rankable(s, purpose)) : read;
    return rankByDivision(summaries.map((s) => {
      const p = projects.find((x) => x.projectId === s.projectId)!;
      return { projectId: s.projectId, applicationId: p.applicationId, division: p.division, writtenScores: s.reviews.map((r) => r.score), panelScore: s.panelScore };
    }));
  };

  setHandler(invitePresentationsUpdate, async (args) => {
    const actor = admit('call.invitePresentations', args);
    move('presentation.start', actor);
    let chosen: string[] = args.applicationIds ?? [];
    if (args.topPerDivision !== undefined) {
      chosen = Object.values(await ranking('invitation')).flatMap((list) => list.slice(0, args.topPerDivision).map((r) => r.applicationId));
    }
    for (const id of chosen) if (!invited.includes(id)) invited.push(id);
    return bulk('presentation invitations', actor, chosen.map((id) => ({ projectId: projectWorkflowId(call.id, id), type: 'presentation.invite', actor, payload: {} })));
  }, {
    validator: validate('call.invitePresentations'),
  });

  setHandler(schedulePresentationsUpdate, (args) => {
    const actor = admit('call.schedulePresentations', args);
    // Each division presents in its own room, one slot after another in invitation order.
    const perDivision = new Map<string, number>();
    const commands: ProjectCommand[] = invited.map((id) => {
      const project = projects.find((p) => p.applicationId === id)!;
      const n = perDivision.get(project.division) ?? 0;
      perDivision.set(project.division, n + 1);
      let slot = new Date(args.startsAt);
      for (let i = 0; i < n; i++) slot = addDuration(slot, call.policy.presentationSlotLength);
      slots[id] = slot.toISOString();
      return { projectId: project.projectId, type: 'presentation.schedule', actor, payload: { slot: slot.toISOString(), venue: `${project.division} 簡報室` } };
    });
    return bulk('presentation schedule', actor, commands);
  }, {
    validator: validate('call.schedulePresentations'),
  });

  setHandler(startDecisionMeetingUpdate, (args) => {
    const actor = admit('call.startDecisionMeeting', args);
    move('decision.start', actor);
    return exclusive(() => ranking('decisionMeeting'));
  }, { validator: validate('call.startDecisionMeeting') });

  setHandler(announceUpdate, (args) => {
    const actor = admit('call.announce', args);
    move('decision.announce', actor);
    // Since announce-all-v1 the announcement decides every endorsed project, reviewed or not (its law rejects the undecided, with the reason).
    const announced = patched('announce-all-v1') ? projects.filter((p) => assignments[p.applicationId] || onRoster(p)) : projects.filter((p) => assignments[p.applicationId]);
    return bulk('announcement', actor, announced.map((p) => ({ projectId: p.projectId, type: 'decision.announce', actor, payload: {} })));
  }, { validator: validate('call.announce') });

  setHandler(amendDeadlineUpdate, (args) => {
    const actor = admit('call.amendDeadline', args);
    const amendment: CallAmendment = { deadline: args.deadline, until: new Date(args.until).toISOString(), reason: args.reason.trim(), by: actor, at: now() };
    amendments.push(amendment);
    calendar = args.deadline === 'application'
      ? { ...calendar, applicationWindow: { ...calendar.applicationWindow, closes: amendment.until } }
      : { ...calendar, endorsementDeadline: amendment.until };
    version++;
    // Every project registered so far moves the same deadline in its own law, recorded with who and why;
    // since amend-call-scope-v1 marked as the call's, so a project's own later extension stands.
    const scope = patched('amend-call-scope-v1') ? { scope: 'call' as const } : {};
    return bulk(`${args.deadline} deadline moved to ${amendment.until}`, actor, projects.map((p) => ({
      projectId: p.projectId, type: 'deadline.amend', actor, payload: { deadline: args.deadline, until: amendment.until, reason: amendment.reason, ...scope },
    })));
  }, {
    validator: validate('call.amendDeadline'),
  });

  setHandler(closeCallUpdate, (args) => {
    move('call.close', admit('call.close', args));
    return Promise.resolve(state());
  }, { validator: validate('call.close') });

  const view = (): CallView => ({ callId: call.id, state: state(), projects, rosters, assignments, rounds, invited, slots, operations, reviewerPool, ...(amendments.length > 0 && { amendments }) });
  // The query adds the call's title and calendar (the pages' deadlines); a query writes no history.
  setHandler(callStatusQuery, () => ({ ...view(), title: call.title, calendar, policy: call.policy }));

  const system: Actor = { role: 'system', id: 'deadline-timer' };
  const nextTimer = (): { at: string; fire: () => Promise<unknown> } | undefined => {
    const timers: { at: string; fire: () => Promise<unknown> }[] = [];
    if (state() === 'open') timers.push({ at: calendar.applicationWindow.closes, fire: () => Promise.resolve(move('deadline.application', system)) });
    if (state() === 'applicationsClosed') timers.push({ at: calendar.endorsementDeadline, fire: () => Promise.resolve(move('deadline.endorsement', system)) });
    for (const round of rounds.filter((r) => !r.closedAt)) {
      timers.push({ at: round.deadline, fire: () => exclusive(() => closeRounds(round.scope === 'all' ? undefined : round.scope)) });
    }
    return timers.sort((a, b) => byCodePoint(a.at, b.at))[0];
  };

  upsertSearchAttributes([{ key: keys.callId, value: call.id }, { key: keys.rocYear, value: call.rocYear }, { key: keys.state, value: state() }]);
  while (snapshot.status !== 'done') {
    // A call of hundreds of applications and years of operations would outgrow one history: its state moves to a new run.
    if ((workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > continueAsNewAfterEvents) && patched('call-continue-as-new-v1')) {
      do {
        await condition(allHandlersFinished);
        await audit.settled();
      } while (!allHandlersFinished());
      return await continueAsNew<typeof callWorkflow>({
        call, reviewerPool, continueAsNewAfterEvents,
        carried: {
          snapshot: callMachine.getPersistedSnapshot(snapshot), calendar, amendments, projects, rosters, assignments, rounds, invited, slots, operations, transitions,
          ...(Object.keys(declined).length > 0 && { declined }),
        },
      });
    }
    const timer = nextTimer();
    const seen = version;
    if (timer && Date.parse(timer.at) <= Date.now()) {
      await timer.fire();
      continue;
    }
    if (timer) await condition(() => version !== seen, Date.parse(timer.at) - Date.now());
    else await condition(() => version !== seen);
  }
  await condition(allHandlersFinished);
  await audit.settled();
  return view();
}
