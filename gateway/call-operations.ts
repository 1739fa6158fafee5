// The call's operations over a whole call, the office's: one table of what each takes (its form's
// schema, which the call page renders and checks) and how the call's update and its arguments are
// built from it. The typed client's methods and the page's jobs both build from it.
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import type { Actor } from '../domain/actor';
import { EmptyBody, Id, ScopeBody } from '../domain/api';
import type { Division } from '../domain/application';
import { Instant } from '../domain/roc-date';
import {
  announceUpdate,
  closeCallUpdate,
  closeWrittenReviewUpdate,
  invitePresentationsUpdate,
  schedulePresentationsUpdate,
  startDecisionMeetingUpdate,
  startWrittenReviewUpdate,
} from '../messages/call';

type OperationArgs = { actor: Actor } & object;
const scope = (b: { division?: Division }) => (b.division ? { division: b.division } : {});

/**
 * The invitation form: a page sends both fields, one of them empty; the call's own command takes
 * exactly one (`InviteBody`), which `build` makes of it.
 */
const InviteForm = z
  .object({ topPerDivision: z.number().int().min(1).max(1000).optional(), applicationIds: z.array(Id).max(1000).optional() })
  .strict()
  .refine((b) => (b.topPerDivision === undefined) !== (b.applicationIds === undefined || b.applicationIds.length === 0), {
    message: 'give either the top N per division or the application ids, not both',
    path: ['topPerDivision'],
  });

export const callOperations = {
  'written-review': {
    form: ScopeBody,
    build: (actor: Actor, b: { division?: Division }) => ({ update: startWrittenReviewUpdate, args: { actor, ...scope(b) } }),
  },
  'close-round': { form: ScopeBody, build: (actor: Actor, b: { division?: Division }) => ({ update: closeWrittenReviewUpdate, args: { actor, ...scope(b) } }) },
  invite: {
    form: InviteForm,
    build: (actor: Actor, b: { topPerDivision?: number; applicationIds?: string[] }) => ({
      update: invitePresentationsUpdate,
      args: { actor, ...(b.topPerDivision !== undefined ? { topPerDivision: b.topPerDivision } : { applicationIds: b.applicationIds ?? [] }) },
    }),
  },
  schedule: {
    form: z.object({ startsAt: Instant }).strict(),
    build: (actor: Actor, b: { startsAt: string }) => ({ update: schedulePresentationsUpdate, args: { actor, startsAt: b.startsAt } }),
  },
  'decision-meeting': { form: EmptyBody, build: (actor: Actor) => ({ update: startDecisionMeetingUpdate, args: { actor } }) },
  announce: { form: EmptyBody, build: (actor: Actor) => ({ update: announceUpdate, args: { actor } }) },
  close: { form: EmptyBody, build: (actor: Actor) => ({ update: closeCallUpdate, args: { actor } }) },
} satisfies Record<
  string,
  { form: z.ZodType; build: (actor: Actor, body: never) => { update: UpdateDefinition<unknown, [OperationArgs]>; args: OperationArgs } }
>;
export type CallOperationName = keyof typeof callOperations;

/** What an operation's body is, and what its update answers. */
export type OperationBody<N extends CallOperationName> = Parameters<(typeof callOperations)[N]['build']>[1];
export type OperationResult<N extends CallOperationName> =
  ReturnType<(typeof callOperations)[N]['build']>['update'] extends UpdateDefinition<infer R, never> ? R : never;

/** The update and arguments of one operation, its types erased for a caller that holds the name as data. */
export function buildOperation(
  name: CallOperationName,
  actor: Actor,
  body: unknown,
): { update: UpdateDefinition<unknown, [OperationArgs]>; args: OperationArgs } {
  return (callOperations[name].build as (actor: Actor, body: unknown) => { update: UpdateDefinition<unknown, [OperationArgs]>; args: OperationArgs })(
    actor,
    body,
  );
}
