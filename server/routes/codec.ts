import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { CodecPayloads } from '../../domain/api';
import type { Actor } from '../../domain/actor';
import { AllianceError } from '../../domain/errors';
import { checkAccess, type Access } from '../../machines/access';
import { SealBrokenError } from '../../activities/crypto/key-ring';
import { payloadFromJson, payloadToJson } from '../../gateway/history-codec';
import type { TokenVerifier } from '../authentication';
import type { BrowserSessions } from '../browser-sessions';

export interface CodecServerSettings {
  codecs: readonly PayloadCodec[];
  verify: TokenVerifier;
  sessions: BrowserSessions;
  /** The Temporal Web UI's origins: the only pages whose scripts may call the codec server. */
  allowedOrigins: readonly string[];
}

/** A payload is at most 2 MB in Temporal; a page of them in base64 fits well under this. */
const CODEC_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The codec server of Temporal's Web UI and CLI (`/codec/encode`, `/codec/decode`): the service's
 * payload codec behind the same log-in as the API — a bearer token, or the browser session of
 * `/auth/login`. Who may decode is the law's (machines/access.ts); everyone else sees ciphertext.
 */
export const codecRoutes =
  (settings: CodecServerSettings): FastifyPluginCallback =>
  (plain, _options, done) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    const actorOf = async (request: FastifyRequest): Promise<Actor> => {
      if (request.headers.authorization) return settings.verify(request.headers.authorization);
      const actor = (await settings.sessions.current(request))?.actor;
      if (!actor)
        throw new AllianceError(
          'UNAUTHENTICATED',
          'The codec server needs a log-in: a bearer token, or a browser session from /auth/login (in the Web UI, set the codec endpoint to include cross-origin credentials).',
        );
      return actor;
    };
    const need = (access: Access, actor: Actor): void => {
      const refused = checkAccess(access, actor);
      if (refused) throw new AllianceError(refused.code, refused.message);
    };
    // CORS for the Web UI alone, with credentials so its requests carry the session cookie.
    app.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (origin && settings.allowedOrigins.includes(origin)) {
        reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
      }
      if (request.method === 'OPTIONS') {
        if (origin && settings.allowedOrigins.includes(origin)) {
          reply
            .header('access-control-allow-methods', 'POST')
            .header('access-control-allow-headers', 'content-type, x-namespace, authorization')
            .header('access-control-max-age', '600');
        }
        return reply.code(204).send();
      }
      // Who asks is settled from the headers alone, before a body of megabytes is read.
      need(request.url.split('?')[0]!.endsWith('/decode') ? 'payloads.decode' : 'payloads.encode', await actorOf(request));
    });

    const run = async (reply: FastifyReply, direction: 'encode' | 'decode', payloads: CodecPayloads['payloads']) => {
      let current: Payload[] = payloads.map(payloadFromJson);
      const order = direction === 'encode' ? settings.codecs : [...settings.codecs].reverse();
      try {
        for (const codec of order) current = await codec[direction](current);
      } catch (error) {
        if (error instanceof SealBrokenError) throw new AllianceError('VALIDATION', `A payload does not decode: ${error.message}.`);
        throw error;
      }
      return reply.send({ payloads: current.map(payloadToJson) });
    };

    for (const direction of ['encode', 'decode'] as const) {
      // Answered by the hook above; the route only makes the preflight reach this plugin's hooks.
      app.options(`/codec/${direction}`, { schema: { hide: true } }, (_request, reply) => reply.code(204).send());
      app.post(
        `/codec/${direction}`,
        {
          bodyLimit: CODEC_BODY_LIMIT,
          schema: {
            operationId: direction === 'decode' ? 'decodePayloads' : 'encodePayloads',
            summary:
              direction === 'decode'
                ? 'Decrypt Temporal payloads for the Web UI or `temporal --codec-endpoint` (office, auditors)'
                : 'Refused to every person: a payload sealed by hand would pass for the service (the Web UI only reads)',
            tags: ['codec'],
            security: [{ bearer: [] }],
            body: CodecPayloads,
            response: { 200: CodecPayloads },
          },
        },
        (request, reply) => run(reply, direction, request.body.payloads),
      );
    }
    done();
  };
