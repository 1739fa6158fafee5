import { setup } from 'xstate';
import type { Actor, Role } from '../domain/actor';

type CallEventType =
  | 'deadline.application'
  | 'deadline.endorsement'
  | 'review.start'
  | 'presentation.start'
  | 'decision.start'
  | 'decision.announce'
  | 'call.close';

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
 * then the three review steps, announcement and closing. Projects outlive their call.
 */
export const callMachine = setup({
  types: { events: {} as CallEvent },
}).createMachine({
  id: 'call',
  initial: 'open',
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
  'call.startWrittenReview': { roles: ['office'], states: ['endorsementsClosed', 'onlineReview'], event: 'review.start' },
  'call.closeWrittenReview': { roles: ['office'], states: ['onlineReview'] },
  'call.invitePresentations': { roles: ['office'], states: ['onlineReview', 'presentationReview'], event: 'presentation.start' },
  'call.schedulePresentations': { roles: ['office'], states: ['presentationReview'] },
  'call.startDecisionMeeting': { roles: ['office'], states: ['presentationReview', 'finalDecision'], event: 'decision.start' },
  'call.announce': { roles: ['office'], states: ['finalDecision', 'announced'], event: 'decision.announce' },
  'call.close': { roles: ['office'], states: ['announced'], event: 'call.close' },
  /** A deadline moves only while it is still ahead: the application deadline while the call is open. */
  'call.amendDeadline': { roles: ['office'], states: ['open', 'applicationsClosed'] },
} as const satisfies Record<string, { roles: readonly Role[]; states: readonly string[]; event?: CallEventType }>;
export type CallCommand = keyof typeof callCommands;
