// The project page's sections, each drawn from what the viewer may see of the project.
import type { z } from 'zod';
import { incomingPayloads, type ProjectEventType } from '../../../domain/project-events';
import { type checkApplication } from '../../../domain/rules';
import type { TransitionLogEntry, ProjectView } from '../../../machines/views';
import { ntd, when } from '../format';
import { html, type Html } from '../html';
import { actorName, nameOf, stateName, translator, type Lang } from '../i18n';
import { csrfField, type PageContext } from '../layout';
import { errorSummary, renderSchemaFields, type FieldErrors } from '../schema-form';
import { localMessage } from '../messages';

export interface NoticeRow {
  noticeId: string;
  kind: string;
  startedAt: string;
  status: string;
  detail: string;
  officeAlerted: boolean;
  recipients?: number;
  uncertain?: number;
  attempts?: number;
}

export interface ProjectPageData {
  view: ProjectView;
  log: TransitionLogEntry[];
  offered: ProjectEventType[];
  notices: NoticeRow[] | null;
  /** The reviewer pool's ids, for the office's assignment form. */
  pool?: { id: string; name: string }[];
  /** The command just refused or mistyped: its form is drawn again with what was typed and why. */
  failed?: { type: ProjectEventType; value: unknown; errors: FieldErrors; message?: string };
  /** The command just accepted. */
  done?: ProjectEventType;
  /** Why the document just sent was refused, shown at the upload form. */
  documentFailure?: string;
}

export const projectPath = (view: ProjectView): string =>
  `/web/projects/${encodeURIComponent(view.context.callId)}/${encodeURIComponent(view.context.application.id)}`;

/** Where each deadline comes from: the calendar field or policy rule that set it. */
/** A deadline as named in this language: Chinese names its event and the project year the plan's label counts. */
function deadlineName(lang: Lang, d: { event: string; label: string }): string {
  if (lang !== 'zh-TW') return `${nameOf(lang, d.event)} (${d.label})`;
  const year = /\d+/.exec(d.label)?.[0];
  return `${nameOf(lang, d.event)}${year ? `（第 ${year} 年度）` : ''}`;
}

export function ruleOf(lang: Lang, event: string, view: ProjectView, at: string): string {
  const p = view.context.policy;
  const zh = lang === 'zh-TW';
  const amendment = [...(view.context.deadlineAmendments ?? [])].reverse().find((a) => `deadline.${a.deadline}` === event && a.until === at);
  if (amendment) return `${zh ? '期限變更' : 'amended'} (${amendment.by.id}, ${amendment.at.slice(0, 10)}): ${amendment.reason}`;
  const stopped =
    view.context.clockStoppedMs && p.suspension !== 'clockRuns'
      ? ` + ${Math.round(view.context.clockStoppedMs / 86_400_000)} ${zh ? '日暫停' : 'days suspended'}`
      : '';
  switch (event) {
    case 'deadline.writtenReview':
      return zh ? '審查輪次 policy.writtenReviewPeriod' : 'review round: policy.writtenReviewPeriod';
    case 'deadline.application':
      return zh ? '公告日程 calendar.applicationWindow.closes' : 'call calendar: applicationWindow.closes';
    case 'deadline.endorsement':
      return zh ? '公告日程 calendar.endorsementDeadline' : 'call calendar: endorsementDeadline';
    case 'year.end':
      return `calendar.firstProjectYearStarts + ${view.projectYear} × policy.projectYearLength (${p.projectYearLength})${stopped}`;
    case 'deadline.progressReport':
      return `policy.progressReportDueBeforeYearEnd (${p.progressReportDueBeforeYearEnd})${zh ? ' 於年度結束前' : ' before the year ends'}`;
    case 'deadline.closingReport':
      return `policy.closingReportGrace (${p.closingReportGrace})${zh ? ' 於最後年度結束後' : ' after the last year ends'}`;
    default:
      return event;
  }
}

/** The form of one command, drawn from its payload schema; a command without fields is one button. */
function commandForm(context: PageContext, view: ProjectView, type: ProjectEventType, data: ProjectPageData): Html {
  const t = translator(context.lang);
  const failed = data.failed?.type === type ? data.failed : undefined;
  const schema = incomingPayloads[type] as z.ZodType;
  let value = failed?.value;
  if (type === 'application.update' && !failed) value = { application: view.context.application };
  let fields: Html;
  let summary = html``;
  if (type === 'reviewer.assign' && context.actor.role === 'office') {
    const chosen = (value as { reviewerId?: string } | undefined)?.reviewerId;
    fields = html`<div class="field"><label for="f-${type}-reviewerId">${nameOf(context.lang, 'reviewerId')}</label><select id="f-${type}-reviewerId" name="reviewerId"><option value="">—</option>${(data.pool ?? []).map((r) => html`<option value="${r.id}" ${r.id === chosen ? 'selected' : ''}>${r.id} ${r.name}</option>`)}</select></div>`;
    summary = errorSummary(context.lang, failed?.errors ?? new Map<string, string[]>());
  } else {
    const drawn = renderSchemaFields(context.lang, schema, value, failed?.errors ?? new Map<string, string[]>(), type);
    fields = drawn.fields;
    summary = drawn.summary;
  }
  const id = `command-${type.replace(/\./g, '-')}`;
  return html`<section class="command" aria-labelledby="${id}">
    <h3 id="${id}">${nameOf(context.lang, type)}${context.lang === 'zh-TW' ? html` <code>${type}</code>` : ''}</h3>
    ${failed?.message ? html`<div class="error-summary" role="alert"><h4>${t('refusedTitle')}</h4><p>${localMessage(context.lang, failed.message)}</p></div>` : ''}
    ${summary}
    <form method="post" action="${projectPath(view)}/commands/${type}" novalidate>${csrfField(context)}${fields}<button type="submit">${t('send')}</button></form>
  </section>`;
}

/** The project page: facts, timeline, statechart, deadlines, money, reports, reviews, notices, and the forms of what the viewer may do now. */
/** What every section of the project page reads: the viewer, the page's data and the project. */
export interface Scope {
  context: PageContext;
  data: ProjectPageData;
  t: ReturnType<typeof translator>;
  lang: Lang;
  view: ProjectView;
  c: ProjectView['context'];
  a: ProjectView['context']['application'];
  decision: ProjectView['context']['decision'];
  violations: ReturnType<typeof checkApplication>;
}

export function factsOf({ t, lang, view, c, a, decision }: Scope) {
  return html`<dl class="facts">
    <dt>${t('project')}</dt><dd>${c.projectId}</dd>
    <dt>${t('title')}</dt><dd>${a.title}</dd>
    <dt>${t('pi')}</dt><dd>${a.pi.name} (${a.pi.id})</dd>
    <dt>${t('institution')}</dt><dd>${a.institution.name} (${a.institution.id})</dd>
    <dt>${t('division')} / ${t('region')}</dt><dd>${a.division} / ${nameOf(lang, a.region)}</dd>
    <dt>${t('lifecycle')}</dt><dd><strong id="lifecycle">${stateName(lang, view.lifecycle)}</strong> (${view.states.map((s) => stateName(lang, s)).join('；')})</dd>
    <dt>${t('projectYear')}</dt><dd>${view.projectYear}</dd>
    ${decision ? html`<dt>${t('decision')}</dt><dd id="decision">${nameOf(lang, decision.outcome)}${decision.outcome === 'approved' ? ` ${decision.amountsNtd.map(ntd).join(' / ')}` : ` — ${decision.reason}`}</dd>` : ''}
    ${c.endReason ? html`<dt>${t('reason')}</dt><dd>${c.endReason}</dd>` : ''}
  </dl>`;
}

export function rulesOf({ context, t, lang, view, violations }: Scope) {
  return view.lifecycle === 'draft' && (context.actor.role === 'pi' || context.actor.role === 'office')
    ? html`<section aria-labelledby="rules"><h2 id="rules">${t('ruleMessages')}</h2>${violations.length === 0 ? html`<p>${t('rulesPass')}</p>` : html`<ul class="field-errors">${violations.map((v) => html`<li>${v.path ? html`<code>${v.path}</code>: ` : ''}${localMessage(lang, v.message)} <small>(${v.code})</small></li>`)}</ul>`}</section>`
    : '';
}

export function timelineOf({ data, t, lang }: Scope) {
  return html`<table><caption class="visually-hidden">${t('timeline')}</caption><thead><tr><th scope="col">#</th><th scope="col">${t('when')}</th><th scope="col">${t('who')}</th><th scope="col">${t('event')}</th><th scope="col">${t('fromTo')}</th></tr></thead><tbody>
    ${data.log.map((e) => html`<tr><td class="number">${e.seq}</td><td>${when(lang, e.at)}</td><td>${actorName(lang, e.actor)}</td><td>${nameOf(lang, e.event)}</td><td>${e.from.map((s) => stateName(lang, s)).join('；')} → ${e.to.map((s) => stateName(lang, s)).join('；')}</td></tr>`)}</tbody></table>`;
}

export function deadlinesOf({ t, lang, view }: Scope) {
  return view.deadlines.length === 0
    ? html`<p>${t('none')}</p>`
    : html`<table><thead><tr><th scope="col">${t('what')}</th><th scope="col">${t('deadline')}</th><th scope="col">${t('rule')}</th></tr></thead><tbody>
    ${view.deadlines.map((d) => html`<tr><td>${deadlineName(lang, d)}</td><td>${when(lang, d.at)}</td><td>${ruleOf(lang, d.event, view, d.at)}</td></tr>`)}</tbody></table>`;
}

export function actionsOf({ context, data, t, view }: Scope) {
  // A document is sent by the upload form of the documents section, not by a form of fields.
  const forms = data.offered.filter((type) => type !== 'document.attach');
  return forms.length === 0 ? html`<p>${t('noActions')}</p>` : html`${forms.map((type) => commandForm(context, view, type, data))}`;
}
