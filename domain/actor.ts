import { z } from 'zod';
import { bounds, IdText, NameText } from './bounds';

/** Who may act. `system` is the deadline timers; `auditor` reads and never acts. */
export const Role = z.enum(['office', 'pi', 'institution', 'reviewer', 'system', 'auditor']);
export type Role = z.infer<typeof Role>;

/**
 * Who authenticated, as the identity provider vouches: set by the service from a verified token,
 * never by the caller, and kept in the ledger beside role and id.
 */
export const Principal = z
  .object({
    issuer: z.string().min(1).max(bounds.secret),
    subject: NameText().min(1),
    session: NameText().min(1).optional(),
    token: NameText().min(1).optional(),
  })
  .strict();
export type Principal = z.infer<typeof Principal>;

/** The roles of people: they act through the service's door, each command carrying who authenticated them (`via`). */
export const personRoles = ['office', 'pi', 'institution', 'reviewer'] as const satisfies readonly Role[];
export const isPerson = (role: Role): boolean => (personRoles as readonly Role[]).includes(role);

/**
 * The issuer the service names itself by when it acts for a person without their log-in (the
 * replacement reviewer a call draws for the office): the subject is the workflow that acted.
 */
export const SERVICE_ISSUER = 'alliance-service';
export const servicePrincipal = (workflowId: string): Principal => ({ issuer: SERVICE_ISSUER, subject: workflowId });

export const Actor = z.object({ role: Role, id: IdText().min(1, 'expected the acting person or body id'), via: Principal.optional() }).strict();
export type Actor = z.infer<typeof Actor>;

/**
 * The e-mail address the identity provider verified for the person an actor stands for, kept
 * beside the actor object (never in it: the actor goes to the ledger, which keeps no address):
 * the door tells a PI's notices there, whatever an application names.
 */
const verifiedEmails = new WeakMap<Actor, string>();
export function withVerifiedEmail<A extends Actor>(actor: A, email: string | null | undefined): A {
  if (email) verifiedEmails.set(actor, email);
  return actor;
}
export const verifiedEmailOf = (actor: Actor): string | null => verifiedEmails.get(actor) ?? null;
