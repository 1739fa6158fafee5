// The project page's record sections: money, reports and results, reviews, notices.
import { acceptedKpis } from '../../../machines/kpis';
import { countKpiMembers } from '../../../domain/rules';
import { ntd, when } from '../format';
import { html } from '../html';
import { nameOf } from '../i18n';
import type { Scope } from './project-sections';

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
    ${c.reviews.map((r) => html`<tr><td>${r.reviewerId}</td><td class="number">${r.score}</td><td>${nameOf(lang, r.recommendation)}</td><td>${r.comments}</td><td>${when(lang, r.at)}</td></tr>`)}</tbody></table>`;
}

export function noticesOf({ data, t, lang }: Scope) {
  return data.notices === null
    ? ''
    : html`<section aria-labelledby="notices"><h2 id="notices">${t('notices')}</h2>${
        data.notices.length === 0
          ? html`<p>${t('none')}</p>`
          : html`<table><thead><tr><th scope="col">${t('what')}</th><th scope="col">${t('when')}</th><th scope="col">${t('delivery')}</th></tr></thead><tbody>
    ${data.notices.map((n) => html`<tr><td>${n.kind}</td><td>${when(lang, n.startedAt)}</td><td>${n.status}${n.officeAlerted ? ' ⚠' : ''} <small>${n.detail}</small></td></tr>`)}</tbody></table>`
      }</section>`;
}
