import { __unsafe_getAllOwnEventDescriptors, transition } from 'xstate';
import type { Actor, Role } from '../domain/actor';
import { incomingPayloads, projectEventPayloads, type ProjectEvent, type ProjectEventType } from '../domain/project-events';
import { basisPoints, checkApplication, checkApprovedAmounts, trancheCapNtd } from '../domain/rules';
import { logInProblem } from './access';
import { ownershipProblem } from './ownership';
import { projectEventRoles, type ProjectSnapshot } from './project-machine';
import { describeState, isAnnounced, lifecycleState } from './state-names';
import { lawOf } from './law';
import { trancheWindow } from './project-clock';
import { defaultTranchePolicy } from '../domain/policy';
import { formatRocDate } from '../domain/roc-date';
import { attachRefusal } from './documents';

export type { ProjectSnapshot } from './project-machine';

/** Which of the three checks refused a command. */
export type RefusalCode = 'INVALID_PAYLOAD' | 'ROLE_NOT_ALLOWED' | 'FORBIDDEN' | 'ILLEGAL_TRANSITION';

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
  /** One line per problem (schema issues, rule violations). */
  details: string[];
}

export interface Verdict {
  ok: true;
  event: ProjectEvent;
}

export interface Command {
  type: string;
  actor: Actor;
  payload: unknown;
}

const isEventType = (type: string): type is ProjectEventType => Object.hasOwn(projectEventPayloads, type);

/** Event types the current state handles at all, before guards. */
export function handledEventTypes(snapshot: ProjectSnapshot): ProjectEventType[] {
  return __unsafe_getAllOwnEventDescriptors(snapshot).filter(isEventType);
}

/** What a UI would offer each role now (payload-dependent guards are checked when the command is sent). */
export function offeredEvents(snapshot: ProjectSnapshot): Record<Role, ProjectEventType[]> {
  const handled = handledEventTypes(snapshot);
  const roles: Role[] = ['office', 'pi', 'institution', 'reviewer', 'system', 'auditor'];
  return Object.fromEntries(roles.map((role) => [role, handled.filter((type) => projectEventRoles[type].includes(role))])) as Record<Role, ProjectEventType[]>;
}

/**
 * The two checks that need no state: the payload's schema and the acting role. A command from
 * outside the workflow may never act as `system`: those events come only from its timers; a
 * person's carries who authenticated them (`via`, `logInProblem`).
 */
export function checkPayloadAndRole(
  type: ProjectEventType,
  actor: Actor,
  payload: unknown,
  options: { fromOutside?: boolean } = {},
): Refusal | { ok: true; payload: object } {
  const parsed = (options.fromOutside ? incomingPayloads : projectEventPayloads)[type].safeParse(payload ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
    return refuse('INVALID_PAYLOAD', `${type} was refused: its payload is invalid — ${details.join('; ')}.`, details);
  }
  if (options.fromOutside && actor.role === 'system') {
    return refuse('ROLE_NOT_ALLOWED', `${type} was refused: system events come only from the project's deadline timers.`);
  }
  const roles = projectEventRoles[type];
  if (!roles.includes(actor.role)) {
    return refuse('ROLE_NOT_ALLOWED', `${type} may be sent only by ${roles.join(' or ')}, not by ${actor.role} ${actor.id}.`);
  }
  const unvouched = options.fromOutside ? logInProblem(type, actor) : null;
  if (unvouched) return refuse('FORBIDDEN', unvouched);
  return { ok: true, payload: parsed.data };
}

export interface JudgeOptions {
  /** The command comes from a person through the door, never from the project's own timers. */
  fromOutside?: boolean;
  /**
   * Whether to ask whose project it is (default yes). The workflow's update handler passes false:
   * its validator has just asked, and histories recorded before ownership was law must replay.
   */
  ownership?: boolean;
}

/**
 * The four checks every command passes before it may touch a project, in order: the payload's
 * schema, the acting role, whose project it is, and the machine (state and guards). Pure; the
 * workflow's update validators call it so that a refused command never enters history.
 */
export function judge(snapshot: ProjectSnapshot, command: Command, at: string, options: JudgeOptions = {}): Verdict | Refusal {
  if (!isEventType(command.type)) {
    return refuse('INVALID_PAYLOAD', `"${command.type}" is not a project command; use one of: ${Object.keys(projectEventPayloads).join(', ')}.`);
  }
  const type = command.type;
  const checked = checkPayloadAndRole(type, command.actor, command.payload, options);
  if (!checked.ok) return checked;
  if (options.ownership !== false) {
    const problem = ownershipProblem(snapshot.context, type, command.actor, checked.payload);
    if (problem) return refuse('FORBIDDEN', problem);
  }
  const event = { ...checked.payload, type, actor: command.actor, at } as ProjectEvent;
  if (snapshot.can(event)) return { ok: true, event };
  return explainIllegal(snapshot, event);
}

function refuse(code: RefusalCode, message: string, details: string[] = []): Refusal {
  return { ok: false, code, message, details };
}

/** Why the machine said no, in words a person can act on. */
function explainIllegal(snapshot: ProjectSnapshot, event: ProjectEvent): Refusal {
  // A refusal tells the sender no more of the state than their view of the project would.
  const outsider = !['office', 'auditor', 'system'].includes(event.actor.role) && !isAnnounced(lifecycleState(snapshot.value));
  const where = outsider
    ? describeState(typeof snapshot.value === 'object' && 'review' in snapshot.value ? 'review' : snapshot.value)
    : describeState(snapshot.value);
  const handled = handledEventTypes(snapshot);
  if (snapshot.status === 'done') {
    return refuse(
      'ILLEGAL_TRANSITION',
      `${event.type} was refused: the project has ended (${where})${snapshot.context.endReason ? ` — ${snapshot.context.endReason}` : ''}; it accepts nothing more.`,
    );
  }
  // A document's step is its kind's: say which step takes it, not what else the role may send.
  if (event.type === 'document.attach')
    return refuse(
      'ILLEGAL_TRANSITION',
      `document.attach was refused: ${attachRefusal(snapshot.context.policy, event, event.actor.role, lawOf(snapshot.context))}`,
    );
  if (!handled.includes(event.type)) {
    const offered = handled.filter((t) => projectEventRoles[t].includes(event.actor.role));
    return refuse(
      'ILLEGAL_TRANSITION',
      `${event.type} is not possible while the project is ${where}; ${event.actor.role} may now send ${offered.length ? offered.join(', ') : 'nothing'}.`,
    );
  }
  const context = snapshot.context;
  const details = (() => {
    switch (event.type) {
      case 'application.submit':
        return checkApplication(context.application, context.policy).map((v) => `${v.code}: ${v.message}`);
      case 'decision.record': {
        if (event.outcome !== 'approved') return ['A rejection is recorded after the presentation review or straight from the written review.'];
        const limits = checkApprovedAmounts(event.amountsNtd, context.application, context.policy).map((v) => `${v.code}: ${v.message}`);
        return limits.length
          ? limits
          : ["An approval follows the presentation review, or the office's recorded waiver of it (presentation.waive, with the reason)."];
      }
      case 'review.close':
        return [`The written-review round of this application closed at ${context.reviewClosedAt}.`];
      case 'deadline.amend':
        return event.until <= event.at
          ? [`The new ${event.deadline} deadline (${event.until}) has already passed; choose a later time.`]
          : [`The project does not wait on its ${event.deadline} deadline while it is ${where}.`];
      case 'reviewer.assign':
        if (context.reviewClosedAt)
          return [`The written-review round of this application closed at ${context.reviewClosedAt}; no reviewer is assigned after it.`];
        return [`Reviewer ${event.reviewerId} is already assigned to this application.`];
      case 'review.decline':
        if (context.reviewClosedAt && context.reviewers.includes(event.actor.id))
          return [`The written-review round of this application closed at ${context.reviewClosedAt}; a reviewer steps down before it closes.`];
        return context.reviews.some((r) => r.reviewerId === event.actor.id)
          ? [`Reviewer ${event.actor.id} has already recorded a review of this application; a recorded review is not withdrawn.`]
          : [`Reviewer ${event.actor.id} is not assigned to this application.`];
      case 'review.record':
        if (context.reviewClosedAt && context.reviewers.includes(event.actor.id))
          return [`The written-review round of this application closed at ${context.reviewClosedAt}; late reviews are not recorded.`];
        return context.reviews.some((r) => r.reviewerId === event.actor.id)
          ? [`Reviewer ${event.actor.id} has already recorded a review of this application.`]
          : [`Reviewer ${event.actor.id} is not assigned to this application.`];
      case 'tranche.request': {
        const year = context.projectYear;
        if (year > 1 && !context.acceptedReports.includes(year - 1)) {
          return [`Year ${year}'s tranches are withheld until the progress report of year ${year - 1} is accepted.`];
        }
        const tranche = snapshot.matches({ execution: { funding: 'awaitingSecondTranche' } }) ? 1 : 0;
        const rules = context.policy.tranches ?? defaultTranchePolicy;
        const approved = context.decision?.outcome === 'approved' ? (context.decision.amountsNtd[year - 1] ?? 0) : 0;
        const share = trancheCapNtd(approved, rules.maxShares, tranche);
        const paid = context.disbursements.filter((d) => d.year === year).reduce((sum, d) => sum + d.amountNtd, 0);
        if (lawOf(context) >= 2 && event.amountNtd > share && paid + event.amountNtd <= approved) {
          return [
            `Tranche ${tranche + 1} may take at most ${basisPoints(rules.maxShares[tranche]!) / 100} % of year ${year}'s approved NT$${approved.toLocaleString('en-US')}, that is NT$${share.toLocaleString('en-US')}.`,
          ];
        }
        if (lawOf(context) >= 2 && context.carriedTranche) {
          return [`The tranche of year ${context.carriedTranche.year} carried past its year's end is paid before another is requested.`];
        }
        const windows = (tranche === 0 ? ([0, 1] as const) : ([1] as const)).map((i) => trancheWindow(context, i)).filter((w) => w !== undefined);
        if (lawOf(context) >= 2 && rules.windows === 'enforced' && windows.length && !windows.some((w) => event.at >= w.opens && event.at < w.closes)) {
          return [
            `Tranche ${tranche + 1} of year ${year} is requested between ${windows.map((w) => `${formatRocDate(w.opens)} and ${formatRocDate(w.closes)}`).join(', or ')}.`,
          ];
        }
        return [`NT$${event.amountNtd.toLocaleString('en-US')} would exceed the amount approved for year ${year}.`];
      }
      case 'closingReport.accept':
        return context.carriedTranche
          ? [`The tranche of year ${context.carriedTranche.year} carried past its year's end is paid before the project closes.`]
          : [`The conditions for ${event.type} are not met while the project is ${where}.`];
      case 'exhibition.select':
        return (context.exhibitions ?? []).some((x) => x.year === event.year)
          ? [`The alliance is already selected for the exhibition of year ${event.year}'s results.`]
          : [`The alliance has no accepted results of project year ${event.year} to exhibit.`];
      case 'tranche.pay':
        return context.carriedTranche
          ? [`The tranche of year ${context.carriedTranche.year} carried past its year's end is paid first.`]
          : [`No tranche is waiting to be paid.`];
      default:
        return [`The conditions for ${event.type} are not met while the project is ${where}.`];
    }
  })();
  return refuse('ILLEGAL_TRANSITION', `${event.type} was refused: ${details.join(' ')}`, details);
}

/** Applies an accepted event through XState's pure transition(). */
export function apply(snapshot: ProjectSnapshot, event: ProjectEvent): ProjectSnapshot {
  // Each snapshot carries the version of the law it runs under.
  const [next] = transition(snapshot.machine, snapshot, event);
  return next as ProjectSnapshot;
}

/** One command of a batch, judged and applied: the state before, the event, the state after. */
export interface BatchStep {
  before: ProjectSnapshot;
  event: ProjectEvent;
  after: ProjectSnapshot;
}

/**
 * Judges commands in order, each against the state the ones before it leave (all four checks for
 * each): every step, or the first refusal, saying which command of the batch it was.
 */
export function judgeInOrder(
  snapshot: ProjectSnapshot,
  commands: readonly Command[],
  at: string,
  options: JudgeOptions = {},
): { ok: true; steps: BatchStep[] } | Refusal {
  const steps: BatchStep[] = [];
  let current = snapshot;
  for (const [i, command] of commands.entries()) {
    const verdict = judge(current, command, at, options);
    if (!verdict.ok) return { ...verdict, message: `command ${i + 1} of ${commands.length} (${command.type}): ${verdict.message}` };
    const after = apply(current, verdict.event);
    steps.push({ before: current, event: verdict.event, after });
    current = after;
  }
  return { ok: true, steps };
}
