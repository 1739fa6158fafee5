// The project page's pictures: its life on a time line (its years, what happened, what is due,
// what was paid) and its money per year; each beside the table of the same facts (the log, the
// deadlines, the money table).
import { nthPeriodStart } from '../../../domain/duration-math';
import { formatRocDate } from '../../../domain/roc-date';
import { bars, timeline, type Mark, type Span } from '../charts';
import { ntd } from '../format';
import { html } from '../html';
import { nameOf } from '../i18n';
import type { Scope } from './project-sections';

/** Evenly spaced ticks, each dated as the page's reader dates: ROC on Chinese pages, ISO on English. */
const ticksFor =
  (zh: boolean) =>
  (from: number, to: number): { at: number; label: string }[] =>
    Array.from({ length: 6 }, (_, i) => {
      const at = from + ((to - from) * i) / 5;
      return { at, label: zh ? formatRocDate(new Date(at), { withTime: false }) : new Date(at).toISOString().slice(0, 10) };
    });

export function timelinePicture({ data, lang, view, c, a, t, decision }: Scope) {
  const zh = lang === 'zh-TW';
  const spans: Span[] = [];
  if (decision?.outcome === 'approved' && c.firstProjectYearStarts)
    for (let year = 1; year <= a.yearsRequested; year++)
      spans.push({
        label: zh ? `第 ${year} 年度` : `Year ${year}`,
        from: nthPeriodStart(c.firstProjectYearStarts, c.policy.projectYearLength, year).getTime(),
        to: nthPeriodStart(c.firstProjectYearStarts, c.policy.projectYearLength, year + 1).getTime(),
      });
  const marks: Mark[] = [
    ...data.log.map((e): Mark => ({ label: `${nameOf(lang, e.event)} · ${formatRocDate(e.at)}`, at: Date.parse(e.at), kind: 'event' })),
    ...view.deadlines.map((d): Mark => ({ label: `${nameOf(lang, d.event)} · ${formatRocDate(d.at)}`, at: Date.parse(d.at), kind: 'deadline' })),
    ...c.disbursements.map((d): Mark => ({ label: `${t('paid')} ${ntd(d.amountNtd)} · ${formatRocDate(d.at)}`, at: Date.parse(d.at), kind: 'money' })),
  ];
  return timeline('chart-timeline', t('timeline'), t('timelineDesc'), spans, marks, Date.now(), ticksFor(zh));
}

/** Approved and paid per project year, as bars; the money table beside holds the same figures. */
export function moneyPicture({ lang, c, a, t, decision }: Scope) {
  if (decision?.outcome !== 'approved') return html``;
  const zh = lang === 'zh-TW';
  const rows = Array.from({ length: a.yearsRequested }, (_, i) => {
    const approved = decision.amountsNtd[i] ?? 0;
    const paid = c.disbursements.filter((d) => d.year === i + 1).reduce((s, d) => s + d.amountNtd, 0);
    const year = zh ? `第 ${i + 1} 年度` : `Year ${i + 1}`;
    return [
      { label: `${year} ${t('approvedPerYear')}`, value: approved, shown: ntd(approved) },
      { label: `${year} ${t('paid')}`, value: paid, shown: ntd(paid) },
    ];
  }).flat();
  return bars('chart-money', t('money'), t('moneyDesc'), rows);
}
