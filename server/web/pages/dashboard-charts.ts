// The dashboard's pictures: projects by state × division as a heat map (its table is the count
// table beside it), and how far the projects came as a funnel with its own table.
import { Division } from '../../../domain/application';
import { funnel } from '../../../machines/funnel';
import { projectMachine } from '../../../machines/project-machine';
import { bars, heatmap } from '../charts';
import { html, type Html } from '../html';
import { familyName, stateName, translator, type Lang } from '../i18n';

/** The top-level states, in the order the law lists them; the pictures count by these. */
const topLevel = (state: string): string => state.split('.')[0] ?? state;
const lawOrder = Object.keys(projectMachine.root.states);
const byLaw = (a: string, b: string): number => (lawOrder.indexOf(a) + 1 || 99) - (lawOrder.indexOf(b) + 1 || 99);

export function stateDivisionPicture(lang: Lang, projects: readonly { state: string; division: string }[]): Html {
  const t = translator(lang);
  const states = [...new Set(projects.map((p) => topLevel(p.state)))].sort(byLaw);
  const counts = new Map<string, number>();
  for (const p of projects) counts.set(`${topLevel(p.state)} ${p.division}`, (counts.get(`${topLevel(p.state)} ${p.division}`) ?? 0) + 1);
  return heatmap('chart-state-division', `${t('state')} × ${t('division')}`, t('chartStateDivisionDesc'), {
    rows: states.map((s) => ({ key: s, label: stateName(lang, s) })),
    columns: Division.options.map((d) => ({ key: d, label: d })),
    count: (row, column) => counts.get(`${row} ${column}`) ?? 0,
  });
}

/** The funnel: applied → submitted → endorsed → reviewed → presented → approved → funded, as bars and as a table. */
export function funnelPicture(lang: Lang, projects: readonly { state: string }[]): Html {
  const t = translator(lang);
  const stages = funnel(projects.map((p) => p.state));
  const first = stages[0]?.count ?? 0;
  const share = (n: number) => (first ? ` (${Math.round((n / first) * 100)}%)` : '');
  return html`<section aria-labelledby="funnel-h"><h2 id="funnel-h">${t('funnel')}</h2>
    <p class="hint">${t('funnelHint')}</p>
    <div class="chart-pair">${bars(
      'chart-funnel',
      t('funnel'),
      t('funnelHint'),
      stages.map((s) => ({ label: familyName(lang, 'funnel', s.stage), value: s.count, shown: `${s.count}${share(s.count)}` })),
    )}
    <table id="funnel"><thead><tr><th scope="col">${t('stage')}</th><th scope="col">${t('projects')}</th></tr></thead><tbody>
    ${stages.map((s) => html`<tr><th scope="row">${familyName(lang, 'funnel', s.stage)}</th><td class="number">${s.count}${share(s.count)}</td></tr>`)}</tbody></table></div></section>`;
}
