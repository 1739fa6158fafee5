import { Division, Region } from '../../../domain/application';
import { when } from '../format';
import { html } from '../html';
import { actorName, nameOf, stateName, translator } from '../i18n';
import { csrfField, page, type PageContext } from '../layout';
import type { ProjectRow } from './home';

export interface AuditQuery {
  call?: string;
  division?: string;
  region?: string;
  institution?: string;
  state?: string;
  overdue?: string;
}
export interface VerifyOutcome {
  checked: number;
  comparedWithTemporal: number;
  broken: Record<string, unknown> | null;
}
export interface LedgerRow {
  seq: number;
  entrySeq: number;
  at: string;
  actor: { role: string; id: string };
  event: string;
  hash: string;
}

const exportLink = (format: 'csv' | 'json', scope: { call?: string; project?: string }): string =>
  `/web/audit/export?format=${format}&${scope.project ? `project=${encodeURIComponent(scope.project)}` : `call=${encodeURIComponent(scope.call ?? '')}`}`;

/** The auditors' page: search projects, read a project's ledger trail, verify the ledger, export. No form here changes anything. */
export function auditPage(context: PageContext, query: AuditQuery, results: ProjectRow[] | null, verify: VerifyOutcome | null, message?: string): string {
  const t = translator(context.lang);
  const lang = context.lang;
  const select = (
    name: keyof AuditQuery,
    options: readonly string[],
  ) => html`<div class="field"><label for="q-${name}">${t(name === 'call' ? 'call' : name === 'division' ? 'division' : 'region')}</label>
    <select id="q-${name}" name="${name}"><option value="">—</option>${options.map((o) => html`<option value="${o}" ${query[name] === o ? 'selected' : ''}>${nameOf(lang, o)}</option>`)}</select></div>`;
  return page(
    context,
    t('history'),
    html`
    ${message ? html`<div class="error-summary" role="alert"><p>${message}</p></div>` : ''}
    <section aria-labelledby="search-h"><h2 id="search-h">${t('searchProjects')}</h2>
      <form method="get" action="/web/audit">
        <div class="field"><label for="q-call">${t('call')}</label><input type="text" id="q-call" name="call" value="${query.call ?? ''}" maxlength="64"></div>
        ${select('division', Division.options)}${select('region', Region.options)}
        <div class="field"><label for="q-institution">${t('institution')}</label><input type="text" id="q-institution" name="institution" value="${query.institution ?? ''}" maxlength="64"></div>
        <div class="field"><label for="q-state">${t('state')}</label><input type="text" id="q-state" name="state" value="${query.state ?? ''}" maxlength="64"></div>
        <div class="field checkbox"><input type="checkbox" id="q-overdue" name="overdue" value="true" ${query.overdue === 'true' ? 'checked' : ''}><label for="q-overdue">${t('overdueReports')}</label></div>
        <button type="submit">${t('search')}</button></form>
      ${
        results === null
          ? ''
          : html`<table id="audit-results"><caption>${results.length} ${t('projects')}</caption><thead><tr><th scope="col">${t('project')}</th><th scope="col">${t('division')}</th><th scope="col">${t('region')}</th><th scope="col">${t('institution')}</th><th scope="col">${t('state')}</th><th scope="col">${t('history')}</th></tr></thead><tbody>
        ${results.map(
          (
            r,
          ) => html`<tr><td><a href="/web/projects/${r.workflowId.split(':').slice(1).map(encodeURIComponent).join('/')}">${r.workflowId}</a></td><td>${r.division}</td><td>${nameOf(lang, r.region)}</td><td>${r.institution}</td><td>${stateName(lang, r.state)}</td>
          <td><a href="/web/audit/history/${encodeURIComponent(r.workflowId)}">${t('history')}</a> · <a href="${exportLink('csv', { project: r.workflowId })}">CSV</a> · <a href="${exportLink('json', { project: r.workflowId })}">JSON</a></td></tr>`,
        )}</tbody></table>
        ${query.call ? html`<p>${t('export')} ${query.call}: <a href="${exportLink('csv', { call: query.call })}">CSV</a> · <a href="${exportLink('json', { call: query.call })}">JSON</a></p>` : ''}`
      }
    </section>
    <section aria-labelledby="verify-h"><h2 id="verify-h">${t('verifyLedger')}</h2>
      ${
        verify
          ? html`<div id="verify-result" role="status">${
              verify.broken
                ? html`<p class="field-errors">${t('broken')}:</p><pre>${JSON.stringify(verify.broken, null, 2)}</pre>`
                : html`<p>${t('verified')}.</p>`
            }<p>${t('checked')}: ${verify.checked} (Temporal: ${verify.comparedWithTemporal})</p></div>`
          : ''
      }
      <form method="post" action="/web/audit/verify">${csrfField(context)}<button type="submit">${t('verify')}</button></form>
    </section>`,
  );
}

/** One project's (or call's) trail from the ledger. */
export function historyPage(context: PageContext, workflowId: string, entries: LedgerRow[]): string {
  const t = translator(context.lang);
  return page(
    context,
    `${t('history')}: ${workflowId}`,
    html`
    <p><a href="${exportLink('csv', { project: workflowId })}">CSV</a> · <a href="${exportLink('json', { project: workflowId })}">JSON</a></p>
    <table id="ledger"><thead><tr><th scope="col">#</th><th scope="col">${t('when')}</th><th scope="col">${t('who')}</th><th scope="col">${t('event')}</th><th scope="col">${t('entryHash')}</th></tr></thead><tbody>
    ${entries.map((e) => html`<tr><td class="number">${e.entrySeq}</td><td>${when(context.lang, e.at)}</td><td>${actorName(context.lang, e.actor)}</td><td>${nameOf(context.lang, e.event)}</td><td><code>${e.hash.slice(0, 16)}…</code></td></tr>`)}</tbody></table>`,
  );
}
