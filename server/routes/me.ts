import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { MyWork, PageQuery, TodoList } from '../../domain/api';
import { sendPage } from '../services/pages';
import type { Services } from '../services/services';
import { myTodo, myWork } from '../services/my-work';

/** `/api/me`: who the token says you are, and your work — a PI's projects, an institution's applications, a reviewer's assignments. */
export const meRoutes =
  (services: Services): FastifyPluginCallback =>
  (app, _options, done) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/me',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'getMyWork',
          summary: 'Who you are and your work across the calls; the projects page as every list does (Link rel="next")',
          tags: ['me'],
          querystring: PageQuery,
          response: { 200: MyWork },
        },
      },
      async (request, reply) => {
        const { via, ...who } = request.actor;
        const projects = sendPage(request, reply, (await myWork(services, request.actor)).projects, { key: (p) => `${p.callId}\t${p.projectId}` });
        return { actor: who, principal: via!, projects };
      },
    );
    app.withTypeProvider<ZodTypeProvider>().get(
      '/me/todo',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'getMyTodo',
          summary: 'What is due from you, soonest first: each pending deadline of your projects that asks your role',
          tags: ['me'],
          querystring: PageQuery,
          response: { 200: TodoList },
        },
      },
      async (request, reply) => {
        const todo = await myTodo(services, request.actor, (await myWork(services, request.actor)).projects);
        return sendPage(request, reply, todo, { key: (item) => `${item.due}\t${item.projectId}\t${item.command}` });
      },
    );
    done();
  };
