// The Idempotency-Key of a command: the update id Temporal keeps it under, so that a command sent
// again after a lost answer is answered with its first outcome and acts once. Named per actor, so
// one person's key never answers another's command.
import type { FastifyRequest } from 'fastify';
import { IdempotencyKey } from '../../domain/api';
import { AllianceError } from '../../domain/errors';

/** The update id of the request's command, from its `Idempotency-Key` header; none without one. */
export function idempotentUpdateId(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  // A header sent twice arrives joined with ", ", which no key can hold: refused like any other bad key.
  const key = IdempotencyKey.safeParse(header);
  if (!key.success) throw new AllianceError('VALIDATION', `Idempotency-Key: ${key.error.issues[0]?.message ?? 'not a key'}.`);
  return `idempotency:${request.actor.role}:${request.actor.id}:${key.data}`;
}
