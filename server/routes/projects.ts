import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Actor } from '../../domain/actor';
import {
  PageQuery,
  CommandResult,
  NoticeResponse,
  OfferedResponse,
  ProjectParams,
  ProjectRecordResponse,
  ProjectSearchQuery,
  ProjectViewResponse,
  TransitionLogResponse,
} from '../../domain/api';
import { AllianceError } from '../../domain/errors';
import { projectWorkflowId } from '../../domain/ids';
import { incomingPayloads, projectEventTypes } from '../../domain/project-events';
import { searchedInstitution } from '../../machines/access';
import { projectEventRoles } from '../../machines/project-machine';
import { mayReadProject, projectViewFor, transitionLogFor } from '../../machines/views';
import type { Services } from '../services/services';
import type { ZodApp } from './zod-app';
import { sendProjectCommand } from '../services/send-command';
import { idempotentUpdateId } from '../services/idempotency';
import { ifMatchOf, setEtag } from '../services/etag';
import { searchFilterOf } from '../services/search';
import { byStart, byWorkflowId, paddedKey, sendPage } from '../services/pages';

const tags = ['projects'];
/** A stranger learns no more than that there is nothing for them: not even whether the project exists. */
const notYours = (actor: Actor, projectId: string): AllianceError =>
  new AllianceError('NOT_FOUND', `${projectId} does not exist, or ${actor.role} ${actor.id} is not its PI, its institution or one of its assigned reviewers.`);

/**
 * Events a person sends; the deadline events are the project's own timers'. A document is attached
 * by its upload (routes/documents.ts), which puts the bytes in the store before it names their digest.
 */
const peopleEvents = projectEventTypes.filter((type) => !projectEventRoles[type].includes('system') && type !== 'document.attach');

/** One POST per command a person sends: the law decides; Idempotency-Key and If-Match as the description says. */
function commandRoutes(app: ZodApp, services: Services): void {
  for (const type of peopleEvents) {
    const roles = projectEventRoles[type].join(', ');
    app.post(
      `/projects/:callId/:applicationId/${type}`,
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: `send${type.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase())}`,
          summary: `${type} (${roles})`,
          description: `Sends ${type} to the project as the logged-in ${roles}. The law checks, in order, the payload, the role, whose project it is and the project's state; a refusal changes nothing. With an Idempotency-Key header, the command sent again under the same key acts once and gets the first answer; with If-Match (the ETag of the project as read), it is refused with 412 if the project has changed since.`,
          tags: ['commands'],
          params: ProjectParams,
          body: incomingPayloads[type] as z.ZodType,
          response: { 200: CommandResult },
        },
      },
      async (request, reply) => {
        const result = await sendProjectCommand(services, request.params.callId, request.params.applicationId, type, request.actor, request.body as never, {
          updateId: idempotentUpdateId(request),
          ifMatch: ifMatchOf(request),
        });
        setEtag(reply, result.seq);
        return result;
      },
    );
  }
}

/** `/api/projects`: search, one project as your role may see it, and one POST per command of the law. */
export const projectRoutes =
  (services: Services): FastifyPluginCallback =>
  (plain, _options, done) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    const { projects } = services;

    /** The whole view, read once; the law's view functions decide what of it leaves. */
    const readable = async (actor: Actor, projectId: string) => {
      const view = await services.bounded('command', () => projects.view(projectId));
      const shaped = projectViewFor(actor, view);
      if (!shaped) throw notYours(actor, projectId);
      return { view, shaped };
    };

    app.get(
      '/projects',
      {
        config: { access: 'projects.search' },
        schema: {
          operationId: 'searchProjects',
          summary: 'Search projects over the search attributes (office, auditors; an institution sees its own)',
          tags,
          querystring: ProjectSearchQuery,
          response: { 200: ProjectRecordResponse },
        },
      },
      async (request, reply) => {
        const institution = searchedInstitution(request.actor, request.query.institution);
        const found = await services.bounded('command', () => services.audit().search(searchFilterOf(request.query, institution)));
        return sendPage(request, reply, found, byWorkflowId);
      },
    );

    app.get(
      '/projects/:callId/:applicationId',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'getProject',
          summary: 'Where a project stands, as much as your role may see',
          tags,
          params: ProjectParams,
          response: { 200: ProjectViewResponse },
        },
      },
      async (request, reply) => {
        const { view, shaped } = await readable(request.actor, projectWorkflowId(request.params.callId, request.params.applicationId));
        setEtag(reply, view.seq);
        return shaped;
      },
    );

    app.get(
      '/projects/:callId/:applicationId/log',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'getProjectLog',
          summary: 'The transition log: who, role, when, event, from → to',
          tags,
          params: ProjectParams,
          querystring: PageQuery,
          response: { 200: TransitionLogResponse },
        },
      },
      async (request, reply) => {
        const id = projectWorkflowId(request.params.callId, request.params.applicationId);
        const { view } = await readable(request.actor, id);
        const log = transitionLogFor(request.actor, view, await services.bounded('command', () => projects.transitionLog(id)))!;
        return sendPage(request, reply, log, { key: (entry) => paddedKey(entry.seq) });
      },
    );

    app.get(
      '/projects/:callId/:applicationId/offered',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'getOfferedCommands',
          summary: 'What your role may send to this project now',
          tags,
          params: ProjectParams,
          response: { 200: OfferedResponse },
        },
      },
      async (request) => {
        const id = projectWorkflowId(request.params.callId, request.params.applicationId);
        const { view } = await readable(request.actor, id);
        const offered = await services.bounded('command', () => projects.offered(id));
        return { role: request.actor.role, events: mayReadProject(request.actor, view.context) ? offered[request.actor.role] : [] };
      },
    );

    app.get(
      '/projects/:callId/:applicationId/notices',
      {
        config: { access: 'notices.read' },
        schema: {
          operationId: 'getProjectNotices',
          summary: 'Every notice of the project, delivered or not (office, auditors)',
          tags,
          params: ProjectParams,
          querystring: PageQuery,
          response: { 200: NoticeResponse },
        },
      },
      async (request, reply) => {
        const notices = await services.bounded('command', () =>
          services.notices.forProject(projectWorkflowId(request.params.callId, request.params.applicationId)),
        );
        return sendPage(request, reply, notices, byStart);
      },
    );

    commandRoutes(app, services);
    done();
  };
