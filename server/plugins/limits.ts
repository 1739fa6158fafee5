// How much one account may send and one address may try: @fastify/rate-limit, its counts in this
// process (each API replica counts its own). A refusal is a 429 problem with Retry-After.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { AllianceError } from '../../domain/errors';

export interface Limits {
  /** Commands (every POST of /api) one account may send in a minute. */
  commandsPerMinute: number;
  /** Browser log-ins one address may start in a minute. */
  loginsPerMinute: number;
}

const refusal =
  (what: string) =>
  (_request: unknown, context: { max: number; after: string }): AllianceError =>
    new AllianceError('TOO_MANY', `More than ${context.max} ${what} in a minute: wait ${context.after} (Retry-After), then send it again.`);

/** In the /api scope, after the log-in hook: counted per person (role and id), commands only; reads are not limited. */
export async function limitCommands(api: FastifyInstance, perMinute: number): Promise<void> {
  await api.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (request) => `${request.actor.role}:${request.actor.id}`,
    // Commands and uploads count; reads do not.
    allowList: (request) => request.method !== 'POST' && request.method !== 'PUT',
    errorResponseBuilder: refusal('commands from one account'),
  });
}

/** In the log-in routes' scope: counted per address, before anything reaches the identity provider. */
export async function limitLogins(scope: FastifyInstance, perMinute: number): Promise<void> {
  await scope.register(rateLimit, { max: perMinute, timeWindow: 60_000, errorResponseBuilder: refusal('log-ins from one address') });
}
