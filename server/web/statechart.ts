import type { AnyStateMachine } from 'xstate';
import { figure, textWidth } from './charts';
import { html, type Html } from './html';
import { nameOf, translator, type Lang } from './i18n';

/**
 * The statechart drawn from the machine itself (as docs/statecharts.md is generated), as nested
 * lists a screen reader can walk, with the states the project is in marked. `current` holds
 * dotted paths; a masked view ("review") marks the state and nothing under it.
 */
export function statechartTree(lang: Lang, machine: AnyStateMachine, current: readonly string[]): Html {
  const t = translator(lang);
  const active = activePaths(current);
  type Node = AnyStateMachine['root'];
  const draw = (node: Node): Html => {
    const children: Node[] = Object.values(node.states);
    if (children.length === 0) return html``;
    return html`<ul>${children.map((child) => {
      const path = child.path.join('.');
      const here = active.has(path);
      return html`<li><span class="${here ? 'current' : ''}">${nameOf(lang, child.key)}${lang === 'zh-TW' ? html` <code>${child.key}</code>` : ''}${child.type === 'parallel' ? ' ∥' : ''}${here ? html` <strong>(${t('current')})</strong>` : ''}</span>${draw(child)}</li>`;
    })}</ul>`;
  };
  return html`<div class="statechart">${draw(machine.root)}</div>`;
}

interface Box {
  w: number;
  h: number;
  draw: (x: number, y: number) => Html;
}

/**
 * The same statechart drawn as nested boxes (SVG): a compound state holds its children in rows,
 * a parallel one (∥) side by side; the states the project is in are filled and outlined thick.
 * The nested list beside it is what a screen reader walks.
 */
export function statechartDiagram(lang: Lang, machine: AnyStateMachine, current: readonly string[]): Html {
  const t = translator(lang);
  const active = activePaths(current);
  type Node = AnyStateMachine['root'];
  const gap = 8;
  const layout = (node: Node, perRow: number): Box => {
    const label = `${nameOf(lang, node.key)}${node.type === 'parallel' ? ' ∥' : ''}`;
    const here = active.has(node.path.join('.'));
    const frame = (w: number, h: number, x: number, y: number, leaf: boolean) =>
      html`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="6" fill="${here ? '#fff3c4' : leaf ? '#f4f7fa' : '#fff'}" stroke="${here ? '#7a4b00' : '#6a6a6a'}" stroke-width="${here ? 3 : 1}"><title>${label}${here ? `（${t('current')}）` : ''}</title></rect>`;
    const children: Node[] = Object.values(node.states);
    const labelWidth = textWidth(label) + 16;
    if (children.length === 0)
      return {
        w: labelWidth,
        h: 26,
        draw: (x, y) => html`${frame(labelWidth, 26, x, y, true)}<text x="${x + 8}" y="${y + 17}" font-weight="${here ? 'bold' : 'normal'}">${label}</text>`,
      };
    const boxes = children.map((child) => layout(child, node.type === 'parallel' ? 1 : 3));
    const rows: Box[][] = [];
    const across = node.type === 'parallel' ? boxes.length : perRow;
    for (let i = 0; i < boxes.length; i += across) rows.push(boxes.slice(i, i + across));
    const rowWidth = (row: Box[]) => row.reduce((w, b) => w + b.w, 0) + gap * (row.length - 1);
    const rowHeight = (row: Box[]) => Math.max(...row.map((b) => b.h));
    const w = Math.max(labelWidth, ...rows.map(rowWidth)) + 2 * gap;
    const h = 24 + rows.reduce((s, row) => s + rowHeight(row) + gap, 0) + gap / 2;
    return {
      w,
      h,
      draw: (x, y) => {
        let top = y + 24;
        const drawn = rows.map((row) => {
          let left = x + gap;
          const out = row.map((b) => {
            const d = b.draw(left, top);
            left += b.w + gap;
            return d;
          });
          top += rowHeight(row) + gap;
          return out;
        });
        return html`${frame(w, h, x, y, false)}<text x="${x + 8}" y="${y + 16}" font-weight="bold">${label}</text>${drawn}`;
      },
    };
  };
  const root = layout(machine.root, 4);
  return figure('chart-statechart', t('statechart'), t('statechartDesc'), root.w + 4, root.h + 4, root.draw(2, 2));
}

/** Every state a project is in, and each of its ancestors, as dotted paths. */
function activePaths(current: readonly string[]): Set<string> {
  const active = new Set<string>();
  for (const path of current) {
    const parts = path.split('.');
    for (let i = 1; i <= parts.length; i++) active.add(parts.slice(0, i).join('.'));
  }
  return active;
}
