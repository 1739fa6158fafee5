import { z } from 'zod';

/** Who may act. `system` is the deadline timers; `auditor` reads and never acts. */
export const Role = z.enum(['office', 'pi', 'institution', 'reviewer', 'system', 'auditor']);
export type Role = z.infer<typeof Role>;

export const Actor = z.object({ role: Role, id: z.string().min(1, 'expected the acting person or body id') }).strict();
export type Actor = z.infer<typeof Actor>;
