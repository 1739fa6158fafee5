import { scopeName } from '../operation-names';
import { funnelPicture, stateDivisionPicture } from './dashboard-charts';
import type { CallSummary } from '../../../domain/api';
import type { z } from 'zod';
import { Division, Region } from '../../../domain/application';
import { when } from '../format';
import { html, type Html } from '../html';
import type { TodoItem } from '../../../machines/todo';
import { nameOf, stateName, translator, type Lang } from '../i18n';
import { csrfField, page, type PageContext } from '../layout';

export interface ProjectRow {
  workflowId: string;
  callId: string;
  division: string;
  region: string;
  institution: string;
  state: string;
  projectYear: number;
  overdue: boolean;
}
export interface DeadlineRow {
  callId: string;
  what: string;
  at: string;
}
export interface RoundRow {
  callId: string;
  scope: string;
  startedAt: string;
  deadline: string;
  closedAt: string | null;
  assigned: number;
  missing: number;
}

export interface DashboardData {
  calls: z.infer<typeof CallSummary>[];
  selectedCall: string | null;
  projects: ProjectRow[];
  deadlines: DeadlineRow[];
  rounds: RoundRow[];
  /** Why there are no counts: this API process reads no ledger. */
  noLedger?: string;
  /** Tables only, without the pictures beside them (the benchmark's baseline); drawn unless false. */
  pictures?: boolean;
}

const projectLink = (workflowId: string): string => `/web/projects/${workflowId.split(':').slice(1).map(encodeURIComponent).join('/')}`;

/** A count table: one row per state, one column per value of `column` (division or region). */
function countTable(context: PageContext, caption: string, projects: ProjectRow[], columns: readonly string[], column: (p: ProjectRow) => string): Html {
  const t = translator(context.lang);
  const states = [...new Set(projects.map((p) => p.state))].sort();
  const count = (state: string | null, value: string | null): number =>
    projects.filter((p) => (state === null || p.state === state) && (value === null || column(p) === value)).length;
  return html`<table><caption>${caption}</caption><thead><tr><th scope="col">${t('state')}</th>${columns.map((c) => html`<th scope="col">${nameOf(context.lang, c)}</th>`)}<th scope="col">${t('total')}</th></tr></thead><tbody>
    ${states.map((s) => html`<tr><th scope="row">${stateName(context.lang, s)}</th>${columns.map((c) => html`<td class="number">${count(s, c)}</td>`)}<td class="number">${count(s, null)}</td></tr>`)}
    <tr><th scope="row">${t('total')}</th>${columns.map((c) => html`<td class="number">${count(null, c)}</td>`)}<td class="number">${projects.length}</td></tr></tbody></table>`;
}

/** The office's (and auditors') dashboard: where every project of a call, or of all calls, stands. */
export function dashboardPage(context: PageContext, data: DashboardData): string {
  const t = translator(context.lang);
  const lang = context.lang;
  const overdue = data.projects.filter((p) => p.overdue);
  const chooser = html`<form method="get" action="/web" class="inline"><label for="call-select">${t('call')}</label>
    <select id="call-select" name="call"><option value="">${t('allCalls')}</option>${data.calls.map((c) => html`<option value="${c.callId}" ${c.callId === data.selectedCall ? 'selected' : ''}>${c.callId}</option>`)}</select>
    <button type="submit">${t('search')}</button></form>`;
  return page(
    context,
    t('dashboard'),
    html`
    ${chooser}
    <section aria-labelledby="calls-h"><h2 id="calls-h">${t('calls')}</h2>
      <table><thead><tr><th scope="col">${t('call')}</th><th scope="col">${t('rocYear')}</th><th scope="col">${t('state')}</th><th scope="col">${t('started')}</th></tr></thead><tbody>
      ${data.calls.map((c) => html`<tr><td><a href="/web/calls/${encodeURIComponent(c.callId)}">${c.callId}</a></td><td class="number">${c.rocYear ?? ''}</td><td>${stateName(lang, c.state)}</td><td>${when(lang, c.startedAt)}</td></tr>`)}</tbody></table></section>
    <section aria-labelledby="counts-h"><h2 id="counts-h">${t('projectsByState')}</h2>
      ${data.noLedger ? html`<p class="notice" role="status">${data.noLedger}</p>` : ''}
      <div class="chart-pair">${data.pictures === false ? '' : stateDivisionPicture(lang, data.projects)}
      ${countTable(context, `${t('state')} × ${t('division')}`, data.projects, Division.options, (p) => p.division)}</div>
      ${countTable(context, `${t('state')} × ${t('region')}`, data.projects, Region.options, (p) => p.region)}</section>
    ${data.pictures === false ? '' : funnelPicture(lang, data.projects)}
    <section aria-labelledby="overdue-h"><h2 id="overdue-h">${t('overdueReports')}</h2>
      ${overdue.length === 0 ? html`<p>${t('none')}</p>` : html`<ul>${overdue.map((p) => html`<li><a href="${projectLink(p.workflowId)}">${p.workflowId}</a> (${stateName(lang, p.state)}, ${t('projectYear')} ${p.projectYear})</li>`)}</ul>`}</section>
    <section aria-labelledby="deadlines-h"><h2 id="deadlines-h">${t('upcomingDeadlines')}</h2>
      ${
        data.deadlines.length === 0
          ? html`<p>${t('none')}</p>`
          : html`<table><thead><tr><th scope="col">${t('deadline')}</th><th scope="col">${t('call')}</th><th scope="col">${t('what')}</th></tr></thead><tbody>
      ${data.deadlines.map((d) => html`<tr><td>${when(lang, d.at)}</td><td>${d.callId}</td><td>${d.what}</td></tr>`)}</tbody></table>`
      }</section>
    <section aria-labelledby="rounds-h"><h2 id="rounds-h">${t('reviewRounds')}</h2>
      ${
        data.rounds.length === 0
          ? html`<p>${t('none')}</p>`
          : html`<table><thead><tr><th scope="col">${t('call')}</th><th scope="col">${t('scope')}</th><th scope="col">${t('started')}</th><th scope="col">${t('deadline')}</th><th scope="col">${t('closed')}</th><th scope="col">${t('assigned')}</th><th scope="col">${t('reviewsMissing')}</th></tr></thead><tbody>
      ${data.rounds.map((r) => html`<tr><td><a href="/web/calls/${encodeURIComponent(r.callId)}">${r.callId}</a></td><td>${scopeName(lang, r.scope)}</td><td>${when(lang, r.startedAt)}</td><td>${when(lang, r.deadline)}</td><td>${r.closedAt ? when(lang, r.closedAt) : t('open')}</td><td class="number">${r.assigned}</td><td class="number">${r.closedAt ? r.missing : '—'}</td></tr>`)}</tbody></table>`
      }</section>
  `,
  );
}

export interface WorkRow {
  callId: string;
  applicationId: string;
  title: string;
  assignedToMe: boolean;
}

/** How long until `due`, in whole days and hours, as the page's language says it; past due once it has passed. */
export function timeLeft(lang: Lang, due: string, now: number): string {
  const ms = Date.parse(due) - now;
  if (ms <= 0) return translator(lang)('pastDue');
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.max(1, Math.floor((ms % 3_600_000) / 60_000));
  if (lang === 'zh-TW') return days > 0 ? `${days} 天 ${hours} 小時` : hours > 0 ? `${hours} 小時` : `${minutes} 分鐘`;
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return days > 0 ? `${unit(days, 'day')} ${unit(hours, 'hour')}` : hours > 0 ? unit(hours, 'hour') : unit(minutes, 'minute');
}

/** The person's to-do list: what the law asks of them next, soonest first, with its due date and the time left. */
function todoSection(lang: Lang, todo: readonly TodoItem[], now: number): Html {
  const t = translator(lang);
  const link = (projectId: string) => `/web/projects/${projectId.split(':').slice(1).map(encodeURIComponent).join('/')}`;
  return html`<section aria-labelledby="todo-h"><h2 id="todo-h">${t('todo')}</h2>
    ${
      todo.length === 0
        ? html`<p>${t('nothingDue')}</p>`
        : html`<table id="todo"><thead><tr><th scope="col">${t('deadline')}</th><th scope="col">${t('timeLeft')}</th><th scope="col">${t('project')}</th><th scope="col">${t('what')}</th></tr></thead><tbody>
      ${todo.map((item) => html`<tr><td>${when(lang, item.due)}</td><td>${timeLeft(lang, item.due, now)}</td><td><a href="${link(item.projectId)}">${item.projectId.split(':').slice(1).join(' ')}</a></td><td>${nameOf(lang, item.command)}</td></tr>`)}</tbody></table>`
    }</section>`;
}

/** Home of a PI, a research office or a reviewer: what is due from them, their projects across the calls, and the calls open to apply to. */
/** The calendar address just made (shown this once), or that it was revoked; and the person's digest choice (none: no verified address). */
export type CalendarNote = { url?: string; revoked?: boolean; digest?: { daily: boolean; email: string; saved?: boolean } };

/** How the person's reminders reach them: each at once, or in one mail a day. */
function digestSection(context: PageContext, digest: NonNullable<CalendarNote['digest']>): Html {
  const t = translator(context.lang);
  const choice = (value: string, checked: boolean, label: string) =>
    html`<label><input type="radio" name="daily" value="${value}" ${checked ? 'checked' : ''}> ${label}</label><br>`;
  return html`<section aria-labelledby="digest-h"><h2 id="digest-h">${t('digestHeading')}</h2>
    ${digest.saved ? html`<p id="digest-saved" role="status">${t('digestSaved')}</p>` : ''}
    <form method="post" action="/web/digest">${csrfField(context)}<fieldset><legend>${t('digestHeading')}</legend>
    ${choice('off', !digest.daily, t('digestAtOnce'))}${choice('on', digest.daily, t('digestDaily'))}</fieldset>
    <p class="hint">${t('digestHint')} <span translate="no">${digest.email}</span></p>
    <button type="submit" id="digest-save">${t('digestSave')}</button></form></section>`;
}

/** The person's calendar feed: make an address (the old one stops), or revoke it. */
function calendarSection(context: PageContext, note: CalendarNote): Html {
  const t = translator(context.lang);
  return html`<section aria-labelledby="calendar-h"><h2 id="calendar-h">${t('calendarFeed')}</h2>
    ${note.url ? html`<p><label for="calendar-url">${t('calendarMade')}</label> <input id="calendar-url" type="text" readonly size="70" value="${note.url}"></p>` : ''}
    ${note.revoked ? html`<p id="calendar-revoked">${t('calendarRevoked')}</p>` : ''}
    <form method="post" action="/web/calendar" class="inline">${csrfField(context)}<button type="submit" id="calendar-create">${t('calendarCreate')}</button></form>
    <form method="post" action="/web/calendar/revoke" class="inline">${csrfField(context)}<button type="submit" id="calendar-revoke">${t('calendarRevoke')}</button></form>
  </section>`;
}

export function myWorkPage(
  context: PageContext,
  work: WorkRow[],
  openCalls: string[],
  todo: readonly TodoItem[] = [],
  calendar: CalendarNote = {},
  now = Date.now(),
): string {
  const t = translator(context.lang);
  const heading = context.actor.role === 'reviewer' ? t('myAssignments') : context.actor.role === 'institution' ? t('ourApplications') : t('myProjects');
  return page(
    context,
    heading,
    html`
    ${todoSection(context.lang, todo, now)}
    ${calendarSection(context, calendar)}
    ${calendar.digest ? digestSection(context, calendar.digest) : ''}
    ${
      work.length === 0
        ? html`<p>${t('none')}</p>`
        : html`<table id="my-work"><thead><tr><th scope="col">${t('call')}</th><th scope="col">${t('project')}</th><th scope="col">${t('title')}</th></tr></thead><tbody>
      ${work.map((w) => html`<tr><td><a href="/web/calls/${encodeURIComponent(w.callId)}">${w.callId}</a></td><td><a href="/web/projects/${encodeURIComponent(w.callId)}/${encodeURIComponent(w.applicationId)}">${w.applicationId}</a></td><td>${w.title}</td></tr>`)}</tbody></table>`
    }
    ${context.actor.role === 'pi' ? html`<section aria-labelledby="apply-h"><h2 id="apply-h">${t('newApplication')}</h2>${openCalls.length === 0 ? html`<p>${t('none')}</p>` : html`<ul>${openCalls.map((c) => html`<li><a href="/web/calls/${encodeURIComponent(c)}/apply">${t('apply')}: ${c}</a></li>`)}</ul>`}</section>` : ''}
  `,
  );
}
