// Calls: the office opens one (./open-call.ts); everyone sees a call as the
// call view allows; an institution sends its roster from the call's page.
import type { FastifyInstance } from 'fastify';
import { CallParams, RosterBody } from '../../../domain/api';
import { AllianceError } from '../../../domain/errors';
import { httpStatus } from '../../problems';
import { errorsFromIssues, firstValue } from '../../web/schema-form';
import { parseFor } from '../../web/messages';
import { renderCall } from './call-view';
import { openCallPages } from './open-call';
import { callSheetPages } from './call-sheets';
import { hidden, type PageKit } from './kit';

export function callPages(app: FastifyInstance, kit: PageKit): void {
  const { services, contextOf, send, params, formOf } = kit;
  openCallPages(app, kit);
  callSheetPages(app, kit);

  app.get('/web/calls/:callId', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, request.params);
    return send(reply, await renderCall(services, context, callId, (request.query as { roster?: string }).roster === 'done' ? { rosterDone: true } : {}));
  });

  app.post('/web/calls/:callId/roster', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, request.params);
    const form = formOf(request);
    const value = {
      rosterId: firstValue(form.rosterId).trim(),
      letterReference: firstValue(form.letterReference).trim(),
      applicationIds: [form.applicationIds ?? []].flat(),
    };
    const parsed = parseFor(context.lang, RosterBody, value);
    if (!parsed.success)
      return send(
        reply,
        await renderCall(services, context, callId, { failed: { form: 'roster', value, errors: errorsFromIssues(parsed.error.issues) } }),
        400,
      );
    try {
      await services.bounded('bulk', () => services.calls.submitRoster(callId, context.actor, parsed.data));
      // Redirect after the roster is recorded, so a reload does not send it again.
      return reply.redirect(`/web/calls/${encodeURIComponent(callId)}?roster=done`, 303);
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500 || error.code === 'NOT_FOUND') throw error;
      return send(
        reply,
        await renderCall(services, context, callId, { failed: { form: 'roster', value, errors: new Map(), message: error.message } }),
        httpStatus[error.code],
      );
    }
  });
}
