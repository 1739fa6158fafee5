// The office's spreadsheets of a call: applications, ranking, decisions, payments and overdue
// reports, each a header row and rows, drawn from the projects' views. Pure: the door reads the
// views and writes the .xlsx or .csv; what a sheet shows is decided here, for the office and auditors.

import { requestedTotal } from '../domain/rules';
import { rankByDivision } from '../domain/ranking';
import { formatRocDate } from '../domain/roc-date';
import type { ProjectView } from './views';

export const sheetKinds = ['applications', 'ranking', 'decisions', 'payments', 'overdue'] as const;
export type SheetKind = (typeof sheetKinds)[number];

/** A cell: text, a whole number (NT$, scores, ranks) or nothing. */
export type Cell = string | number | null;
export interface Sheet {
  kind: SheetKind;
  /** Each column's heading, Traditional Chinese and English. */
  columns: { zh: string; en: string }[];
  rows: Cell[][];
}

const col = (zh: string, en: string) => ({ zh, en });
const roc = (instant: string | null | undefined): string | null => (instant ? `${formatRocDate(instant)} (${instant.slice(0, 10)})` : null);
const total = (view: ProjectView): number =>
  Array.from({ length: view.context.application.yearsRequested }, (_, i) => requestedTotal(view.context.application, i + 1)).reduce((a, b) => a + b, 0);
const byApplication = (a: ProjectView, b: ProjectView): number => (a.context.application.id < b.context.application.id ? -1 : 1);

const builders: Record<SheetKind, (sorted: ProjectView[]) => Omit<Sheet, 'kind'>> = {
  applications: (sorted) => ({
    columns: [
      col('申請案編號', 'Application'),
      col('計畫名稱', 'Title'),
      col('計畫主持人', 'PI'),
      col('機構', 'Institution'),
      col('學門', 'Division'),
      col('地區', 'Region'),
      col('期別', 'Phase'),
      col('申請年數', 'Years'),
      col('申請總額（新臺幣）', 'Requested (NT$)'),
      col('階段', 'Stage'),
    ],
    rows: sorted.map((v) => {
      const a = v.context.application;
      return [
        a.id,
        a.title,
        `${a.pi.name} (${a.pi.id})`,
        `${a.institution.name} (${a.institution.id})`,
        a.division,
        a.region,
        a.phase.phase,
        a.yearsRequested,
        total(v),
        v.lifecycle,
      ];
    }),
  }),
  ranking: (sorted) => {
    const ranked = rankByDivision(
      sorted.map((v) => ({
        projectId: v.workflowId,
        applicationId: v.context.application.id,
        division: v.context.application.division,
        writtenScores: v.context.reviews.map((r) => r.score),
        panelScore: v.context.presentation?.panelScore ?? null,
      })),
    );
    const title = new Map(sorted.map((v) => [v.context.application.id, v.context.application.title]));
    return {
      columns: [
        col('學門', 'Division'),
        col('名次', 'Rank'),
        col('申請案編號', 'Application'),
        col('計畫名稱', 'Title'),
        col('書面審查平均', 'Written average'),
        col('簡報評分', 'Panel score'),
      ],
      rows: Object.keys(ranked)
        .sort()
        .flatMap((division) =>
          ranked[division]!.map((r) => [division, r.rank, r.applicationId, title.get(r.applicationId) ?? '', r.writtenAverage, r.panelScore]),
        ),
    };
  },
  decisions: (sorted) => ({
    columns: [
      col('申請案編號', 'Application'),
      col('計畫名稱', 'Title'),
      col('決議', 'Outcome'),
      col('各年核定金額（新臺幣）', 'Approved per year (NT$)'),
      col('核定總額（新臺幣）', 'Approved in all (NT$)'),
      col('理由', 'Reason'),
      col('決議日期', 'Decided on'),
    ],
    rows: sorted.map(({ context: { application: a, decision: d } }) => [
      a.id,
      a.title,
      d ? (d.outcome === 'approved' ? '核定 approved' : '不予補助 rejected') : null,
      d?.outcome === 'approved' ? d.amountsNtd.map((n) => `NT$${n.toLocaleString('en-US')}`).join(' / ') : null,
      d?.outcome === 'approved' ? d.amountsNtd.reduce((x, y) => x + y, 0) : null,
      d?.outcome === 'rejected' ? d.reason : null,
      roc(d?.at),
    ]),
  }),
  payments: (sorted) => ({
    columns: [
      col('申請案編號', 'Application'),
      col('計畫名稱', 'Title'),
      col('執行年度', 'Project year'),
      col('期別', 'Tranche'),
      col('金額（新臺幣）', 'Amount (NT$)'),
      col('撥款參考號', 'Payment reference'),
      col('撥款日期', 'Paid on'),
    ],
    rows: sorted.flatMap(({ context: c }) =>
      c.disbursements.map((d) => [c.application.id, c.application.title, d.year, d.tranche, d.amountNtd, d.paymentReference, roc(d.at)]),
    ),
  }),
  overdue: (sorted) => ({
    columns: [
      col('申請案編號', 'Application'),
      col('計畫名稱', 'Title'),
      col('計畫主持人', 'PI'),
      col('機構', 'Institution'),
      col('逾期報告', 'Overdue report'),
      col('執行年度', 'Project year'),
    ],
    rows: sorted
      .filter((v) => v.overdue)
      .map(({ context: c, projectYear }) => [
        c.application.id,
        c.application.title,
        `${c.application.pi.name} (${c.application.pi.id})`,
        c.application.institution.id,
        c.closingPastDue ? '結案報告 closing report' : `進度報告 progress report, year ${c.reportYear}`,
        projectYear,
      ]),
  }),
};

export const callSheet = (kind: SheetKind, views: readonly ProjectView[]): Sheet => ({ kind, ...builders[kind]([...views].sort(byApplication)) });
