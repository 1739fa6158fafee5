// The project page's record sections: money, reports and results, reviews, notices.
import { acceptedKpis } from '../../../machines/kpis';
import { countKpiMembers } from '../../../domain/rules';
import { ntd, when } from '../format';
import { html } from '../html';
import { deliveryName, nameOf, noticeName, type Lang } from '../i18n';
import type { NoticeRow, Scope } from './project-sections';

export function moneyOf({ t, lang, c, a, decision }: Scope) {
  const requested = a.budget.map((b) => b.personnel + b.operatingExpenses + b.serviceEquipment + (b.researchEquipment ?? 0));
  return html`<table><thead><tr><th scope="col">${t('projectYear')}</th><th scope="col">${t('requestedPerYear')}</th><th scope="col">${t('approvedPerYear')}</th><th scope="col">${t('paid')}</th></tr></thead><tbody>
    ${requested.map((amount, i) => html`<tr><td class="number">${i + 1}</td><td class="number">${ntd(amount)}</td><td class="number">${decision?.outcome === 'approved' && decision.amountsNtd[i] !== undefined ? ntd(decision.amountsNtd[i]) : '—'}</td><td class="number">${ntd(c.disbursements.filter((d) => d.year === i + 1).reduce((s, d) => s + d.amountNtd, 0))}</td></tr>`)}</tbody></table>
    <h3>${t('tranches')}</h3>
    ${c.pendingTranche ? html`<p>${t('requested')}: ${ntd(c.pendingTranche.amountNtd)} (${when(lang, c.pendingTranche.requestedAt)})</p>` : ''}
    ${c.carriedTranche ? html`<p>${t('carriedTranche')}: ${ntd(c.carriedTranche.amountNtd)} (${t('projectYear')} ${c.carriedTranche.year})</p>` : ''}
    ${(c.refusedTranches ?? []).map((r) => html`<p>${t('refusedTranche')}: ${ntd(r.amountNtd)} (${t('projectYear')} ${r.year}, ${when(lang, r.settledAt)})</p>`)}
    ${(c.exhibitions ?? []).map((x) => html`<p>${t('exhibitions')}: ${t('projectYear')} ${x.year}, #${x.rank} (${when(lang, x.at)})</p>`)}
    ${c.disbursements.length === 0 ? html`<p>${t('none')}</p>` : html`<table><thead><tr><th scope="col">${t('projectYear')}</th><th scope="col">#</th><th scope="col">${t('paid')}</th><th scope="col">${t('when')}</th></tr></thead><tbody>${c.disbursements.map((d) => html`<tr><td class="number">${d.year}</td><td class="number">${d.tranche}</td><td class="number">${ntd(d.amountNtd)}</td><td>${when(lang, d.at)}</td></tr>`)}</tbody></table>`}`;
}

export function reportSectionOf({ t, lang, c, a }: Scope) {
  const reports = [...c.reports.map((r) => ({ ...r, kind: 'progressReport' })), ...c.closingReports.map((r) => ({ ...r, kind: 'closingReport' }))];
  const kpiMembers = countKpiMembers(a.members);
  const results = acceptedKpis(c);
  return html`${
    reports.length === 0
      ? html`<p>${t('none')}</p>`
      : html`<table><thead><tr><th scope="col">${t('what')}</th><th scope="col">${t('projectYear')}</th><th scope="col">${t('outcome')}</th><th scope="col">${t('when')}</th><th scope="col">${t('summary')}</th></tr></thead><tbody>
    ${reports.map((r) => html`<tr><td>${nameOf(lang, r.kind)}</td><td class="number">${r.year}</td><td>${nameOf(lang, r.outcome)}</td><td>${when(lang, r.at)}</td><td>${r.summary}${r.note ? html`<br><small>${r.note}</small>` : ''}</td></tr>`)}</tbody></table>`
  }
    <p>${t('members')}: ${kpiMembers} / ${a.members.length}</p>
    ${
      results.length
        ? html`<table><caption>${t('reportedKpis')}</caption><thead><tr><th scope="col">${t('projectYear')}</th><th scope="col">${t('statedMembers')}</th><th scope="col">${t('countedMembers')}</th><th scope="col">${nameOf(lang, 'memberFeesNtd')}</th><th scope="col">${nameOf(lang, 'technologyTransferNtd')}</th><th scope="col">${nameOf(lang, 'technicalServicesNtd')}</th><th scope="col">${nameOf(lang, 'industryAcademiaProjectsNtd')}</th></tr></thead><tbody>
      ${results.map((k) => html`<tr><td class="number">${k.year}</td><td class="number">${k.members}</td><td class="number">${k.countedMembers ?? '—'}</td><td class="number">${ntd(k.memberFeesNtd)}</td><td class="number">${ntd(k.technologyTransferNtd)}</td><td class="number">${ntd(k.technicalServicesNtd)}</td><td class="number">${ntd(k.industryAcademiaProjectsNtd)}</td></tr>`)}</tbody></table>`
        : ''
    }
    ${
      a.kpis.length
        ? html`<table><caption>${t('plannedKpis')}</caption><thead><tr><th scope="col">${t('projectYear')}</th><th scope="col">${nameOf(lang, 'members')}</th><th scope="col">${nameOf(lang, 'memberFeesNtd')}</th><th scope="col">${nameOf(lang, 'technologyTransferNtd')}</th><th scope="col">${nameOf(lang, 'technicalServicesNtd')}</th><th scope="col">${nameOf(lang, 'industryAcademiaProjectsNtd')}</th></tr></thead><tbody>
      ${a.kpis.map((k) => html`<tr><td class="number">${k.year}</td><td class="number">${k.members}</td><td class="number">${ntd(k.memberFeesNtd)}</td><td class="number">${ntd(k.technologyTransferNtd)}</td><td class="number">${ntd(k.technicalServicesNtd)}</td><td class="number">${ntd(k.industryAcademiaProjectsNtd)}</td></tr>`)}</tbody></table>`
        : ''
    }`;
}

export function reviewsOf({ t, lang, c }: Scope) {
  return c.reviews.length === 0
    ? html`<p id="reviews-none">${t('noReviewsVisible')}</p>`
    : html`<table id="reviews"><thead><tr><th scope="col">${nameOf(lang, 'reviewerId')}</th><th scope="col">${nameOf(lang, 'score')}</th><th scope="col">${nameOf(lang, 'recommendation')}</th><th scope="col">${nameOf(lang, 'comments')}</th><th scope="col">${t('when')}</th></tr></thead><tbody>
    ${c.reviews.map((r) => html`<tr><td>${r.reviewerId}</td><td class="number">${r.score}</td><td>${nameOf(lang, r.recommendation)}</td><td translate="no">${r.comments}</td><td>${when(lang, r.at)}</td></tr>`)}</tbody></table>`;
}

export function noticesOf({ data, t, lang }: Scope) {
  return data.notices === null
    ? ''
    : html`<section aria-labelledby="notices"><h2 id="notices">${t('notices')}</h2>${
        data.notices.length === 0
          ? html`<p>${t('none')}</p>`
          : html`<table><thead><tr><th scope="col">${t('what')}</th><th scope="col">${t('when')}</th><th scope="col">${t('delivery')}</th></tr></thead><tbody>
    ${data.notices.map((n) => html`<tr><td>${noticeName(lang, n.kind)}</td><td>${when(lang, n.startedAt)}</td><td>${deliveryName(lang, n.status)}${n.officeAlerted ? ' ⚠' : ''} ${deliveryDetail(lang, n)}</td></tr>`)}</tbody></table>`
      }</section>`;
}

/**
 * How a notice's delivery stands, worded from its figures on Chinese pages; what the mail relay
 * answered (a refusal, the last error) is quoted as it came, not translated.
 */
function deliveryDetail(lang: Lang, n: NoticeRow) {
  if (lang !== 'zh-TW') return html`<small>${n.detail}</small>`;
  if (n.recipients !== undefined)
    return html`<small>${n.recipients} 位收件人${n.uncertain ? `；其中 ${n.uncertain} 位未能確認（郵件伺服器於信件結束後斷線，不再重寄）` : ''}</small>`;
  if (n.attempts !== undefined)
    return html`<small>已嘗試 ${n.attempts} 次${n.detail.includes('last error: ') ? html`，最近錯誤：<span translate="no">${n.detail.split('last error: ')[1]}</span>` : ''}</small>`;
  if (n.status === 'pending') return html`<small>${n.detail === 'being sent' ? '寄送中' : '已交由獨立流程寄送'}</small>`;
  return html`<small translate="no">${n.detail}</small>`;
}
