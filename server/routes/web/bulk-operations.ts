// The operations over a whole call the office runs from the call page, each with its form's schema
// (gateway/call-operations.ts), and the id a job of one runs under.
import { z } from 'zod';
import type { Actor } from '../../../domain/actor';
import { callOperations, type CallOperationName } from '../../../gateway/call-operations';
import type { BulkOperationForm } from '../../web/pages/call';

const forms: [string, z.ZodType][] = Object.entries(callOperations).map(([name, { form }]) => [name, form]);
export const bulkOperations = Object.fromEntries(forms) as Record<CallOperationName, z.ZodType>;
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
