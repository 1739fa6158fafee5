// A bulk operation over a call from its page: the form, a confirmation naming how many projects it
// reaches, then the job's page while it runs in Temporal and with its outcome.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CallParams } from '../../../domain/api';
import { AllianceError } from '../../../domain/errors';
import type { CallOperationName } from '../../../gateway/call-operations';
import type { Form } from '../../plugins/forms';
import { httpStatus } from '../../problems';
import { confirmPage, jobPage } from '../../web/pages/jobs';
import { errorsFromIssues, readSchemaForm } from '../../web/schema-form';
import { bulkOperations, JobParams, operationIdOf } from './bulk-operations';
import { renderCall } from './call-view';
import { parseFor } from '../../web/messages';
import { hidden, type PageKit } from './kit';

export function callJobPages(app: FastifyInstance, kit: PageKit): void {
  const { services, contextOf, send, need, params, formOf } = kit;
  app.post('/web/calls/:callId/operations/:operation', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, { callId: (request.params as { callId: string }).callId });
    const name = (request.params as { operation: string }).operation;
    if (!Object.hasOwn(bulkOperations, name)) throw new AllianceError('NOT_FOUND', 'No such operation.');
    need('call.operate', context);
    const schema = bulkOperations[name as CallOperationName];
    const form = formOf(request);
    const value = readSchemaForm(schema, form);
    const parsed = parseFor(context.lang, schema, value);
    if (!parsed.success)
      return send(reply, await renderCall(services, context, callId, { failed: { form: name, value, errors: errorsFromIssues(parsed.error.issues) } }), 400);
    const status = await services.bounded('command', () => services.calls.status(callId));
    if ((request.body as Form)._confirm !== 'yes') {
      const shown = Object.fromEntries(
        Object.entries(form)
          .map(([k, v]): [string, string] => [k, [v].flat().join(', ')])
          .filter(([, v]) => v !== ''),
      );
      const division = (parsed.data as { division?: string }).division;
      return send(reply, confirmPage(context, callId, name, shown, status.projects.filter((p) => !division || p.division === division).length));
    }
    const operation = name as CallOperationName;
    const nonce = randomBytes(9).toString('base64url');
    try {
      // The call accepts or refuses it now; it goes on in Temporal whatever happens to this request, and the job page follows it.
      await services.bounded('command', () =>
        services.calls.startOperation(callId, operation, context.actor, parsed.data as never, operationIdOf(context.actor, operation, nonce)),
      );
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500 || error.code === 'NOT_FOUND') throw error;
      return send(reply, jobPage(context, { id: nonce, callId, operation, status: 'failed', error: error.message }, null), httpStatus[error.code]);
    }
    return reply.redirect(`/web/calls/${encodeURIComponent(callId)}/jobs/${operation}/${nonce}`, 303);
  });
  app.get('/web/calls/:callId/jobs/:operation/:nonce', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, { callId: (request.params as { callId: string }).callId });
    const job = JobParams.safeParse(request.params);
    if (!job.success) throw new AllianceError('NOT_FOUND', 'No such operation.');
    const { operation, nonce } = job.data;
    const standing = await services.bounded('command', () => services.calls.operationStanding(callId, operationIdOf(context.actor, operation, nonce)));
    const progress = standing.status === 'running' ? await services.bounded('command', () => services.calls.progress(callId)).catch(() => null) : null;
    return send(reply, jobPage(context, { id: nonce, callId, operation, ...standing }, progress));
  });
}
