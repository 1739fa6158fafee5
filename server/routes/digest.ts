// Your daily digest of reminders: `GET /api/me/digest` says whether you chose it, `PUT` chooses it
// or stops it. Kept by your preferences workflow (gateway/preferences.ts) under the e-mail address
// the identity provider verified, the address your notices go to.
import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { verifiedEmailOf, type Actor } from '../../domain/actor';
import { DigestChoice, DigestChoiceBody } from '../../domain/api';
import { AllianceError } from '../../domain/errors';
import type { Services } from '../services/services';

/** The address a person's notices go to: the one their account verified. */
export function digestAddressOf(actor: Actor): string {
  const email = verifiedEmailOf(actor);
  if (!email)
    throw new AllianceError('FORBIDDEN', 'Your account has no verified e-mail address: verify it with the identity provider first; the digest goes there.');
  return email.toLowerCase();
}

export const digestRoutes =
  (services: Services): FastifyPluginCallback =>
  (app, _options, done) => {
    const api = app.withTypeProvider<ZodTypeProvider>();
    api.get(
      '/me/digest',
      {
        config: { access: 'signedIn' },
        schema: { operationId: 'getMyDigest', summary: 'Whether your reminders come in one mail a day', tags: ['me'], response: { 200: DigestChoice } },
      },
      async (request) => {
        const email = digestAddressOf(request.actor);
        return { ...(await services.bounded('command', () => services.preferences.digest(email))), email };
      },
    );
    api.put(
      '/me/digest',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'chooseMyDigest',
          summary: "Choose (daily: true) or stop (false) a daily digest of the reminders the call's policy lets wait; the rest still come at once",
          tags: ['me'],
          body: DigestChoiceBody,
          response: { 200: DigestChoice },
        },
      },
      async (request) => {
        const email = digestAddressOf(request.actor);
        return { ...(await services.bounded('command', () => services.preferences.chooseDigest(email, request.body.daily))), email };
      },
    );
    done();
  };
