import type { z } from 'zod';
import type { CallView } from '../../../messages/call';
import { checkAccess } from '../../../machines/access';
import { sheetKinds } from '../../../machines/call-sheets';
import { ntd, when } from '../format';
import { html, type Html } from '../html';
import { actorName, nameOf, stateName, translator } from '../i18n';
import { csrfField, page, type PageContext } from '../layout';
import { operationName, scopeName } from '../operation-names';
import { localMessage } from '../messages';
import { callPath, outcomeTable } from './jobs';
import { errorSummary, renderSchemaFields, type FieldErrors } from '../schema-form';

/** One of the office's operations over a whole call, as the pages offer it. */
export interface BulkOperationForm {
  name: string;
  schema: z.ZodType;
}

export interface ReviewProgress {
  applicationId: string;
  assigned: number;
  recorded: number;
}

export interface CallPageData {
  view: CallView;
  /** The office's operations over the call (none for whoever may not run them). */
  operations: BulkOperationForm[];
  /** Reviews in per project under written review (the office's view). */
  reviewProgress: ReviewProgress[];
  /** A form just refused or mistyped. */
  failed?: { form: string; value: unknown; errors: FieldErrors; message?: string };
  /** Whether the viewer sends rosters (an institution). */
  mayRoster: boolean;
  /** A roster was just recorded: its outcome is the viewer's latest operation. */
  rosterDone?: boolean;
}

/** A call: its state and calendar, rounds and their progress, its projects, and the forms of its operations. */
/** What every section of the call page reads: the viewer and the page's data. */
interface CallScope {
  context: PageContext;
  data: CallPageData;
  t: ReturnType<typeof translator>;
  lang: PageContext['lang'];
  view: CallPageData['view'];
  role: PageContext['actor']['role'];
}

function projectRowsOf({ lang, view, role }: CallScope) {
  return view.projects.map(
    (p) =>
      html`<tr><td><a href="/web/projects/${encodeURIComponent(view.callId)}/${encodeURIComponent(p.applicationId)}">${p.applicationId}</a></td><td>${p.title}</td><td>${p.division}</td><td>${p.institutionId}</td><td class="number">${ntd(p.requestedNtd)}</td>${role === 'office' || role === 'auditor' ? html`<td>${(view.assignments[p.applicationId] ?? []).join(', ')}</td><td>${view.slots[p.applicationId] ? when(lang, view.slots[p.applicationId]) : ''}</td>` : ''}</tr>`,
  );
}

function calendarOf({ lang, view }: CallScope) {
  return view.calendar
    ? html`<dl>
    <dt>${nameOf(lang, 'deadline.application')}</dt><dd>${when(lang, view.calendar.applicationWindow.closes)}</dd>
    <dt>${nameOf(lang, 'deadline.endorsement')}</dt><dd>${when(lang, view.calendar.endorsementDeadline)}</dd></dl>`
    : '';
}

function roundsOf({ t, lang, view }: CallScope) {
  return view.rounds.length === 0
    ? html`<p>${t('none')}</p>`
    : html`<table><thead><tr><th scope="col">${t('scope')}</th><th scope="col">${t('started')}</th><th scope="col">${t('deadline')}</th><th scope="col">${t('closed')}</th><th scope="col">${t('reviewsMissing')}</th></tr></thead><tbody>
    ${view.rounds.map((r) => html`<tr><td>${scopeName(lang, r.scope)}</td><td>${when(lang, r.startedAt)}</td><td>${when(lang, r.deadline)}</td><td>${r.closedAt ? when(lang, r.closedAt) : t('open')}</td><td class="number">${r.closedAt ? r.missing.length : '—'}</td></tr>`)}</tbody></table>`;
}

function progressOf({ data, t }: CallScope) {
  return data.reviewProgress.length === 0
    ? ''
    : html`<table id="review-progress"><caption>${t('reviewsIn')}</caption><thead><tr><th scope="col">${t('project')}</th><th scope="col">${t('assigned')}</th><th scope="col">${t('reviewsIn')}</th><th scope="col">${t('reviewsMissing')}</th></tr></thead><tbody>
    ${data.reviewProgress.map((p) => html`<tr><td>${p.applicationId}</td><td class="number">${p.assigned}</td><td class="number">${p.recorded}</td><td class="number">${Math.max(0, p.assigned - p.recorded)}</td></tr>`)}</tbody></table>`;
}

function operationsDoneOf({ t, lang, view }: CallScope) {
  return view.operations.length === 0
    ? html`<p>${t('none')}</p>`
    : html`<table><thead><tr><th scope="col">${t('what')}</th><th scope="col">${t('who')}</th><th scope="col">${t('when')}</th><th scope="col">${t('total')}</th><th scope="col">${t('applied')}</th><th scope="col">${t('skipped')}</th></tr></thead><tbody>
    ${view.operations.map((o) => html`<tr><td>${operationName(lang, o.operation)}</td><td>${actorName(lang, o.by)}</td><td>${when(lang, o.at)}</td><td class="number">${o.total}</td><td class="number">${o.applied}</td><td class="number">${o.skipped.length}</td></tr>`)}</tbody></table>`;
}

function formsOf({ context, data, t, lang, view }: CallScope) {
  return data.operations.length
    ? html`<section aria-labelledby="bulk-h"><h2 id="bulk-h">${t('bulkOperations')}</h2>
    ${data.operations.map((op) => {
      const failed = data.failed?.form === op.name ? data.failed : undefined;
      const drawn = renderSchemaFields(lang, op.schema, failed?.value, failed?.errors ?? new Map<string, string[]>(), op.name);
      const id = `op-${op.name}`;
      return html`<section class="command" aria-labelledby="${id}"><h3 id="${id}">${nameOf(lang, op.name)}</h3>
        ${failed?.message ? html`<div class="error-summary" role="alert"><p>${localMessage(context.lang, failed.message)}</p></div>` : ''}${drawn.summary}
        <form method="post" action="${callPath(view.callId)}/operations/${op.name}" novalidate>${csrfField(context)}${drawn.fields}<button type="submit">${nameOf(lang, op.name)}…</button></form></section>`;
    })}</section>`
    : '';
}

function rosterOf({ context, data }: CallScope) {
  return data.mayRoster ? rosterForm(context, data) : '';
}

function applyOf({ t, view, role }: CallScope) {
  return role === 'pi' && view.state === 'open' ? html`<p><a href="${callPath(view.callId)}/apply">${t('newApplication')}</a></p>` : '';
}

export function callPage(context: PageContext, data: CallPageData): string {
  const t = translator(context.lang);
  const lang = context.lang;
  const { view } = data;
  const role = context.actor.role;
  const scope: CallScope = { context, data, t, lang, view, role };
  return page(
    context,
    `${t('call')} ${view.callId}${view.title ? ` — ${view.title}` : ''}`,
    html`
    <p>${t('state')}: <strong id="call-state">${stateName(lang, view.state)}</strong></p>
    ${calendarOf(scope)}${applyOf(scope)}
    ${rosterOf(scope)}
    ${formsOf(scope)}
    <section aria-labelledby="rounds-h"><h2 id="rounds-h">${t('reviewRounds')}</h2>${roundsOf(scope)}${progressOf(scope)}</section>
    <section aria-labelledby="projects-h"><h2 id="projects-h">${t('projects')}</h2>
      <table id="call-projects"><thead><tr><th scope="col">${t('project')}</th><th scope="col">${t('title')}</th><th scope="col">${t('division')}</th><th scope="col">${t('institution')}</th><th scope="col">${t('requestedPerYear')}</th>${role === 'office' || role === 'auditor' ? html`<th scope="col">${t('assigned')}</th><th scope="col">${t('slot')}</th>` : ''}</tr></thead><tbody>${projectRowsOf(scope)}</tbody></table></section>
    <section aria-labelledby="ops-h"><h2 id="ops-h">${t('bulkOperations')}</h2>${operationsDoneOf(scope)}</section>
    ${checkAccess('call.sheets', context.actor) ? '' : sheetsOf(scope)}
  `,
  );
}

/** The call's spreadsheets, each as .xlsx and as .csv (with a byte-order mark, for Excel). */
function sheetsOf({ t, view }: CallScope): Html {
  return html`<section aria-labelledby="sheets-h"><h2 id="sheets-h">${t('sheets')}</h2><ul id="sheets">${sheetKinds.map(
    (kind) =>
      html`<li>${t(`sheet-${kind}`)}: <a href="${callPath(view.callId)}/sheets/${kind}.xlsx" download>.xlsx</a> · <a href="${callPath(view.callId)}/sheets/${kind}.csv" download>.csv</a></li>`,
  )}</ul></section>`;
}

function rosterForm(context: PageContext, data: CallPageData): Html {
  const t = translator(context.lang);
  const { view } = data;
  const failed = data.failed?.form === 'roster' ? data.failed : undefined;
  const value = (failed?.value ?? {}) as { rosterId?: string; letterReference?: string; applicationIds?: string[] };
  const errors = failed?.errors ?? new Map<string, string[]>();
  const fieldErrors = (path: string): Html =>
    errors.get(path) ? html`<ul class="field-errors" id="roster-${path}-errors">${(errors.get(path) ?? []).map((m) => html`<li>${m}</li>`)}</ul>` : html``;
  return html`<section aria-labelledby="roster-h"><h2 id="roster-h">${t('roster')}</h2>
    ${data.rosterDone && view.operations.length ? html`<div class="notice" role="status">${outcomeTable(context.lang, view.operations.at(-1))}</div>` : ''}
    ${failed?.message ? html`<div class="error-summary" role="alert"><p>${localMessage(context.lang, failed.message)}</p></div>` : ''}${errorSummary(context.lang, errors)}
    <form method="post" action="${callPath(view.callId)}/roster" novalidate>${csrfField(context)}
      <fieldset><legend>${nameOf(context.lang, 'applicationIds')}</legend>${fieldErrors('applicationIds')}
        ${view.projects.map((p) => html`<div class="field checkbox"><input type="checkbox" id="roster-${p.applicationId}" name="applicationIds" value="${p.applicationId}" ${value.applicationIds?.includes(p.applicationId) ? 'checked' : ''}><label for="roster-${p.applicationId}">${p.applicationId} ${p.title}</label></div>`)}</fieldset>
      <div class="field"><label for="roster-rosterId">${nameOf(context.lang, 'rosterId')}</label><input type="text" id="roster-rosterId" name="rosterId" value="${value.rosterId ?? ''}" maxlength="64">${fieldErrors('rosterId')}</div>
      <div class="field"><label for="roster-letterReference">${nameOf(context.lang, 'letterReference')}</label><input type="text" id="roster-letterReference" name="letterReference" value="${value.letterReference ?? ''}" maxlength="200">${fieldErrors('letterReference')}</div>
      <button type="submit">${t('submitRoster')}</button></form>
    ${view.rosters.length ? html`<h3>${t('rosters')}</h3><ul>${view.rosters.map((r) => html`<li>${(r as { rosterId?: string }).rosterId ?? ''} — ${((r as { applicationIds?: string[] }).applicationIds ?? []).join(', ')}</li>`)}</ul>` : ''}
  </section>`;
}
