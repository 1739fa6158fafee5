import { funnel, stageOf } from '../../machines/funnel';
import { projectMachine } from '../../machines/project-machine';
import { bars, heatmap } from '../../server/web/charts';
import { funnelPicture, stateDivisionPicture } from '../../server/web/pages/dashboard-charts';
import { statechartDiagram } from '../../server/web/statechart';

/** The figures an SVG shows as text, in document order. */
const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('the pictures drawn on the server', () => {
  it('counts the funnel only as far as each state proves', () => {
    const states = [
      'draft',
      'submitted',
      'lapsed',
      'endorsed',
      'rejected',
      'review.writtenReview',
      'review.finalDecision.pending',
      'review.finalDecision.decided',
      'approved',
      'execution.funding.yearFunded',
      'closed',
      'withdrawn',
    ];
    expect(funnel(states)).toEqual([
      { stage: 'applied', count: 12 },
      { stage: 'submitted', count: 10 },
      { stage: 'endorsed', count: 7 },
      { stage: 'reviewed', count: 6 },
      // The final decision's wait proves the presentation review passed; a decision recorded does not.
      { stage: 'presented', count: 4 },
      { stage: 'approved', count: 3 },
      { stage: 'funded', count: 2 },
    ]);
    // Every top-level state of the law has its stage: none falls back unnoticed.
    const unplaced = Object.keys(projectMachine.root.states).filter((s) => s !== 'draft' && s !== 'withdrawn' && stageOf(s) === 'applied');
    expect(unplaced).toEqual([]);
  });

  it('draws a heat map whose cells show the counts, named for screen readers', () => {
    const svg = heatmap('m', 'T', 'D', {
      rows: [
        { key: 'a', label: '甲' },
        { key: 'b', label: '乙' },
      ],
      columns: [
        { key: 'x', label: 'X1' },
        { key: 'y', label: 'Y1' },
      ],
      count: (r, c) => (r === 'a' ? (c === 'x' ? 3 : 0) : 1),
    }).text;
    expect(svg).toMatch(/<svg id="m" role="img" aria-labelledby="m-title m-desc"/);
    expect(texts(svg)).toEqual(['X1', 'Y1', '甲', '3', '0', '乙', '1', '1']);
    // The largest count is the deepest shade, with white figures; an empty cell is the palest.
    expect(svg).toContain('fill="hsl(210, 70%, 34%)"');
    expect(svg).toContain('fill="hsl(210, 70%, 96%)"');
  });

  it('draws bars in proportion to their values', () => {
    const svg = bars('b', 'T', 'D', [
      { label: '一', value: 100 },
      { label: '二', value: 25 },
    ]).text;
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths[0]! / widths[1]!).toBeCloseTo(4);
  });

  it("draws the dashboard's pictures in Chinese beside their tables", () => {
    const projects = [
      { state: 'execution.funding.yearFunded', division: 'TE2' },
      { state: 'execution.progressReport.awaiting', division: 'TE2' },
      { state: 'draft', division: 'TB1' },
    ];
    const heat = stateDivisionPicture('zh-TW', projects).text;
    // Rows in the law's order, by top-level state.
    expect(texts(heat).filter((x) => /[\u4e00-\u9fff]/.test(x))).toEqual(['草稿', '執行中']);
    const funnelHtml = funnelPicture('zh-TW', projects).text;
    expect(funnelHtml).toContain('<table id="funnel">');
    expect(funnelHtml).toContain('<th scope="row">簽約執行</th><td class="number">2 (67%)</td>');
  });

  it('marks in the diagram the states the project is in, and only those', () => {
    const svg = statechartDiagram('zh-TW', projectMachine, ['execution.funding.awaitingFirstTranche', 'execution.progressReport.awaiting']).text;
    const current = [...svg.matchAll(/stroke-width="3"><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(current).toEqual(['執行中 ∥（目前）', '經費撥付（目前）', '待請第一期款（目前）', '進度報告（目前）', '等待中（目前）']);
    // Every state of the law is drawn.
    const count = (node: { states: Record<string, unknown> }): number =>
      Object.values(node.states).reduce<number>((n, child) => n + 1 + count(child as { states: Record<string, unknown> }), 0);
    expect(svg.match(/<rect /g)!.length).toBe(count(projectMachine.root) + 1);
  });
});
