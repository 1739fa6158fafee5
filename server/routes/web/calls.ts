// Calls: the office opens one from its call file and reviewer pool; everyone sees a call as the
// call view allows; an institution sends its roster from the call's page.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CallParams, RosterBody } from '../../../domain/api';
import { Call } from '../../../domain/call';
import { AllianceError } from '../../../domain/errors';
import { ReviewerPool } from '../../../domain/reviewers';
import { FORM_LIMIT } from '../../plugins/forms';
import { httpStatus } from '../../problems';
import { html } from '../../web/html';
import { translator } from '../../web/i18n';
import type { PageContext } from '../../web/layout';
import { formPage } from '../../web/pages/form';
import { errorsFromIssues, firstValue, type FieldErrors } from '../../web/schema-form';
import { renderCall } from './call-view';
import { hidden, type PageKit } from './kit';

// Opening a call: the office pastes (or types) the call file and the reviewer pool.
const OpenCallForm = z.object({
  call: z
    .string()
    .min(1, 'expected the call file (JSON)')
    .max(FORM_LIMIT / 2),
  reviewerPool: z
    .string()
    .min(1, 'expected the reviewer pool (JSON)')
    .max(FORM_LIMIT / 2),
});
type OpenCallValue = Partial<Record<'call' | 'reviewerPool', string>>;

function openCallForm(context: PageContext, value: OpenCallValue, errors: FieldErrors, message?: string): string {
  const t = translator(context.lang);
  const area = (
    name: 'call' | 'reviewerPool',
    word: 'callFile' | 'poolFile',
  ) => html`<div class="field${errors.has(name) ? ' invalid' : ''}"><label for="f-${name}">${t(word)}</label>
      <textarea id="f-${name}" name="${name}" rows="16" spellcheck="false" ${errors.has(name) ? html`aria-describedby="f-${name}-errors" aria-invalid="true"` : ''}>${value[name] ?? ''}</textarea>
      ${errors.has(name) ? html`<ul class="field-errors" id="f-${name}-errors">${errors.get(name)!.map((m) => html`<li>${m}</li>`)}</ul>` : ''}</div>`;
  const summary = errors.size
    ? html`<div class="error-summary" role="alert"><h2>${t('errorsTitle')}</h2><ul>${[...errors].flatMap(([k, ms]) => ms.map((m) => html`<li><a href="#f-${k.split('.')[0]}">${m}</a></li>`))}</ul></div>`
    : html``;
  return formPage(
    context,
    t('openCall'),
    '/web/calls',
    { fields: html`${area('call', 'callFile')}${area('reviewerPool', 'poolFile')}`, summary },
    message,
    t('openCall'),
  );
}

/** The call file and the pool, each parsed and checked; every problem at its field. */
function readCallFiles(value: { call: string; reviewerPool: string }): { callFile: unknown; pool: unknown; errors: FieldErrors } {
  const errors: FieldErrors = new Map();
  const json = (name: 'call' | 'reviewerPool'): unknown => {
    try {
      return JSON.parse(value[name]);
    } catch (error) {
      errors.set(name, [`not JSON: ${(error as Error).message}`]);
      return undefined;
    }
  };
  const callFile = json('call');
  const pool = json('reviewerPool');
  if (callFile !== undefined)
    for (const [k, v] of errorsFromIssues(Call.safeParse(callFile).error?.issues ?? [], ['call']))
      errors.set(k.startsWith('call') ? 'call' : k, [...(errors.get('call') ?? []), ...v.map((m) => `${k.replace(/^call\.?/, '') || '(file)'}: ${m}`)]);
  if (pool !== undefined)
    for (const [k, v] of errorsFromIssues(ReviewerPool.safeParse(pool).error?.issues ?? [], ['reviewerPool']))
      errors.set('reviewerPool', [...(errors.get('reviewerPool') ?? []), ...v.map((m) => `${k.replace(/^reviewerPool\.?/, '') || '(file)'}: ${m}`)]);
  return { callFile, pool, errors };
}

export function callPages(app: FastifyInstance, kit: PageKit): void {
  const { services, contextOf, send, need, params, formOf } = kit;
  app.get('/web/calls/new', hidden, (request, reply) => {
    const context = contextOf(request);
    need('call.open', context);
    return send(reply, openCallForm(context, {}, new Map()));
  });
  app.post('/web/calls', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('call.open', context);
    const form = formOf(request);
    const value = { call: firstValue(form.call), reviewerPool: firstValue(form.reviewerPool) };
    const shape = OpenCallForm.safeParse(value);
    if (!shape.success) return send(reply, openCallForm(context, value, errorsFromIssues(shape.error.issues)), 400);
    const { callFile, pool, errors } = readCallFiles(value);
    if (errors.size) return send(reply, openCallForm(context, value, errors), 400);
    try {
      const callId = await services.bounded('command', () => services.calls.open(callFile, pool));
      return reply.redirect(`/web/calls/${encodeURIComponent(callId)}`, 303);
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500) throw error;
      return send(reply, openCallForm(context, value, new Map(), error.message), httpStatus[error.code]);
    }
  });

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
    const parsed = RosterBody.safeParse(value);
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
