import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { MyWork } from '../../domain/api';
import { callViewFor } from '../../machines/views';
import type { Services } from '../app';
import { listCalls } from './calls';

/** `/api/me`: who the token says you are, and your work — a PI's projects, an institution's applications, a reviewer's assignments. */
export const meRoutes = (services: Services): FastifyPluginCallback => (app, _options, done) => {
  app.withTypeProvider<ZodTypeProvider>().get('/me', {
    schema: { summary: 'Who you are and your work across the calls', tags: ['me'], response: { 200: MyWork } },
  }, async (request) => {
    const actor = request.actor;
    const calls = await services.bounded('command', () => listCalls(services));
    const projects = [];
    for (const call of calls) {
      const view = callViewFor(actor, await services.bounded('command', () => services.calls.status(call.callId)));
      for (const p of view.projects) {
        projects.push({ callId: call.callId, projectId: p.projectId, applicationId: p.applicationId, title: p.title, assignedToMe: (view.assignments[p.applicationId] ?? []).includes(actor.id) });
      }
    }
    const { via, ...who } = actor;
    return { actor: who, principal: via!, projects };
  });
  done();
};
