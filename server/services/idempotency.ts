// The Idempotency-Key of a command: the update id Temporal keeps it under, so that a command sent
// again after a lost answer is answered with its first outcome and acts once. Named per actor, so
// one person's key never answers another's command.
import type { FastifyRequest } from 'fastify';
import { AllianceError } from '../../domain/errors';

const KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/** The update id of the request's command, from its `Idempotency-Key` header; none without one. */
export function idempotentUpdateId(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (Array.isArray(header) && header.length > 1) throw new AllianceError('VALIDATION', 'Idempotency-Key: send it once.');
  if (!key || !KEY.test(key)) {
    throw new AllianceError('VALIDATION', 'Idempotency-Key: expected 1 to 128 letters, digits, dots, colons, underscores or hyphens, e.g. a UUID.');
  }
  return `idempotency:${request.actor.role}:${request.actor.id}:${key}`;
}
