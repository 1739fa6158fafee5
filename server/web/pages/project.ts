import { checkApplication } from '../../../domain/rules';
import { projectMachine } from '../../../machines/project-machine';
import { html } from '../html';
import { nameOf, translator } from '../i18n';
import { page, type PageContext } from '../layout';
import { statechartDiagram, statechartTree } from '../statechart';
import { moneyPicture, timelinePicture } from './project-charts';
import { actionsOf, deadlinesOf, factsOf, rulesOf, timelineOf, type ProjectPageData, type Scope } from './project-sections';
import { moneyOf, noticesOf, reportSectionOf, reviewsOf } from './project-record';
import { documentsOf } from './project-documents';

export type { ProjectPageData } from './project-sections';

export function projectPage(context: PageContext, data: ProjectPageData): string {
  const t = translator(context.lang);
  const { view } = data;
  const c = view.context;
  const a = c.application;
  const lang = context.lang;
  const decision = c.decision;
  const violations = view.lifecycle === 'draft' ? checkApplication(a, c.policy) : [];
  const scope: Scope = { context, data, t, lang, view, c, a, decision, violations };
  return page(
    context,
    `${a.title}`,
    html`
    ${data.done ? html`<p class="notice" role="status">${nameOf(lang, data.done)}: ${t('done')}</p>` : ''}
    ${factsOf(scope)}
    ${rulesOf(scope)}
    <section aria-labelledby="actions"><h2 id="actions">${t('actions')}</h2>${actionsOf(scope)}</section>
    <section aria-labelledby="deadlines"><h2 id="deadlines">${t('pendingDeadlines')}</h2>${deadlinesOf(scope)}</section>
    <section aria-labelledby="timeline"><h2 id="timeline">${t('timeline')}</h2>${timelinePicture(scope)}${timelineOf(scope)}</section>
    <section aria-labelledby="reviews-h"><h2 id="reviews-h">${t('reviews')}</h2>${reviewsOf(scope)}</section>
    <section aria-labelledby="money"><h2 id="money">${t('money')}</h2><div class="chart-pair">${moneyPicture(scope)}<div>${moneyOf(scope)}</div></div></section>
    <section aria-labelledby="reports"><h2 id="reports">${t('reports')}</h2>${reportSectionOf(scope)}</section>
    ${documentsOf(scope)}
    ${noticesOf(scope)}
    <section aria-labelledby="chart"><h2 id="chart">${t('statechart')}</h2><div class="chart-pair">${statechartDiagram(lang, projectMachine, view.states)}${statechartTree(lang, projectMachine, view.states)}</div></section>
  `,
  );
}
