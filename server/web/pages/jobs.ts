// A bulk operation's pages: the confirmation before it starts, and the job's page while it runs
// and with its outcome (what each project took, skipped or did not answer).
import { scopeName } from '../operation-names';
import { localMessage } from '../messages';
import type { OperationRecord, ReviewRound } from '../../../messages/call';
import type { RankedApplication } from '../../../domain/ranking';
import { when } from '../format';
import { html, trusted, type Html } from '../html';
import { nameOf, stateName, translator, type Lang } from '../i18n';
import { csrfField, page, type PageContext } from '../layout';

/** A call's page, where its forms post and its jobs return. */
export const callPath = (callId: string): string => `/web/calls/${encodeURIComponent(callId)}`;

/** What a bulk operation did: done, skipped with reasons, unreachable; or a ranking, rounds or a state. */
export function outcomeTable(lang: Lang, result: unknown): Html {
  const t = translator(lang);
  if (Array.isArray(result)) {
    const rounds = result as ReviewRound[];
    return html`<table><thead><tr><th scope="col">${t('scope')}</th><th scope="col">${t('closed')}</th><th scope="col">${t('reviewsMissing')}</th></tr></thead><tbody>
      ${rounds.map((r) => html`<tr><td>${scopeName(lang, r.scope)}</td><td>${when(lang, r.closedAt)}</td><td>${r.missing.map((m) => `${m.projectId} (${m.reviewerId})`).join(', ') || t('none')}</td></tr>`)}</tbody></table>`;
  }
  if (result && typeof result === 'object' && 'operation' in result) {
    const r = result as OperationRecord;
    const rows = [...r.skipped.map((s) => ({ ...s, how: t('skipped') })), ...(r.unreachable ?? []).map((s) => ({ ...s, how: t('unreachable') }))];
    return html`<p id="outcome-counts">${t('total')} ${r.total} · ${t('applied')} ${r.applied} · ${t('skipped')} ${r.skipped.length}${r.unreachable?.length ? ` · ${t('unreachable')} ${r.unreachable.length}` : ''}</p>
      ${
        rows.length
          ? html`<table><thead><tr><th scope="col">${t('project')}</th><th scope="col">${t('event')}</th><th scope="col">${t('outcome')}</th><th scope="col">${t('reason')}</th></tr></thead><tbody>
      ${rows.map((s) => html`<tr><td>${s.projectId}</td><td>${nameOf(lang, s.type)}</td><td>${s.how}</td><td>${localMessage(lang, s.reason)}</td></tr>`)}</tbody></table>`
          : ''
      }`;
  }
  if (result && typeof result === 'object') {
    const ranking = result as Record<string, RankedApplication[]>;
    return html`${Object.entries(ranking).map(
      ([
        division,
        ranked,
      ]) => html`<table><caption>${t('ranking')} ${division}</caption><thead><tr><th scope="col">#</th><th scope="col">${t('project')}</th><th scope="col">${nameOf(lang, 'score')}</th><th scope="col">${nameOf(lang, 'panelScore')}</th></tr></thead><tbody>
      ${ranked.map((a) => html`<tr><td class="number">${a.rank}</td><td>${a.applicationId}</td><td class="number">${a.writtenAverage ?? '—'}</td><td class="number">${a.panelScore ?? '—'}</td></tr>`)}</tbody></table>`,
    )}`;
  }
  return html`<p>${t('state')}: ${stateName(lang, String(result))}</p>`;
}

/** The confirmation step of a bulk operation: what it will do, and one button to go on. */
export function confirmPage(context: PageContext, callId: string, operation: string, fields: Record<string, string>, projects: number): string {
  const t = translator(context.lang);
  return page(
    context,
    `${t('confirmTitle')}: ${nameOf(context.lang, operation)}`,
    html`
    <p>${t('confirmText')} ${callId} (${projects} ${t('projects')})</p>
    ${Object.keys(fields).length ? html`<dl>${Object.entries(fields).map(([k, v]) => html`<dt>${nameOf(context.lang, k)}</dt><dd>${v}</dd>`)}</dl>` : ''}
    <form method="post" action="${callPath(callId)}/operations/${operation}" novalidate>${csrfField(context)}
      ${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
      <input type="hidden" name="_confirm" value="yes">
      <button type="submit" id="confirm">${t('confirm')}</button> <a href="${callPath(callId)}">${t('cancel')}</a></form>`,
  );
}

export interface JobView {
  id: string;
  callId: string;
  operation: string;
  status: 'running' | 'done' | 'failed';
  result?: unknown;
  error?: string;
}

/** A bulk operation while it runs (the page reloads itself, no script needed) and its outcome once done. */
export function jobPage(context: PageContext, job: JobView, progress: { done: number; total: number } | null): string {
  const t = translator(context.lang);
  const title = `${nameOf(context.lang, job.operation)} — ${job.status === 'running' ? t('running') : job.status === 'done' ? t('done') : t('failed')}`;
  const body =
    job.status === 'running'
      ? html`<p role="status" id="job-status">${t('running')}${progress ? html`: <progress max="${progress.total}" value="${progress.done}" aria-label="${t('progress')}">${progress.done}/${progress.total}</progress> ${progress.done} / ${progress.total}` : '…'}</p>`
      : job.status === 'failed'
        ? html`<div class="error-summary" role="alert" id="job-status"><h2>${t('refusedTitle')}</h2><p>${job.error}</p></div>`
        : html`<div id="job-status" role="status">${outcomeTable(context.lang, job.result)}</div>`;
  const refreshed = page(context, title, html`${body}<p><a href="${callPath(job.callId)}">${t('back')}</a></p>`);
  return job.status === 'running'
    ? refreshed.replace('<meta charset="utf-8">', trusted('<meta charset="utf-8">\n<meta http-equiv="refresh" content="1">').text)
    : refreshed;
}
