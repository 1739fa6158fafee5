import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { MyWork } from '../../domain/api';
import type { Services } from '../services/services';
import { myWork } from '../services/my-work';

/** `/api/me`: who the token says you are, and your work — a PI's projects, an institution's applications, a reviewer's assignments. */
export const meRoutes =
  (services: Services): FastifyPluginCallback =>
  (app, _options, done) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/me',
      {
        config: { access: 'signedIn' },
        schema: { operationId: 'getMyWork', summary: 'Who you are and your work across the calls', tags: ['me'], response: { 200: MyWork } },
      },
      async (request) => {
        const { via, ...who } = request.actor;
        return { actor: who, principal: via!, projects: (await myWork(services, request.actor)).projects };
      },
    );
    done();
  };
