import type { FastifyPluginCallback } from 'fastify';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { SessionStore } from '../../activities/sessions/session-store';
import { formBodies, type Form } from '../plugins/forms';

export interface BackChannelSettings {
  issuer: string;
  /** The web pages' client: the logout token's audience. */
  clientId: string;
  jwksUri: () => Promise<string | undefined>;
  store: SessionStore;
}

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * OpenID Connect Back-Channel Logout 1.0: the provider POSTs a `logout_token` (a JWT it signs)
 * when a person's session ends there — log-out elsewhere, an administrator ending it, a disabled
 * account. Every browser session of that provider session (`sid`), or else of that person
 * (`sub`), ends at once.
 */
export const backChannelLogoutRoutes =
  (settings: BackChannelSettings): FastifyPluginCallback =>
  (app, _options, done) => {
    formBodies(app);
    let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
    const verify = async (token: string): Promise<JWTPayload> => {
      if (!keys) {
        const uri = await settings.jwksUri();
        if (!uri) throw new Error('the identity provider names no jwks_uri');
        keys = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
      }
      const { payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.clientId,
        clockTolerance: 5,
        maxTokenAge: '2 minutes',
        requiredClaims: ['iat'],
      });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || typeof events[LOGOUT_EVENT] !== 'object') throw new Error('it carries no back-channel logout event');
      if (payload.nonce !== undefined) throw new Error('a logout token carries no nonce');
      if (typeof payload.sid !== 'string' && typeof payload.sub !== 'string') throw new Error('it names neither sid nor sub');
      return payload;
    };
    app.post('/auth/backchannel-logout', { schema: { hide: true } }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const token = ((request.body ?? {}) as Form).logout_token;
      if (typeof token !== 'string' || token.length > 16_384) return reply.code(400).send({ error: 'invalid_request', error_description: 'no logout_token' });
      let claims: JWTPayload;
      try {
        claims = await verify(token);
      } catch (error) {
        return reply.code(400).send({ error: 'invalid_request', error_description: `the logout token was not accepted: ${(error as Error).message}` });
      }
      await settings.store.endAt(
        { ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}), ...(typeof claims.sub === 'string' ? { sub: claims.sub } : {}) },
        'the identity provider ended it (back-channel log-out)',
      );
      return reply.code(200).send();
    });
    done();
  };
