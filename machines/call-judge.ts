import type { InstitutionAddress } from '../domain/institutions';
import { withRegisteredInstitution } from './notice-addresses';
import { z } from 'zod';
import { Actor } from '../domain/actor';
import { AmendDeadlineBody, EmptyBody, Id, InviteBody, RegisterApplicationBody, RosterBody, ScheduleBody, ScopeBody } from '../domain/api';
import type { Application, Division } from '../domain/application';
import { LongText } from '../domain/bounds';
import type { CallCalendar } from '../domain/call';
import { addDuration } from '../domain/duration';
import { defaultAmendmentLeadTime, defaultMaxApplicationsPerPi, type ProgrammePolicy } from '../domain/policy';
import { formatRocDate, formatTaipeiIso } from '../domain/roc-date';
import { callCommands, missedDeadline, type CallCommand } from './call-machine';
import type { Refusal } from './judge';
import { logInProblem } from './access';
import { registrationProblem, rosterProblem } from './ownership';

/** One schema per call command: what it carries besides who sends it. The API's request bodies, so the door and the call agree. */
export const callCommandBodies = {
  'call.registerApplication': RegisterApplicationBody,
  'call.submitRoster': RosterBody,
  'call.assignReviewer': z.object({ applicationId: Id, reviewerId: Id }).strict(),
  'call.declineReview': z.object({ applicationId: Id, reason: LongText().trim().min(1, 'say why you step down'), conflict: z.boolean() }).strict(),
  'call.startWrittenReview': ScopeBody,
  'call.closeWrittenReview': ScopeBody,
  'call.invitePresentations': InviteBody,
  'call.schedulePresentations': ScheduleBody,
  'call.startDecisionMeeting': EmptyBody,
  'call.announce': EmptyBody,
  'call.close': EmptyBody,
  'call.amendDeadline': AmendDeadlineBody,
} satisfies Record<CallCommand, z.ZodType>;

/** What the call's law reads of a call: where it stands, its calendar and policy, and its records. */
export interface CallStanding {
  callId: string;
  state: string;
  calendar: CallCalendar;
  policy: ProgrammePolicy;
  projects: readonly { applicationId: string; projectId: string; institutionId: string; piId?: string; division: Division; phase1ProjectId?: string }[];
  /** Applications being registered now (their projects not started yet). */
  registering: readonly Pick<Application, 'id' | 'pi' | 'phase'>[];
  assignments: Readonly<Record<string, readonly string[]>>;
  rounds: readonly { scope: Division | 'all'; closedAt: string | null }[];
  reviewerPool: readonly { id: string }[];
  /** The office's registry of institutions, when the call was opened with one. */
  institutions?: readonly InstitutionAddress[];
}

const refuse = (code: Refusal['code'], message: string, details: string[] = []): Refusal => ({ ok: false, code, message, details });

/**
 * The two checks that need no call: the command's schema and the acting role, a person's with who
 * authenticated them (`via`: every call command comes from outside). The client asks them before sending.
 */
export function checkCallBodyAndRole(command: CallCommand, args: unknown): Refusal | { ok: true; actor: Actor; body: Record<string, unknown> } {
  const { actor: rawActor, ...rest } = (args ?? {}) as { actor?: unknown };
  const actor = Actor.safeParse(rawActor);
  if (!actor.success) return refuse('INVALID_PAYLOAD', `${command} was refused: name the acting role and id (actor: { role, id }).`);
  const body = callCommandBodies[command].safeParse(rest);
  if (!body.success) {
    const details = body.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`);
    return refuse('INVALID_PAYLOAD', `${command} was refused: ${details.join('; ')}.`, details);
  }
  const roles: readonly string[] = callCommands[command].roles;
  if (!roles.includes(actor.data.role))
    return refuse('ROLE_NOT_ALLOWED', `${command} may be sent only by ${roles.join(' or ')}, not by ${actor.data.role} ${actor.data.id}.`);
  const unvouched = logInProblem(command, actor.data);
  if (unvouched) return refuse('FORBIDDEN', unvouched);
  return { ok: true, actor: actor.data, body: body.data };
}

/** The call's state for a command sent in another: the deadline it missed, or the states it is possible in. */
export function stateProblem(call: CallStanding, command: CallCommand): string | null {
  const states: readonly string[] = callCommands[command].states;
  if (states.includes(call.state)) return null;
  const late = missedDeadline(command, call.state, call.calendar, call.callId);
  if (late) return late;
  const when =
    call.state === 'applicationsClosed'
      ? ` (applications closed ${formatRocDate(call.calendar.applicationWindow.closes)})`
      : call.state === 'endorsementsClosed'
        ? ` (endorsements closed ${formatRocDate(call.calendar.endorsementDeadline)})`
        : '';
  return `${command} is not possible while call ${call.callId} is ${call.state}${when}; it is possible when the call is ${states.join(' or ')}.`;
}

const projectIn = (call: CallStanding, id: unknown) => call.projects.find((p) => p.applicationId === id);
const notRegistered = (call: CallStanding, id: unknown) => refuse('INVALID_PAYLOAD', `Application ${String(id)} is not registered in call ${call.callId}.`);
const closedRound = (call: CallStanding, division?: Division) => call.rounds.find((r) => r.closedAt && (r.scope === 'all' || r.scope === division));
const roundName = (call: CallStanding, scope: Division | 'all') => (scope === 'all' ? `call ${call.callId}` : `division ${scope}`);

/** Whose application it is: the registering PI's, the rostering institution's, the stepping-down reviewer's. */
function ownerRefusal(call: CallStanding, command: CallCommand, actor: Actor, body: unknown): Refusal | null {
  switch (command) {
    case 'call.registerApplication': {
      const problem = registrationProblem(actor, (body as z.infer<typeof RegisterApplicationBody>).application);
      return problem ? refuse('FORBIDDEN', problem) : null;
    }
    case 'call.submitRoster':
      for (const id of (body as z.infer<typeof RosterBody>).applicationIds) {
        const p = projectIn(call, id);
        if (!p) return notRegistered(call, id);
        const problem = rosterProblem(actor, p);
        if (problem) return refuse('FORBIDDEN', problem);
      }
      return null;
    case 'call.declineReview': {
      const { applicationId } = body as { applicationId: string };
      if (!projectIn(call, applicationId)) return notRegistered(call, applicationId);
      if (!(call.assignments[applicationId] ?? []).includes(actor.id)) {
        return refuse(
          'FORBIDDEN',
          `review.decline was refused: reviewer ${actor.id} is not assigned to application ${applicationId}; a reviewer steps down only from applications assigned to them.`,
        );
      }
      return null;
    }
    default:
      return null;
  }
}

/** A registration against the call's records: a new id, within the PI's allowance, one phase 2 per phase-1 project. */
function registrationRefusal(call: CallStanding, actor: Actor, application: z.infer<typeof RegisterApplicationBody>['application']): Refusal | null {
  if (projectIn(call, application.id) || call.registering.some((a) => a.id === application.id)) {
    return refuse('INVALID_PAYLOAD', `Application ${application.id} is already registered in call ${call.callId}; choose another application id.`);
  }
  const addressed = withRegisteredInstitution(application, call.institutions);
  if (!addressed.ok) return refuse('FORBIDDEN', addressed.problem);
  const most = call.policy.maxApplicationsPerPi ?? defaultMaxApplicationsPerPi;
  const mine = new Set([
    ...call.projects.filter((p) => p.piId === actor.id).map((p) => p.applicationId),
    ...call.registering.filter((a) => a.pi.id === actor.id).map((a) => a.id),
  ]);
  if (mine.size >= most)
    return refuse(
      'FORBIDDEN',
      `call.registerApplication was refused: ${actor.id} has registered ${mine.size} applications in call ${call.callId}, the most one PI may register in one call (policy maxApplicationsPerPi).`,
    );
  // Two phase 2s of one phase-1 project in this call: the second is refused before history (across calls the store's claim decides).
  const phase1 = application.phase.phase === 2 ? application.phase.phase1ProjectId : undefined;
  const rival =
    phase1 &&
    [
      ...call.projects.filter((p) => p.phase1ProjectId === phase1).map((p) => p.projectId),
      ...call.registering.filter((a) => a.phase.phase === 2 && a.phase.phase1ProjectId === phase1).map((a) => `project:${call.callId}:${a.id}`),
    ][0];
  return rival
    ? refuse(
        'FORBIDDEN',
        `call.registerApplication was refused: phase.phase1ProjectId ${phase1} is already continued by ${rival}; an alliance has one phase 2.`,
      )
    : null;
}

/** A moved deadline: still ahead, and the application deadline still before the endorsement one, which stays before the review ends. */
/**
 * A call-wide move must reach every project before the old instant (or the new) comes: both must be
 * at least the policy's lead time ahead. Closer than that, the office extends single projects.
 */
function leadTimeProblem(call: CallStanding, deadline: 'application' | 'endorsement', until: number, nowMs: number): Refusal | null {
  const lead = call.policy.amendmentLeadTime ?? defaultAmendmentLeadTime;
  const earliest = addDuration(new Date(nowMs), lead).getTime();
  const current = deadline === 'application' ? call.calendar.applicationWindow.closes : call.calendar.endorsementDeadline;
  const name = deadline === 'application' ? 'application deadline' : 'endorsement deadline';
  const advice = `a call-wide move reaches its projects one by one and must be made at least ${lead} (policy.amendmentLeadTime) ahead; extend single projects with their own deadline.amend instead.`;
  if (Date.parse(current) < earliest)
    return refuse(
      'ILLEGAL_TRANSITION',
      `The ${name} of call ${call.callId} comes at ${formatRocDate(current, { withTime: true })} (${formatTaipeiIso(current)}): too soon to move for the whole call; ${advice}`,
    );
  if (until < earliest) return refuse('INVALID_PAYLOAD', `until: ${new Date(until).toISOString()} is too soon; ${advice}`);
  return null;
}

function amendmentRefusal(call: CallStanding, body: z.infer<typeof AmendDeadlineBody>, nowMs: number): Refusal | null {
  const { deadline, until: text } = body;
  const until = Date.parse(text);
  const { applicationWindow, endorsementDeadline, reviewPeriod } = call.calendar;
  if (until <= nowMs) return refuse('INVALID_PAYLOAD', `until: ${text} has already passed; choose a later time.`);
  if (deadline === 'application' && call.state !== 'open')
    return refuse(
      'ILLEGAL_TRANSITION',
      `The application deadline of call ${call.callId} has passed (${formatRocDate(applicationWindow.closes)}); it can no longer move.`,
    );
  const tooClose = leadTimeProblem(call, deadline, until, nowMs);
  if (tooClose) return tooClose;
  if (deadline === 'application' && until >= Date.parse(endorsementDeadline))
    return refuse(
      'INVALID_PAYLOAD',
      `until: the application deadline must stay before the endorsement deadline (${formatRocDate(endorsementDeadline)}); move that one first.`,
    );
  if (deadline === 'endorsement' && until <= Date.parse(applicationWindow.closes))
    return refuse('INVALID_PAYLOAD', `until: the endorsement deadline must stay after the application deadline (${formatRocDate(applicationWindow.closes)}).`);
  if (deadline === 'endorsement' && until >= Date.parse(reviewPeriod.closes))
    return refuse('INVALID_PAYLOAD', `until: the endorsement deadline must stay before the review period ends (${formatRocDate(reviewPeriod.closes)}).`);
  return null;
}

/** The call's records: what the command would contradict in them. */
function recordsRefusal(call: CallStanding, command: CallCommand, actor: Actor, body: unknown, nowMs: number): Refusal | null {
  switch (command) {
    case 'call.registerApplication':
      return registrationRefusal(call, actor, (body as z.infer<typeof RegisterApplicationBody>).application);
    case 'call.startWrittenReview': {
      // A closed round binds: starting it again would hand its projects a deadline already past.
      const scope = (body as { division?: Division }).division ?? 'all';
      const closed = call.rounds.find((r) => r.scope === scope && r.closedAt);
      return closed
        ? refuse('ILLEGAL_TRANSITION', `The written review of ${roundName(call, closed.scope)} closed at ${closed.closedAt}; a closed round does not reopen.`)
        : null;
    }
    case 'call.assignReviewer': {
      const { applicationId, reviewerId } = body as { applicationId: string; reviewerId: string };
      const p = projectIn(call, applicationId);
      if (!p) return notRegistered(call, applicationId);
      if (!call.reviewerPool.some((r) => r.id === reviewerId))
        return refuse(
          'INVALID_PAYLOAD',
          `Reviewer ${reviewerId} is not in the reviewer pool of call ${call.callId}; assign one of its ${call.reviewerPool.length} reviewers.`,
        );
      if ((call.assignments[applicationId] ?? []).includes(reviewerId))
        return refuse('ILLEGAL_TRANSITION', `reviewer.assign was refused: reviewer ${reviewerId} is already assigned to application ${applicationId}.`);
      const closed = closedRound(call, p.division);
      return closed
        ? refuse(
            'ILLEGAL_TRANSITION',
            `reviewer.assign was refused: the written review of ${roundName(call, closed.scope)} closed at ${closed.closedAt}; no reviewer is assigned after it.`,
          )
        : null;
    }
    case 'call.declineReview': {
      const closed = closedRound(call, projectIn(call, (body as { applicationId: string }).applicationId)!.division);
      return closed
        ? refuse('ILLEGAL_TRANSITION', `review.decline was refused: the written review of ${roundName(call, closed.scope)} closed at ${closed.closedAt}.`)
        : null;
    }
    case 'call.invitePresentations':
      for (const id of (body as { applicationIds?: string[] }).applicationIds ?? []) if (!projectIn(call, id)) return notRegistered(call, id);
      return null;
    case 'call.amendDeadline':
      return amendmentRefusal(call, body as z.infer<typeof AmendDeadlineBody>, nowMs);
    default:
      return null;
  }
}

/**
 * The four checks every call command passes before it may touch the call, in the order `judge`
 * asks them of a project: its schema, the acting role, whose application it is, and the call's
 * state and records. Pure: the call workflow's validators ask it, so a refused command never enters
 * the call's history.
 */
export function judgeCall(call: CallStanding, command: CallCommand, args: unknown, nowMs: number): Refusal | { ok: true; actor: Actor } {
  const checked = checkCallBodyAndRole(command, args);
  if (!checked.ok) return checked;
  const { actor, body } = checked;
  const owner = ownerRefusal(call, command, actor, body);
  if (owner) return owner;
  const wrongState = stateProblem(call, command);
  if (wrongState) return refuse('ILLEGAL_TRANSITION', wrongState);
  return recordsRefusal(call, command, actor, body, nowMs) ?? { ok: true, actor };
}
