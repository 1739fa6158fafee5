// Applications and projects: a PI applies with the whole form drawn from the schema the call
// validates with; a project's page shows what the viewer may see and a form per command the law
// offers them now.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { CallParams, ProjectParams } from '../../../domain/api';
import { NewApplication } from '../../../domain/application';
import { AllianceError } from '../../../domain/errors';
import { projectWorkflowId } from '../../../domain/ids';
import { incomingPayloads, projectEventTypes, type ProjectEventType } from '../../../domain/project-events';
import { checkAccess } from '../../../machines/access';
import { mayReadProject, projectViewFor, transitionLogFor } from '../../../machines/views';
import { httpStatus } from '../../problems';
import { addressedByTheDoor, checkApplicantRecord } from '../../services/applicant-record';
import { sendProjectCommand } from '../../services/send-command';
import type { Services } from '../../services/services';
import { translator } from '../../web/i18n';
import { parseFor } from '../../web/messages';
import type { PageContext } from '../../web/layout';
import { formPage } from '../../web/pages/form';
import { projectPage, type ProjectPageData } from '../../web/pages/project';
import { errorsFromIssues, firstValue, readSchemaForm, renderSchemaFields, type FieldErrors } from '../../web/schema-form';
import { errorsFromDetails, hidden, type PageKit } from './kit';
import { documentPages } from './documents';

function applicationForm(context: PageContext, callId: string, value: unknown, errors: FieldErrors, message?: string): string {
  const t = translator(context.lang);
  return formPage(
    context,
    `${t('newApplication')} — ${callId}`,
    `/web/calls/${encodeURIComponent(callId)}/apply`,
    renderSchemaFields(context.lang, NewApplication, value, errors),
    message,
    t('apply'),
  );
}

async function renderProject(
  services: Services,
  context: PageContext,
  callId: string,
  applicationId: string,
  extra: Partial<ProjectPageData> = {},
): Promise<string> {
  const id = projectWorkflowId(callId, applicationId);
  const whole = await services.bounded('command', () => services.projects.view(id));
  const view = projectViewFor(context.actor, whole);
  if (!view) throw new AllianceError('NOT_FOUND', `${id} is not yours to see.`);
  const [log, offered, notices] = await Promise.all([
    services.bounded('command', () => services.projects.transitionLog(id)),
    services.bounded('command', () => services.projects.offered(id)),
    checkAccess('notices.read', context.actor) ? Promise.resolve(null) : services.bounded('command', () => services.notices.forProject(id)).catch(() => []),
  ]);
  const mine = mayReadProject(context.actor, whole.context) ? (offered[context.actor.role] ?? []) : [];
  const pool = mine.includes('reviewer.assign')
    ? ((await services.bounded('command', () => services.calls.status(callId))).reviewerPool ?? []).map((r) => ({ id: r.id, name: r.name }))
    : undefined;
  return projectPage(context, { view, log: transitionLogFor(context.actor, whole, log) ?? [], offered: mine, notices, ...(pool ? { pool } : {}), ...extra });
}

export function projectPages(app: FastifyInstance, kit: PageKit): void {
  const { services, contextOf, send, params, formOf } = kit;
  documentPages(app, kit, kit.settings.documents, (context, callId, applicationId, extra) => renderProject(services, context, callId, applicationId, extra));
  app.get('/web/calls/:callId/apply', hidden, (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, request.params);
    return send(reply, applicationForm(context, callId, { pi: { id: context.actor.id } }, new Map()));
  });
  app.post('/web/calls/:callId/apply', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, request.params);
    const value = readSchemaForm(NewApplication, formOf(request));
    const parsed = parseFor(context.lang, NewApplication, value);
    if (!parsed.success) return send(reply, applicationForm(context, callId, value, errorsFromIssues(parsed.error.issues)), 400);
    try {
      const application = addressedByTheDoor(context.actor, parsed.data);
      await checkApplicantRecord(services, callId, context.actor, application);
      await services.bounded('command', () => services.calls.registerApplication(callId, context.actor, application));
      return reply.redirect(`/web/projects/${encodeURIComponent(callId)}/${encodeURIComponent(parsed.data.id)}`, 303);
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500 || error.code === 'NOT_FOUND') throw error;
      return send(reply, applicationForm(context, callId, value, errorsFromDetails(error.details), error.message), httpStatus[error.code]);
    }
  });

  app.get('/web/projects/:callId/:applicationId', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId, applicationId } = params(ProjectParams, request.params);
    const doneType = (request.query as { done?: string }).done;
    const done = projectEventTypes.includes(doneType as ProjectEventType) ? (doneType as ProjectEventType) : undefined;
    return send(reply, await renderProject(services, context, callId, applicationId, done ? { done } : {}));
  });
  app.post('/web/projects/:callId/:applicationId/commands/:type', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId, applicationId } = params(ProjectParams, {
      callId: (request.params as { callId: string }).callId,
      applicationId: (request.params as { applicationId: string }).applicationId,
    });
    const type = (request.params as { type: string }).type as ProjectEventType;
    // A document comes by its upload (./documents.ts), which keeps its bytes before it names them.
    if (!projectEventTypes.includes(type) || type === 'document.attach') throw new AllianceError('NOT_FOUND', 'No such command.');
    const form = formOf(request);
    const schema = incomingPayloads[type] as z.ZodType;
    const value = type === 'reviewer.assign' ? { reviewerId: firstValue(form.reviewerId) } : readSchemaForm(schema, form);
    const parsed = parseFor(context.lang, schema, value);
    if (!parsed.success)
      return send(
        reply,
        await renderProject(services, context, callId, applicationId, { failed: { type, value, errors: errorsFromIssues(parsed.error.issues) } }),
        400,
      );
    try {
      await sendProjectCommand(services, callId, applicationId, type, context.actor, parsed.data as never);
      return reply.redirect(`/web/projects/${encodeURIComponent(callId)}/${encodeURIComponent(applicationId)}?done=${encodeURIComponent(type)}`, 303);
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500 || error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') throw error;
      return send(
        reply,
        await renderProject(services, context, callId, applicationId, {
          failed: { type, value, errors: errorsFromDetails(error.details), message: error.message },
        }),
        httpStatus[error.code],
      );
    }
  });
}
