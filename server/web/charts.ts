// Pictures drawn on the server as SVG: readable without script, named for screen readers by their
// title and description, and always drawn beside a table of the same figures (the page's), so
// nobody depends on seeing them. Pure functions of their figures: no layout library, no fonts.
import { html, type Html } from './html';

/** A label's width in pixels: CJK characters are about a square, Latin about half one. */
export const textWidth = (text: string, size = 13): number => [...text].reduce((w, c) => w + (/[\u2e80-\uffff]/.test(c) ? size : size * 0.6), 0);

/** The frame every picture shares: an image with an accessible name and description. */
export function figure(id: string, title: string, description: string, width: number, height: number, body: Html): Html {
  return html`<figure class="chart"><svg id="${id}" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="13">
    <title id="${id}-title">${title}</title><desc id="${id}-desc">${description}</desc>${body}</svg></figure>`;
}

/** Blues from pale to deep: the share of the largest count a cell holds. */
const shade = (share: number): string => `hsl(210, 70%, ${Math.round(96 - share * 62)}%)`;
/** Text that stays readable (4.5:1) on the shade behind it. */
const ink = (share: number): string => (share > 0.5 ? '#fff' : '#111');

export interface Matrix {
  rows: { key: string; label: string }[];
  columns: { key: string; label: string }[];
  count: (row: string, column: string) => number;
}

/** A heat map: one cell per row × column, shaded by its count and showing it. */
export function heatmap(id: string, title: string, description: string, matrix: Matrix): Html {
  const cell = 44;
  const left = Math.max(60, ...matrix.rows.map((r) => textWidth(r.label))) + 12;
  const top = 28;
  const counts = matrix.rows.map((r) => matrix.columns.map((c) => matrix.count(r.key, c.key)));
  const most = Math.max(1, ...counts.flat());
  const body = html`${matrix.columns.map((c, j) => html`<text x="${left + j * cell + cell / 2}" y="${top - 10}" text-anchor="middle">${c.label}</text>`)}
    ${matrix.rows.map(
      (r, i) => html`<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${r.label}</text>
      ${matrix.columns.map((c, j) => {
        const n = counts[i]![j]!;
        const share = n / most;
        return html`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 2}" height="${cell - 2}" fill="${shade(share)}"><title>${r.label} · ${c.label}: ${n}</title></rect>
        <text x="${left + j * cell + cell / 2 - 1}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" fill="${ink(share)}">${n}</text>`;
      })}`,
    )}`;
  return figure(id, title, description, left + matrix.columns.length * cell + 8, top + matrix.rows.length * cell + 8, body);
}

export interface Bar {
  label: string;
  value: number;
  /** What the figure at the bar's end says (the value itself when absent). */
  shown?: string;
}

/** Horizontal bars, longest for the largest value, each labelled and showing its figure. */
export function bars(id: string, title: string, description: string, rows: readonly Bar[], width = 560): Html {
  const left = Math.max(60, ...rows.map((r) => textWidth(r.label))) + 12;
  const right = Math.max(40, ...rows.map((r) => textWidth(r.shown ?? String(r.value)))) + 12;
  const span = width - left - right;
  const most = Math.max(1, ...rows.map((r) => r.value));
  const height = 26;
  const body = html`${rows.map(
    (r, i) => html`<text x="${left - 8}" y="${i * height + 17}" text-anchor="end">${r.label}</text>
    <rect x="${left}" y="${i * height + 4}" width="${Math.max(1, (r.value / most) * span)}" height="${height - 8}" fill="${shade(0.75)}"/>
    <text x="${left + Math.max(1, (r.value / most) * span) + 6}" y="${i * height + 17}">${r.shown ?? r.value}</text>`,
  )}`;
  return figure(id, title, description, width, rows.length * height + 6, body);
}

export interface Span {
  label: string;
  from: number;
  to: number;
}
export interface Mark {
  label: string;
  at: number;
  kind: 'event' | 'deadline' | 'money';
}

const markColour: Record<Mark['kind'], string> = { event: '#1a5fb4', deadline: '#a51d2d', money: '#26703a' };
const markShape = (kind: Mark['kind'], x: number, y: number): Html =>
  kind === 'deadline'
    ? html`<path d="M${x} ${y - 6} L${x + 6} ${y + 5} L${x - 6} ${y + 5} Z" fill="${markColour[kind]}"/>`
    : kind === 'money'
      ? html`<rect x="${x - 5}" y="${y - 5}" width="10" height="10" fill="${markColour[kind]}"/>`
      : html`<circle cx="${x}" cy="${y}" r="5" fill="${markColour[kind]}"/>`;

/**
 * A time line: spans (the project's years) as bands, and marks (transitions ●, deadlines ▲,
 * money ■) on three lanes below, each with its label; `now` drawn as a line.
 */
export function timeline(
  id: string,
  title: string,
  description: string,
  spans: readonly Span[],
  marks: readonly Mark[],
  now: number,
  ticks: (from: number, to: number) => { at: number; label: string }[],
  width = 760,
): Html {
  const times = [...spans.flatMap((s) => [s.from, s.to]), ...marks.map((m) => m.at), now];
  const from = Math.min(...times);
  const to = Math.max(...times, from + 86_400_000);
  const x = (t: number) => 10 + ((t - from) / (to - from)) * (width - 20);
  const lanes: Mark['kind'][] = ['event', 'deadline', 'money'];
  const laneY = (kind: Mark['kind']) => 64 + lanes.indexOf(kind) * 22;
  const body = html`${spans.map(
    (
      s,
      i,
    ) => html`<rect x="${x(s.from)}" y="8" width="${Math.max(2, x(s.to) - x(s.from) - 2)}" height="28" fill="${shade(i % 2 ? 0.25 : 0.4)}"><title>${s.label}</title></rect>
    <text x="${x(s.from) + 6}" y="27">${s.label}</text>`,
  )}
    ${ticks(from, to).map(
      (tick, i, all) =>
        html`<line x1="${x(tick.at)}" y1="40" x2="${x(tick.at)}" y2="46" stroke="#555"/><text x="${x(tick.at)}" y="${56}" text-anchor="${i === 0 ? 'start' : i === all.length - 1 ? 'end' : 'middle'}" font-size="11">${tick.label}</text>`,
    )}
    ${marks.map((m) => html`<g>${markShape(m.kind, x(m.at), laneY(m.kind))}<title>${m.label}</title></g>`)}
    <line x1="${x(now)}" y1="4" x2="${x(now)}" y2="${laneY('money') + 10}" stroke="#111" stroke-dasharray="4 3"/>`;
  return figure(id, title, description, width, laneY('money') + 16, body);
}
