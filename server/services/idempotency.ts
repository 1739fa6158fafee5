// The Idempotency-Key of a command: the update id Temporal keeps it under, so that a command sent
// again after a lost answer is answered with its first outcome and acts once. Named per actor, so
// one person's key never answers another's command.
import type { FastifyRequest } from 'fastify';
import { canonicalJson, sha256 } from '../../tlog/digest';
import type { SessionStore } from '../../activities/sessions/session-store';
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

/**
 * A key stands for one request: sent again with the same method, path and body it is the same
 * command (answered as the first time); used for another request it is refused with 422 before
 * anything is sent, rather than answered with the first command's outcome. Remembered in the store
 * every API replica shares, as long as ended sessions are.
 */
export async function checkIdempotencyKey(request: FastifyRequest, store: Pick<SessionStore, 'rememberKey'>): Promise<void> {
  const updateId = idempotentUpdateId(request);
  if (!updateId) return;
  const digest = sha256(`${request.method} ${request.url.split('?')[0]!}\n${canonicalJson(request.body ?? null)}`);
  const first = await store.rememberKey(updateId, digest);
  if (first !== digest)
    throw new AllianceError(
      'KEY_REUSED',
      `Idempotency-Key: this key was used before for another request (another command, project or body); a key stands for one command. Send this command under a new key.`,
    );
}
