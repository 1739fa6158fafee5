import { assign, setup } from 'xstate';
import type { Actor, Role } from '../domain/actor';
import type { CallCalendar } from '../domain/call';
import { formatRocDate, formatRocDateChinese, formatTaipeiIso } from '../domain/roc-date';
import { applyRecord, type CallContext, type RecordEvent } from './call-records';

type CallEventType =
  'deadline.application' | 'deadline.endorsement' | 'review.start' | 'presentation.start' | 'decision.start' | 'decision.announce' | 'call.close';

export type CallEvent = { type: CallEventType; actor: Actor; at: string };

export const callEventRoles: Record<CallEventType, readonly Role[]> = {
  'deadline.application': ['system'],
  'deadline.endorsement': ['system'],
  'review.start': ['office'],
  'presentation.start': ['office'],
  'decision.start': ['office'],
  'decision.announce': ['office'],
  'call.close': ['office'],
};

/**
 * The life of one call: open for applications, closed to applications, closed to endorsements,
 * then the three review steps, announcement and closing. Projects outlive their call. Its context
 * is the call's records (call-records.ts), changed by record events in every state until it closes.
 */
export const callMachine = setup({
  types: { context: {} as CallContext, events: {} as CallEvent | RecordEvent, input: {} as CallContext },
  actions: {
    // Taken only on `record.*` events (the root's one transition below).
    record: assign(({ context, event }) => applyRecord(context, event as RecordEvent)),
  },
}).createMachine({
  id: 'call',
  initial: 'open',
  context: ({ input }) => input,
  on: { 'record.*': { actions: 'record' } },
  states: {
    open: { on: { 'deadline.application': 'applicationsClosed' } },
    applicationsClosed: { on: { 'deadline.endorsement': 'endorsementsClosed' } },
    endorsementsClosed: { on: { 'review.start': 'onlineReview' } },
    onlineReview: { on: { 'presentation.start': 'presentationReview' } },
    presentationReview: { on: { 'decision.start': 'finalDecision' } },
    finalDecision: { on: { 'decision.announce': 'announced' } },
    announced: { on: { 'call.close': 'closed' } },
    closed: { type: 'final' },
  },
});

/**
 * The office's and institutions' commands on a call: who may send each, in which call states, and
 * the machine event it moves the call with (if any). A command in another state is refused.
 */
export const callCommands = {
  'call.registerApplication': { roles: ['pi'], states: ['open'] },
  'call.submitRoster': { roles: ['institution'], states: ['open', 'applicationsClosed'] },
  /**
   * A reviewer assigned by hand to one application: the call records it beside its own draws, so the
   * reviewer's work list and the round's missing reviews know of it. Until the decision meeting: the
   * project's law decides whether its own review has started and its round is still open.
   */
  'call.assignReviewer': { roles: ['office'], states: ['open', 'applicationsClosed', 'endorsementsClosed', 'onlineReview', 'presentationReview'] },
  /**
   * An assigned reviewer steps down before reviewing (a conflict found late, or no time): withdrawn
   * from the application, and a replacement drawn from the pool by the same rules as the round's.
   */
  'call.declineReview': { roles: ['reviewer'], states: ['open', 'applicationsClosed', 'endorsementsClosed', 'onlineReview', 'presentationReview'] },
  'call.startWrittenReview': { roles: ['office'], states: ['endorsementsClosed', 'onlineReview'], event: 'review.start' },
  'call.closeWrittenReview': { roles: ['office'], states: ['onlineReview'] },
  /** From the call's review start on; one project invited by hand may come earlier, when the office started its review by hand (its law decides). */
  'call.invitePresentations': {
    roles: ['office'],
    states: ['open', 'applicationsClosed', 'endorsementsClosed', 'onlineReview', 'presentationReview'],
    event: 'presentation.start',
  },
  'call.schedulePresentations': { roles: ['office'], states: ['presentationReview'] },
  'call.startDecisionMeeting': { roles: ['office'], states: ['presentationReview', 'finalDecision'], event: 'decision.start' },
  'call.announce': { roles: ['office'], states: ['finalDecision', 'announced'], event: 'decision.announce' },
  'call.close': { roles: ['office'], states: ['announced'], event: 'call.close' },
  /** A deadline moves only while it is still ahead: the application deadline while the call is open. */
  'call.amendDeadline': { roles: ['office'], states: ['open', 'applicationsClosed'] },
} as const satisfies Record<string, { roles: readonly Role[]; states: readonly string[]; event?: CallEventType }>;
export type CallCommand = keyof typeof callCommands;

/** The call's deadline a command waits on: once it has passed, the command is refused naming it. */
const commandDeadlines: Partial<Record<CallCommand, { deadline: 'application' | 'endorsement'; closedIn: readonly string[] }>> = {
  'call.registerApplication': {
    deadline: 'application',
    closedIn: ['applicationsClosed', 'endorsementsClosed', 'onlineReview', 'presentationReview', 'finalDecision', 'announced', 'closed'],
  },
  'call.submitRoster': {
    deadline: 'endorsement',
    closedIn: ['endorsementsClosed', 'onlineReview', 'presentationReview', 'finalDecision', 'announced', 'closed'],
  },
};

/**
 * Why a command came too late, when it did: the deadline it missed (the application deadline for an
 * application, the endorsement deadline for a roster or an endorsement), with its instant in ROC and
 * ISO form, in English and in Chinese — the briefing's rule is 逾期恕不受理. Null when the command
 * missed no deadline (it may still be refused for the call's state).
 */
export function missedDeadline(command: CallCommand, state: string, calendar: CallCalendar, callId: string): string | null {
  const rule = commandDeadlines[command];
  if (!rule || !rule.closedIn.includes(state)) return null;
  const instant = rule.deadline === 'application' ? calendar.applicationWindow.closes : calendar.endorsementDeadline;
  const [english, chinese] =
    rule.deadline === 'application' ? ['application deadline', '申請截止時間'] : ['institution endorsement deadline', '機構彙整造冊送達截止時間'];
  return (
    `${command} was refused: the ${english} of call ${callId} passed at ${formatRocDate(instant, { withTime: true })} (${formatTaipeiIso(instant)}); late ${rule.deadline === 'application' ? 'applications' : 'endorsements'} are not accepted. ` +
    `${chinese}${formatRocDateChinese(instant)}（${formatTaipeiIso(instant)}）已過，逾期恕不受理。`
  );
}
