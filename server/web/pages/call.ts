import type { z } from 'zod';
import type { CallView, OperationRecord, ReviewRound } from '../../../messages/call';
import type { RankedApplication } from '../../../domain/ranking';
import { ntd, when } from '../format';
import { html, trusted, type Html } from '../html';
import { nameOf, stateName, translator, type Lang } from '../i18n';
import { csrfField, page, type PageContext } from '../layout';
import { errorSummary, renderSchemaFields, type FieldErrors } from '../schema-form';

/** One of the office's operations over a whole call, as the pages offer it. */
export interface BulkOperationForm {
  name: string;
  schema: z.ZodType;
}

export interface ReviewProgress { applicationId: string; assigned: number; recorded: number }

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

const callPath = (callId: string): string => `/web/calls/${encodeURIComponent(callId)}`;

/** What a bulk operation did: done, skipped with reasons, unreachable; or a ranking, rounds or a state. */
export function outcomeTable(lang: Lang, result: unknown): Html {
  const t = translator(lang);
  if (Array.isArray(result)) {
    const rounds = result as ReviewRound[];
    return html`<table><thead><tr><th scope="col">${t('scope')}</th><th scope="col">${t('closed')}</th><th scope="col">${t('reviewsMissing')}</th></tr></thead><tbody>
      ${rounds.map((r) => html`<tr><td>${r.scope}</td><td>${when(lang, r.closedAt)}</td><td>${r.missing.map((m) => `${m.projectId} (${m.reviewerId})`).join(', ') || t('none')}</td></tr>`)}</tbody></table>`;
  }
  if (result && typeof result === 'object' && 'operation' in result) {
    const r = result as OperationRecord;
    const rows = [...r.skipped.map((s) => ({ ...s, how: t('skipped') })), ...(r.unreachable ?? []).map((s) => ({ ...s, how: t('unreachable') }))];
    return html`<p id="outcome-counts">${t('total')} ${r.total} · ${t('applied')} ${r.applied} · ${t('skipped')} ${r.skipped.length}${r.unreachable?.length ? ` · ${t('unreachable')} ${r.unreachable.length}` : ''}</p>
      ${rows.length ? html`<table><thead><tr><th scope="col">${t('project')}</th><th scope="col">${t('event')}</th><th scope="col">${t('outcome')}</th><th scope="col">${t('reason')}</th></tr></thead><tbody>
      ${rows.map((s) => html`<tr><td>${s.projectId}</td><td>${nameOf(lang, s.type)}</td><td>${s.how}</td><td>${s.reason}</td></tr>`)}</tbody></table>` : ''}`;
  }
  if (result && typeof result === 'object') {
    const ranking = result as Record<string, RankedApplication[]>;
    return html`${Object.entries(ranking).map(([division, ranked]) => html`<table><caption>${t('ranking')} ${division}</caption><thead><tr><th scope="col">#</th><th scope="col">${t('project')}</th><th scope="col">${nameOf(lang, 'score')}</th><th scope="col">${nameOf(lang, 'panelScore')}</th></tr></thead><tbody>
      ${ranked.map((a) => html`<tr><td class="number">${a.rank}</td><td>${a.applicationId}</td><td class="number">${a.writtenAverage ?? '—'}</td><td class="number">${a.panelScore ?? '—'}</td></tr>`)}</tbody></table>`)}`;
  }
  return html`<p>${t('state')}: ${stateName(lang, String(result))}</p>`;
}

/** A call: its state and calendar, rounds and their progress, its projects, and the forms of its operations. */
export function callPage(context: PageContext, data: CallPageData): string {
  const t = translator(context.lang);
  const lang = context.lang;
  const { view } = data;
  const role = context.actor.role;
  const projectRows = view.projects.map((p) => html`<tr><td><a href="/web/projects/${encodeURIComponent(view.callId)}/${encodeURIComponent(p.applicationId)}">${p.applicationId}</a></td><td>${p.title}</td><td>${p.division}</td><td>${p.institutionId}</td><td class="number">${ntd(p.requestedNtd)}</td>${role === 'office' || role === 'auditor' ? html`<td>${(view.assignments[p.applicationId] ?? []).join(', ')}</td><td>${view.slots[p.applicationId] ? when(lang, view.slots[p.applicationId]) : ''}</td>` : ''}</tr>`);
  const calendar = view.calendar ? html`<dl>
    <dt>${nameOf(lang, 'deadline.application')}</dt><dd>${when(lang, view.calendar.applicationWindow.closes)}</dd>
    <dt>${nameOf(lang, 'deadline.endorsement')}</dt><dd>${when(lang, view.calendar.endorsementDeadline)}</dd></dl>` : '';
  const rounds = view.rounds.length === 0 ? html`<p>${t('none')}</p>` : html`<table><thead><tr><th scope="col">${t('scope')}</th><th scope="col">${t('started')}</th><th scope="col">${t('deadline')}</th><th scope="col">${t('closed')}</th><th scope="col">${t('reviewsMissing')}</th></tr></thead><tbody>
    ${view.rounds.map((r) => html`<tr><td>${r.scope}</td><td>${when(lang, r.startedAt)}</td><td>${when(lang, r.deadline)}</td><td>${r.closedAt ? when(lang, r.closedAt) : t('open')}</td><td class="number">${r.closedAt ? r.missing.length : '—'}</td></tr>`)}</tbody></table>`;
  const progress = data.reviewProgress.length === 0 ? '' : html`<table id="review-progress"><caption>${t('reviewsIn')}</caption><thead><tr><th scope="col">${t('project')}</th><th scope="col">${t('assigned')}</th><th scope="col">${t('reviewsIn')}</th><th scope="col">${t('reviewsMissing')}</th></tr></thead><tbody>
    ${data.reviewProgress.map((p) => html`<tr><td>${p.applicationId}</td><td class="number">${p.assigned}</td><td class="number">${p.recorded}</td><td class="number">${Math.max(0, p.assigned - p.recorded)}</td></tr>`)}</tbody></table>`;
  const operationsDone = view.operations.length === 0 ? html`<p>${t('none')}</p>` : html`<table><thead><tr><th scope="col">${t('what')}</th><th scope="col">${t('who')}</th><th scope="col">${t('when')}</th><th scope="col">${t('total')}</th><th scope="col">${t('applied')}</th><th scope="col">${t('skipped')}</th></tr></thead><tbody>
    ${view.operations.map((o) => html`<tr><td>${o.operation}</td><td>${o.by.role} ${o.by.id}</td><td>${when(lang, o.at)}</td><td class="number">${o.total}</td><td class="number">${o.applied}</td><td class="number">${o.skipped.length}</td></tr>`)}</tbody></table>`;
  const forms = data.operations.length ? html`<section aria-labelledby="bulk-h"><h2 id="bulk-h">${t('bulkOperations')}</h2>
    ${data.operations.map((op) => {
      const failed = data.failed?.form === op.name ? data.failed : undefined;
      const drawn = renderSchemaFields(lang, op.schema, failed?.value, failed?.errors ?? new Map<string, string[]>(), op.name);
      const id = `op-${op.name}`;
      return html`<section class="command" aria-labelledby="${id}"><h3 id="${id}">${nameOf(lang, op.name)}</h3>
        ${failed?.message ? html`<div class="error-summary" role="alert"><p>${failed.message}</p></div>` : ''}${drawn.summary}
        <form method="post" action="${callPath(view.callId)}/operations/${op.name}" novalidate>${csrfField(context)}${drawn.fields}<button type="submit">${nameOf(lang, op.name)}…</button></form></section>`;
    })}</section>` : '';
  const roster = data.mayRoster ? rosterForm(context, data) : '';
  const apply = role === 'pi' && view.state === 'open' ? html`<p><a href="${callPath(view.callId)}/apply">${t('newApplication')}</a></p>` : '';
  return page(context, `${t('call')} ${view.callId}${view.title ? ` — ${view.title}` : ''}`, html`
    <p>${t('state')}: <strong id="call-state">${stateName(lang, view.state)}</strong></p>
    ${calendar}${apply}
    ${roster}
    ${forms}
    <section aria-labelledby="rounds-h"><h2 id="rounds-h">${t('reviewRounds')}</h2>${rounds}${progress}</section>
    <section aria-labelledby="projects-h"><h2 id="projects-h">${t('projects')}</h2>
      <table id="call-projects"><thead><tr><th scope="col">${t('project')}</th><th scope="col">${t('title')}</th><th scope="col">${t('division')}</th><th scope="col">${t('institution')}</th><th scope="col">${t('requestedPerYear')}</th>${role === 'office' || role === 'auditor' ? html`<th scope="col">${t('assigned')}</th><th scope="col">${t('slot')}</th>` : ''}</tr></thead><tbody>${projectRows}</tbody></table></section>
    <section aria-labelledby="ops-h"><h2 id="ops-h">${t('bulkOperations')}</h2>${operationsDone}</section>
  `);
}

function rosterForm(context: PageContext, data: CallPageData): Html {
  const t = translator(context.lang);
  const { view } = data;
  const failed = data.failed?.form === 'roster' ? data.failed : undefined;
  const value = (failed?.value ?? {}) as { rosterId?: string; letterReference?: string; applicationIds?: string[] };
  const errors = failed?.errors ?? new Map<string, string[]>();
  const fieldErrors = (path: string): Html => (errors.get(path) ? html`<ul class="field-errors" id="roster-${path}-errors">${(errors.get(path) ?? []).map((m) => html`<li>${m}</li>`)}</ul>` : html``);
  return html`<section aria-labelledby="roster-h"><h2 id="roster-h">${t('roster')}</h2>
    ${data.rosterDone && view.operations.length ? html`<div class="notice" role="status">${outcomeTable(context.lang, view.operations.at(-1))}</div>` : ''}
    ${failed?.message ? html`<div class="error-summary" role="alert"><p>${failed.message}</p></div>` : ''}${errorSummary(context.lang, errors)}
    <form method="post" action="${callPath(view.callId)}/roster" novalidate>${csrfField(context)}
      <fieldset><legend>${nameOf(context.lang, 'applicationIds')}</legend>${fieldErrors('applicationIds')}
        ${view.projects.map((p) => html`<div class="field checkbox"><input type="checkbox" id="roster-${p.applicationId}" name="applicationIds" value="${p.applicationId}" ${value.applicationIds?.includes(p.applicationId) ? 'checked' : ''}><label for="roster-${p.applicationId}">${p.applicationId} ${p.title}</label></div>`)}</fieldset>
      <div class="field"><label for="roster-rosterId">${nameOf(context.lang, 'rosterId')}</label><input type="text" id="roster-rosterId" name="rosterId" value="${value.rosterId ?? ''}" maxlength="64">${fieldErrors('rosterId')}</div>
      <div class="field"><label for="roster-letterReference">${nameOf(context.lang, 'letterReference')}</label><input type="text" id="roster-letterReference" name="letterReference" value="${value.letterReference ?? ''}" maxlength="200">${fieldErrors('letterReference')}</div>
      <button type="submit">${t('submitRoster')}</button></form>
    ${view.rosters.length ? html`<h3>${t('rosters')}</h3><ul>${view.rosters.map((r) => html`<li>${(r as { rosterId?: string }).rosterId ?? ''} — ${((r as { applicationIds?: string[] }).applicationIds ?? []).join(', ')}</li>`)}</ul>` : ''}
  </section>`;
}

/** The confirmation step of a bulk operation: what it will do, and one button to go on. */
export function confirmPage(context: PageContext, callId: string, operation: string, fields: Record<string, string>, projects: number): string {
  const t = translator(context.lang);
  return page(context, `${t('confirmTitle')}: ${nameOf(context.lang, operation)}`, html`
    <p>${t('confirmText')} ${callId} (${projects} ${t('projects')})</p>
    ${Object.keys(fields).length ? html`<dl>${Object.entries(fields).map(([k, v]) => html`<dt>${nameOf(context.lang, k)}</dt><dd>${v}</dd>`)}</dl>` : ''}
    <form method="post" action="${callPath(callId)}/operations/${operation}" novalidate>${csrfField(context)}
      ${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
      <input type="hidden" name="_confirm" value="yes">
      <button type="submit" id="confirm">${t('confirm')}</button> <a href="${callPath(callId)}">${t('cancel')}</a></form>`);
}

export interface JobView { id: string; callId: string; operation: string; status: 'running' | 'done' | 'failed'; result?: unknown; error?: string }

/** A bulk operation while it runs (the page reloads itself, no script needed) and its outcome once done. */
export function jobPage(context: PageContext, job: JobView, progress: { done: number; total: number } | null): string {
  const t = translator(context.lang);
  const title = `${nameOf(context.lang, job.operation)} — ${job.status === 'running' ? t('running') : job.status === 'done' ? t('done') : t('failed')}`;
  const body = job.status === 'running'
    ? html`<p role="status" id="job-status">${t('running')}${progress ? html`: <progress max="${progress.total}" value="${progress.done}" aria-label="${t('progress')}">${progress.done}/${progress.total}</progress> ${progress.done} / ${progress.total}` : '…'}</p>`
    : job.status === 'failed'
      ? html`<div class="error-summary" role="alert" id="job-status"><h2>${t('refusedTitle')}</h2><p>${job.error}</p></div>`
      : html`<div id="job-status" role="status">${outcomeTable(context.lang, job.result)}</div>`;
  const refreshed = page(context, title, html`${body}<p><a href="${callPath(job.callId)}">${t('back')}</a></p>`);
  return job.status === 'running' ? refreshed.replace('<meta charset="utf-8">', trusted('<meta charset="utf-8">\n<meta http-equiv="refresh" content="1">').text) : refreshed;
}

/** A form page of its own: opening a call, a new application. */
export function formPage(context: PageContext, title: string, action: string, drawn: { fields: Html; summary: Html }, message?: string, submit?: string): string {
  const t = translator(context.lang);
  return page(context, title, html`
    ${message ? html`<div class="error-summary" role="alert"><h2>${t('refusedTitle')}</h2><p>${message}</p></div>` : ''}${drawn.summary}
    <form method="post" action="${action}" novalidate>${csrfField(context)}${drawn.fields}<button type="submit">${submit ?? t('send')}</button></form>`);
}
