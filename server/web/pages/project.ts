import { acceptedKpis } from '../../../machines/kpis';
import type { z } from 'zod';
import type { Actor } from '../../../domain/actor';
import { incomingPayloads, type ProjectEventType } from '../../../domain/project-events';
import { checkApplication, countKpiMembers } from '../../../domain/rules';
import { projectMachine } from '../../../machines/project-machine';
import type { TransitionLogEntry, ProjectView } from '../../../machines/views';
import { ntd, when } from '../format';
import { html, type Html } from '../html';
import { nameOf, stateName, translator, type Lang } from '../i18n';
import { csrfField, page, type PageContext } from '../layout';
import { errorSummary, renderSchemaFields, type FieldErrors } from '../schema-form';
import { statechartTree } from '../statechart';

export interface NoticeRow { noticeId: string; kind: string; startedAt: string; status: string; detail: string; officeAlerted: boolean }

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
}

const projectPath = (view: ProjectView): string => `/web/projects/${encodeURIComponent(view.context.callId)}/${encodeURIComponent(view.context.application.id)}`;

/** Where each deadline comes from: the calendar field or policy rule that set it. */
function ruleOf(lang: Lang, event: string, view: ProjectView, at: string): string {
  const p = view.context.policy;
  const zh = lang === 'zh-TW';
  const amendment = [...(view.context.deadlineAmendments ?? [])].reverse().find((a) => `deadline.${a.deadline}` === event && a.until === at);
  if (amendment) return `${zh ? '期限變更' : 'amended'} (${amendment.by.id}, ${amendment.at.slice(0, 10)}): ${amendment.reason}`;
  const stopped = view.context.clockStoppedMs && p.suspension !== 'clockRuns' ? ` + ${Math.round(view.context.clockStoppedMs / 86_400_000)} ${zh ? '日暫停' : 'days suspended'}` : '';
  switch (event) {
    case 'deadline.writtenReview': return zh ? '審查輪次 policy.writtenReviewPeriod' : 'review round: policy.writtenReviewPeriod';
    case 'deadline.application': return zh ? '公告日程 calendar.applicationWindow.closes' : 'call calendar: applicationWindow.closes';
    case 'deadline.endorsement': return zh ? '公告日程 calendar.endorsementDeadline' : 'call calendar: endorsementDeadline';
    case 'year.end': return `calendar.firstProjectYearStarts + ${view.projectYear} × policy.projectYearLength (${p.projectYearLength})${stopped}`;
    case 'deadline.progressReport': return `policy.progressReportDueBeforeYearEnd (${p.progressReportDueBeforeYearEnd})${zh ? ' 於年度結束前' : ' before the year ends'}`;
    case 'deadline.closingReport': return `policy.closingReportGrace (${p.closingReportGrace})${zh ? ' 於最後年度結束後' : ' after the last year ends'}`;
    default: return event;
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
    ${failed?.message ? html`<div class="error-summary" role="alert"><h4>${t('refusedTitle')}</h4><p>${failed.message}</p></div>` : ''}
    ${summary}
    <form method="post" action="${projectPath(view)}/commands/${type}" novalidate>${csrfField(context)}${fields}<button type="submit">${t('send')}</button></form>
  </section>`;
}

const actorLabel = (actor: Actor): string => `${actor.role} ${actor.id}`;

/** The project page: facts, timeline, statechart, deadlines, money, reports, reviews, notices, and the forms of what the viewer may do now. */
export function projectPage(context: PageContext, data: ProjectPageData): string {
  const t = translator(context.lang);
  const { view } = data;
  const c = view.context;
  const a = c.application;
  const lang = context.lang;
  const decision = c.decision;
  const violations = view.lifecycle === 'draft' ? checkApplication(a, c.policy) : [];
  const facts = html`<dl class="facts">
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
  const rules = view.lifecycle === 'draft' && (context.actor.role === 'pi' || context.actor.role === 'office')
    ? html`<section aria-labelledby="rules"><h2 id="rules">${t('ruleMessages')}</h2>${violations.length === 0 ? html`<p>${t('rulesPass')}</p>` : html`<ul class="field-errors">${violations.map((v) => html`<li>${v.path ? html`<code>${v.path}</code>: ` : ''}${v.message} <small>(${v.code})</small></li>`)}</ul>`}</section>`
    : '';
  const timeline = html`<table><caption class="visually-hidden">${t('timeline')}</caption><thead><tr><th scope="col">#</th><th scope="col">${t('when')}</th><th scope="col">${t('who')}</th><th scope="col">${t('event')}</th><th scope="col">${t('fromTo')}</th></tr></thead><tbody>
    ${data.log.map((e) => html`<tr><td class="number">${e.seq}</td><td>${when(lang, e.at)}</td><td>${actorLabel(e.actor)}</td><td>${nameOf(lang, e.event)}</td><td>${e.from.map((s) => stateName(lang, s)).join('；')} → ${e.to.map((s) => stateName(lang, s)).join('；')}</td></tr>`)}</tbody></table>`;
  const deadlines = view.deadlines.length === 0 ? html`<p>${t('none')}</p>` : html`<table><thead><tr><th scope="col">${t('what')}</th><th scope="col">${t('deadline')}</th><th scope="col">${t('rule')}</th></tr></thead><tbody>
    ${view.deadlines.map((d) => html`<tr><td>${nameOf(lang, d.event)} (${d.label})</td><td>${when(lang, d.at)}</td><td>${ruleOf(lang, d.event, view, d.at)}</td></tr>`)}</tbody></table>`;
  const requested = a.budget.map((b) => b.personnel + b.operatingExpenses + b.serviceEquipment + (b.researchEquipment ?? 0));
  const money = html`<table><thead><tr><th scope="col">${t('projectYear')}</th><th scope="col">${t('requestedPerYear')}</th><th scope="col">${t('approvedPerYear')}</th><th scope="col">${t('paid')}</th></tr></thead><tbody>
    ${requested.map((amount, i) => html`<tr><td class="number">${i + 1}</td><td class="number">${ntd(amount)}</td><td class="number">${decision?.outcome === 'approved' && decision.amountsNtd[i] !== undefined ? ntd(decision.amountsNtd[i]) : '—'}</td><td class="number">${ntd(c.disbursements.filter((d) => d.year === i + 1).reduce((s, d) => s + d.amountNtd, 0))}</td></tr>`)}</tbody></table>
    <h3>${t('tranches')}</h3>
    ${c.pendingTranche ? html`<p>${t('requested')}: ${ntd(c.pendingTranche.amountNtd)} (${when(lang, c.pendingTranche.requestedAt)})</p>` : ''}
    ${c.carriedTranche ? html`<p>${t('carriedTranche')}: ${ntd(c.carriedTranche.amountNtd)} (${t('projectYear')} ${c.carriedTranche.year})</p>` : ''}
    ${(c.refusedTranches ?? []).map((r) => html`<p>${t('refusedTranche')}: ${ntd(r.amountNtd)} (${t('projectYear')} ${r.year}, ${when(lang, r.settledAt)})</p>`)}
    ${(c.exhibitions ?? []).map((x) => html`<p>${t('exhibitions')}: ${t('projectYear')} ${x.year}, #${x.rank} (${when(lang, x.at)})</p>`)}
    ${c.disbursements.length === 0 ? html`<p>${t('none')}</p>` : html`<table><thead><tr><th scope="col">${t('projectYear')}</th><th scope="col">#</th><th scope="col">${t('paid')}</th><th scope="col">${t('when')}</th></tr></thead><tbody>${c.disbursements.map((d) => html`<tr><td class="number">${d.year}</td><td class="number">${d.tranche}</td><td class="number">${ntd(d.amountNtd)}</td><td>${when(lang, d.at)}</td></tr>`)}</tbody></table>`}`;
  const reports = [...c.reports.map((r) => ({ ...r, kind: 'progressReport' })), ...c.closingReports.map((r) => ({ ...r, kind: 'closingReport' }))];
  const kpiMembers = countKpiMembers(a.members);
  const results = acceptedKpis(c);
  const reportSection = html`${reports.length === 0 ? html`<p>${t('none')}</p>` : html`<table><thead><tr><th scope="col">${t('what')}</th><th scope="col">${t('projectYear')}</th><th scope="col">${t('outcome')}</th><th scope="col">${t('when')}</th><th scope="col">${t('summary')}</th></tr></thead><tbody>
    ${reports.map((r) => html`<tr><td>${nameOf(lang, r.kind)}</td><td class="number">${r.year}</td><td>${nameOf(lang, r.outcome)}</td><td>${when(lang, r.at)}</td><td>${r.summary}${r.note ? html`<br><small>${r.note}</small>` : ''}</td></tr>`)}</tbody></table>`}
    <p>${t('members')}: ${kpiMembers} / ${a.members.length}</p>
    ${results.length ? html`<table><caption>${t('reportedKpis')}</caption><thead><tr><th scope="col">${t('projectYear')}</th><th scope="col">${t('statedMembers')}</th><th scope="col">${t('countedMembers')}</th><th scope="col">${nameOf(lang, 'memberFeesNtd')}</th><th scope="col">${nameOf(lang, 'technologyTransferNtd')}</th><th scope="col">${nameOf(lang, 'technicalServicesNtd')}</th><th scope="col">${nameOf(lang, 'industryAcademiaProjectsNtd')}</th></tr></thead><tbody>
      ${results.map((k) => html`<tr><td class="number">${k.year}</td><td class="number">${k.members}</td><td class="number">${k.countedMembers ?? '—'}</td><td class="number">${ntd(k.memberFeesNtd)}</td><td class="number">${ntd(k.technologyTransferNtd)}</td><td class="number">${ntd(k.technicalServicesNtd)}</td><td class="number">${ntd(k.industryAcademiaProjectsNtd)}</td></tr>`)}</tbody></table>` : ''}
    ${a.kpis.length ? html`<table><caption>${t('plannedKpis')}</caption><thead><tr><th scope="col">${t('projectYear')}</th><th scope="col">${nameOf(lang, 'members')}</th><th scope="col">${nameOf(lang, 'memberFeesNtd')}</th><th scope="col">${nameOf(lang, 'technologyTransferNtd')}</th><th scope="col">${nameOf(lang, 'technicalServicesNtd')}</th><th scope="col">${nameOf(lang, 'industryAcademiaProjectsNtd')}</th></tr></thead><tbody>
      ${a.kpis.map((k) => html`<tr><td class="number">${k.year}</td><td class="number">${k.members}</td><td class="number">${ntd(k.memberFeesNtd)}</td><td class="number">${ntd(k.technologyTransferNtd)}</td><td class="number">${ntd(k.technicalServicesNtd)}</td><td class="number">${ntd(k.industryAcademiaProjectsNtd)}</td></tr>`)}</tbody></table>` : ''}`;
  const reviews = c.reviews.length === 0 ? html`<p id="reviews-none">${t('noReviewsVisible')}</p>` : html`<table id="reviews"><thead><tr><th scope="col">${nameOf(lang, 'reviewerId')}</th><th scope="col">${nameOf(lang, 'score')}</th><th scope="col">${nameOf(lang, 'recommendation')}</th><th scope="col">${nameOf(lang, 'comments')}</th><th scope="col">${t('when')}</th></tr></thead><tbody>
    ${c.reviews.map((r) => html`<tr><td>${r.reviewerId}</td><td class="number">${r.score}</td><td>${nameOf(lang, r.recommendation)}</td><td>${r.comments}</td><td>${when(lang, r.at)}</td></tr>`)}</tbody></table>`;
  const notices = data.notices === null ? '' : html`<section aria-labelledby="notices"><h2 id="notices">${t('notices')}</h2>${data.notices.length === 0 ? html`<p>${t('none')}</p>` : html`<table><thead><tr><th scope="col">${t('what')}</th><th scope="col">${t('when')}</th><th scope="col">${t('delivery')}</th></tr></thead><tbody>
    ${data.notices.map((n) => html`<tr><td>${n.kind}</td><td>${when(lang, n.startedAt)}</td><td>${n.status}${n.officeAlerted ? ' ⚠' : ''} <small>${n.detail}</small></td></tr>`)}</tbody></table>`}</section>`;
  const actions = data.offered.length === 0 ? html`<p>${t('noActions')}</p>` : html`${data.offered.map((type) => commandForm(context, view, type, data))}`;
  return page(context, `${a.title}`, html`
    ${data.done ? html`<p class="notice" role="status">${nameOf(lang, data.done)}: ${t('done')}</p>` : ''}
    ${facts}
    ${rules}
    <section aria-labelledby="actions"><h2 id="actions">${t('actions')}</h2>${actions}</section>
    <section aria-labelledby="deadlines"><h2 id="deadlines">${t('pendingDeadlines')}</h2>${deadlines}</section>
    <section aria-labelledby="timeline"><h2 id="timeline">${t('timeline')}</h2>${timeline}</section>
    <section aria-labelledby="reviews-h"><h2 id="reviews-h">${t('reviews')}</h2>${reviews}</section>
    <section aria-labelledby="money"><h2 id="money">${t('money')}</h2>${money}</section>
    <section aria-labelledby="reports"><h2 id="reports">${t('reports')}</h2>${reportSection}</section>
    ${notices}
    <section aria-labelledby="chart"><h2 id="chart">${t('statechart')}</h2>${statechartTree(lang, projectMachine, view.states)}</section>
  `);
}
