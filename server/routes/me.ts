import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { MyWork } from '../../domain/api';
import type { Actor } from '../../domain/actor';
import { callViewFor } from '../../machines/views';
import type { Services } from '../app';
import { listCalls } from './calls';

/** The actor's projects across the calls, as the law's call view lets them see them; and the calls still open. */
export async function myWork(services: Services, actor: Actor): Promise<{ projects: WorkItem[]; openCalls: string[] }> {
  const calls = await services.bounded('command', () => listCalls(services));
  const projects: WorkItem[] = [];
  for (const call of calls) {
    const view = callViewFor(actor, await services.bounded('command', () => services.calls.status(call.callId)));
    for (const p of view.projects) {
      projects.push({ callId: call.callId, projectId: p.projectId, applicationId: p.applicationId, title: p.title, assignedToMe: (view.assignments[p.applicationId] ?? []).includes(actor.id) });
    }
  }
  return { projects, openCalls: calls.filter((c) => c.state === 'open').map((c) => c.callId) };
}
type WorkItem = { callId: string; projectId: string; applicationId: string; title: string; assignedToMe: boolean };

/** `/api/me`: who the token says you are, and your work — a PI's projects, an institution's applications, a reviewer's assignments. */
export const meRoutes = (services: Services): FastifyPluginCallback => (app, _options, done) => {
  app.withTypeProvider<ZodTypeProvider>().get('/me', {
    config: { access: 'signedIn' },
    schema: { summary: 'Who you are and your work across the calls', tags: ['me'], response: { 200: MyWork } },
  }, async (request) => {
    const { via, ...who } = request.actor;
    return { actor: who, principal: via!, projects: (await myWork(services, request.actor)).projects };
  });
  done();
};
