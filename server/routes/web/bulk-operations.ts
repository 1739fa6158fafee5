// The operations over a whole call the office runs from the call page, each with its form's schema,
// and the id a job of one runs under.
import { z } from 'zod';
import type { Actor } from '../../../domain/actor';
import { EmptyBody, Id, ScopeBody } from '../../../domain/api';
import { Instant } from '../../../domain/roc-date';
import type { CallOperationName } from '../../../gateway/calls';
import type { BulkOperationForm } from '../../web/pages/call';

export const bulkOperations: Record<CallOperationName, z.ZodType> = {
  'written-review': ScopeBody,
  'close-round': ScopeBody,
  invite: z
    .object({ topPerDivision: z.number().int().min(1).max(1000).optional(), applicationIds: z.array(Id).max(1000).optional() })
    .strict()
    .refine((b) => (b.topPerDivision === undefined) !== (b.applicationIds === undefined || b.applicationIds.length === 0), {
      message: 'give either the top N per division or the application ids, not both',
      path: ['topPerDivision'],
    }),
  schedule: z.object({ startsAt: Instant }).strict(),
  'decision-meeting': EmptyBody,
  announce: EmptyBody,
  close: EmptyBody,
};
export const bulkForms: BulkOperationForm[] = Object.entries(bulkOperations).map(([name, schema]) => ({ name, schema }));

/**
 * A job is the call's operation under an update id that names who started it, what it is and a
 * nonce: Temporal keeps its outcome under that id, so every API process shows the job. The page's
 * address carries the operation and the nonce only; the id is made again from the viewer, so a job
 * is found by its owner alone.
 */
export const operationIdOf = (actor: Actor, operation: CallOperationName, nonce: string): string => `web-job:${actor.role}:${actor.id}:${operation}:${nonce}`;
export const JobParams = z.object({
  operation: z.enum(Object.keys(bulkOperations) as [CallOperationName, ...CallOperationName[]]),
  nonce: z.string().regex(/^[\w-]{12}$/),
});
