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

export const Actor = z.object({ role: Role, id: IdText().min(1, 'expected the acting person or body id'), via: Principal.optional() }).strict();
export type Actor = z.infer<typeof Actor>;
