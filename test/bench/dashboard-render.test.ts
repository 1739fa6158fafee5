/**
 * What the dashboard's pictures cost: the office's dashboard page rendered for BENCH_RENDER_PROJECTS
 * projects (1,000 and 10,000 by default), with its pictures (heat map, funnel) and as the
 * table-only page it was before them, interleaved, BENCH_RENDER_ROUNDS times each; p50/p95
 * printed, never asserted. The page's data (the ledger's read model, the calls' status) is the
 * same for both and is timed end to end by test/web/dashboard-bench.test.ts and `make bench-scale`.
 */
import { Division, Region } from '../../domain/application';
import { dashboardPage, type DashboardData, type ProjectRow } from '../../server/web/pages/home';

const sizes = (process.env.BENCH_RENDER_PROJECTS ?? '1000,10000').split(',').map(Number);
const rounds = Number(process.env.BENCH_RENDER_ROUNDS ?? 20);
const states = ['draft', 'submitted', 'endorsed', 'review.writtenReview', 'approved', 'contracting', 'execution', 'closing', 'closed', 'rejected', 'withdrawn'];

const rowsOf = (n: number): ProjectRow[] =>
  Array.from({ length: n }, (_, i) => ({
    workflowId: `project:bench:${Division.options[i % 8]}-${String(i).padStart(5, '0')}`,
    callId: 'bench',
    division: Division.options[i % 8]!,
    region: Region.options[i % 4]!,
    institution: `INST-${i % 100}`,
    state: states[(i * 7) % states.length]!,
    projectYear: i % 3,
    overdue: i % 97 === 0,
  }));

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const figures = (samples: number[]): string => {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${quantile(sorted, 0.5).toFixed(1)} / p95 ${quantile(sorted, 0.95).toFixed(1)} ms`;
};

it.each(sizes)('renders the dashboard of %i projects with its pictures and table-only (figures printed)', (n) => {
  const data: DashboardData = { calls: [], selectedCall: 'bench', projects: rowsOf(n), deadlines: [], rounds: [] };
  const context = { lang: 'zh-TW' as const, actor: { role: 'office' as const, id: 'office-kao' }, csrf: 'x', path: '/web' };
  const time = (pictures: boolean): { ms: number; bytes: number } => {
    const from = process.hrtime.bigint();
    const body = dashboardPage(context, { ...data, pictures });
    return { ms: Number(process.hrtime.bigint() - from) / 1e6, bytes: Buffer.byteLength(body) };
  };
  const withPictures: number[] = [];
  const tablesOnly: number[] = [];
  let bytes = { pictures: 0, tables: 0 };
  for (let i = 0; i < rounds; i++) {
    const a = time(true);
    const b = time(false);
    withPictures.push(a.ms);
    tablesOnly.push(b.ms);
    bytes = { pictures: a.bytes, tables: b.bytes };
  }
  // The pictures add their SVG to the page: it must be there to be measured.
  expect(bytes.pictures).toBeGreaterThan(bytes.tables);
  console.log(
    `dashboard render, ${n} projects, n=${rounds}: with pictures ${figures(withPictures)} (${(bytes.pictures / 1024).toFixed(1)} KiB); ` +
      `tables only ${figures(tablesOnly)} (${(bytes.tables / 1024).toFixed(1)} KiB)`,
  );
});
