// Opening a call: the office fills the form (ROC dates, the policy from a template) or pastes the
// call file, and gives the reviewer pool as JSON
// or as a spreadsheet (.xlsx or .csv, a reviewer a row): every bad row is named by its number, and
// nothing is opened until every row passes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Call } from '../../../domain/call';
import { checkAccess } from '../../../machines/access';
import { AllianceError } from '../../../domain/errors';
import { poolColumns, poolFromRows } from '../../../domain/pool-sheet';
import { ReviewerPool } from '../../../domain/reviewers';
import { FORM_LIMIT } from '../../plugins/forms';
import { readUpload } from '../../plugins/uploads';
import { httpStatus } from '../../problems';
import { spreadsheetRows } from '../../services/spreadsheets';
import { html } from '../../web/html';
import { translator, type Lang } from '../../web/i18n';
import { localMessage, parseFor, zodMessages } from '../../web/messages';
import type { PageContext } from '../../web/layout';
import { formPage } from '../../web/pages/form';
import { errorsFromIssues, firstValue, readSchemaForm, renderSchemaFields, type FieldErrors } from '../../web/schema-form';
import { CallForm, callFormFrom, callFromForm } from '../../web/call-form';
import { alliance105 } from '../../../domain/calls';
import { hidden, type PageKit } from './kit';

const OpenCallForm = z.object({
  // Empty: the call is made from the form's fields (server/web/call-form.ts).
  call: z.string().max(FORM_LIMIT / 2),
  reviewerPool: z
    .string()
    .min(1, 'expected the reviewer pool (JSON), or a spreadsheet of it')
    .max(FORM_LIMIT / 2),
});
type OpenCallValue = Partial<Record<'call' | 'reviewerPool', string>>;
/** The form's fields: the call's facts and calendar (with blank tranche rows), the pool, the call file, the session token, and room. */
const OPEN_CALL_FIELDS = 64;
/** A pool of 10,000 reviewers in a spreadsheet is well under this. */
const POOL_SPREADSHEET_LIMIT = 4 * 1024 * 1024;

const fieldErrors = (lang: Lang, errors: FieldErrors, name: string) =>
  errors.has(name) ? html`<ul class="field-errors" id="f-${name}-errors">${errors.get(name)!.map((m) => html`<li>${localMessage(lang, m)}</li>`)}</ul>` : '';

function openCallForm(context: PageContext, value: OpenCallValue, errors: FieldErrors, message?: string, fields: unknown = callFormFrom(alliance105)): string {
  const t = translator(context.lang);
  const invalid = (name: string) => (errors.has(name) ? html`aria-describedby="f-${name}-errors" aria-invalid="true"` : '');
  const area = (
    name: 'call' | 'reviewerPool',
    word: 'callFile' | 'poolFile',
  ) => html`<div class="field${errors.has(name) ? ' invalid' : ''}"><label for="f-${name}">${t(word)}</label>
      <textarea id="f-${name}" name="${name}" rows="16" spellcheck="false" translate="no" ${invalid(name)}>${value[name] ?? ''}</textarea>${fieldErrors(context.lang, errors, name)}</div>`;
  const headings = Object.values(poolColumns)
    .map(([zh, en]) => (context.lang === 'zh-TW' ? zh : en))
    .join('、');
  const sheet = html`<div class="field${errors.has('poolSpreadsheet') ? ' invalid' : ''}"><label for="f-poolSpreadsheet">${t('poolSpreadsheet')}</label>
      <p class="hint" id="f-poolSpreadsheet-hint">${t('poolSpreadsheetHint')}${headings}</p>
      <input type="file" id="f-poolSpreadsheet" name="poolSpreadsheet" accept=".xlsx,.csv" aria-describedby="f-poolSpreadsheet-hint${errors.has('poolSpreadsheet') ? ' f-poolSpreadsheet-errors' : ''}">${fieldErrors(context.lang, errors, 'poolSpreadsheet')}</div>`;
  const summary = errors.size
    ? html`<div class="error-summary" role="alert"><h2>${t('errorsTitle')}</h2><ul>${[...errors].flatMap(([k, ms]) => ms.map((m) => html`<li><a href="#${fieldOf(k)}">${localMessage(context.lang, m)}</a></li>`))}</ul></div>`
    : html``;
  const drawn = renderSchemaFields(context.lang, CallForm, fields, errors, 'callform');
  const advanced = html`<details ${value.call ? 'open' : ''}><summary>${t('callFileInstead')}</summary>${area('call', 'callFile')}</details>`;
  return formPage(
    context,
    t('openCall'),
    '/web/calls',
    { fields: html`<p class="hint">${t('callFormHint')}</p>${drawn.fields}${area('reviewerPool', 'poolFile')}${sheet}${advanced}`, summary },
    message,
    t('openCall'),
    'multipart/form-data',
  );
}

/** Where a message's field is: the call file, the pool, the spreadsheet, or one of the form's fields. */
const fieldOf = (key: string): string =>
  ['call', 'reviewerPool', 'poolSpreadsheet'].includes(key.split('.')[0]!)
    ? `f-${key.split('.')[0]}`
    : `f-callform-${key.replace(/\./g, '-').replace(/[^A-Za-z0-9-]/g, '_')}`;

/** The call and the pool, each parsed and checked; every problem at its field. The call from its file when one was given, else from the form's fields. */
function readCallFiles(
  value: { call: string; reviewerPool: string },
  fieldsRead: unknown,
  lang: Lang,
): { callFile: unknown; pool: unknown; errors: FieldErrors } {
  const errors: FieldErrors = new Map();
  if (value.call.trim() === '') {
    const pool = readPool(value, errors);
    const fields = parseFor(lang, CallForm, fieldsRead);
    if (!fields.success) for (const [k, v] of errorsFromIssues(fields.error.issues)) errors.set(k, v);
    return { callFile: fields.success ? callFromForm(fields.data) : undefined, pool, errors };
  }
  const json = (name: 'call'): unknown => {
    try {
      return JSON.parse(value[name]);
    } catch (error) {
      errors.set(name, [`not JSON: ${(error as Error).message}`]);
      return undefined;
    }
  };
  const callFile = json('call');
  const pool = readPool(value, errors);
  if (callFile !== undefined)
    for (const [k, v] of errorsFromIssues(Call.safeParse(callFile).error?.issues ?? [], ['call']))
      errors.set(k.startsWith('call') ? 'call' : k, [...(errors.get('call') ?? []), ...v.map((m) => `${k.replace(/^call\.?/, '') || '(file)'}: ${m}`)]);
  return { callFile, pool, errors };
}

/** The reviewer pool (JSON, or what the spreadsheet gave), parsed and checked. */
function readPool(value: { reviewerPool: string }, errors: FieldErrors): unknown {
  let pool: unknown;
  try {
    pool = JSON.parse(value.reviewerPool);
  } catch (error) {
    errors.set('reviewerPool', [`not JSON: ${(error as Error).message}`]);
    return undefined;
  }
  for (const [k, v] of errorsFromIssues(ReviewerPool.safeParse(pool).error?.issues ?? [], ['reviewerPool']))
    errors.set('reviewerPool', [...(errors.get('reviewerPool') ?? []), ...v.map((m) => `${k.replace(/^reviewerPool\.?/, '') || '(file)'}: ${m}`)]);
  return pool;
}

/** The form's fields and its spreadsheet, if one was chosen: a multipart form is read here, bounded; a url-encoded one was parsed already. */
async function formWithSpreadsheet(request: FastifyRequest): Promise<{ spreadsheet: Buffer | null; refusal: Error | null }> {
  if (!request.headers['content-type']?.startsWith('multipart/form-data')) return { spreadsheet: null, refusal: null };
  const upload = await readUpload(request.raw, () => POOL_SPREADSHEET_LIMIT, FORM_LIMIT / 2, OPEN_CALL_FIELDS);
  request.body = upload.fields;
  return { spreadsheet: upload.file?.bytes.length ? upload.file.bytes : null, refusal: upload.refusal };
}

export function openCallPages(app: FastifyInstance, kit: PageKit): void {
  const { services, contextOf, send, need, formOf } = kit;
  app.get('/web/calls/new', hidden, (request, reply) => {
    const context = contextOf(request);
    need('call.open', context);
    return send(reply, openCallForm(context, {}, new Map()));
  });
  void app.register((scope, _options, registered) => {
    // The spreadsheet is read by the handler, bounded: no parser holds it first.
    scope.addContentTypeParser('multipart/form-data', (_request, _payload, next) => next(null));
    scope.post('/web/calls', hidden, async (request, reply) => {
      if (!request.browserSession) contextOf(request);
      // Only the office opens a call: asked before a byte of the form is read.
      const refused = checkAccess('call.open', request.browserSession!.actor);
      if (refused) throw new AllianceError(refused.code, refused.message);
      const { spreadsheet, refusal } = await formWithSpreadsheet(request);
      const context = contextOf(request);
      const form = formOf(request);
      const value = { call: firstValue(form.call), reviewerPool: firstValue(form.reviewerPool) };
      // The form's own fields, as typed: read once, drawn again with any refusal.
      const fields = readSchemaForm(CallForm, form);
      if (refusal)
        return send(
          reply,
          openCallForm(context, value, new Map([['poolSpreadsheet', [refusal.message]]]), undefined, fields),
          refusal instanceof AllianceError ? httpStatus[refusal.code] : 400,
        );
      if (spreadsheet) {
        const read = poolFromRows(await spreadsheetRows(spreadsheet), zodMessages(context.lang));
        if (!read.ok) return send(reply, openCallForm(context, value, new Map([['poolSpreadsheet', read.problems]]), undefined, fields), 400);
        value.reviewerPool = JSON.stringify(read.pool, null, 2);
      }
      const shape = parseFor(context.lang, OpenCallForm, value);
      if (!shape.success) return send(reply, openCallForm(context, value, errorsFromIssues(shape.error.issues), undefined, fields), 400);
      const { callFile, pool, errors } = readCallFiles(value, fields, context.lang);
      if (errors.size) return send(reply, openCallForm(context, value, errors, undefined, fields), 400);
      try {
        const callId = await services.bounded('command', () => services.calls.open(callFile, pool));
        return reply.redirect(`/web/calls/${encodeURIComponent(callId)}`, 303);
      } catch (error) {
        if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500) throw error;
        return send(reply, openCallForm(context, value, new Map(), error.message, fields), httpStatus[error.code]);
      }
    });
    registered();
  });
}
