import type { AnyStateMachine } from 'xstate';
import { html, type Html } from './html';
import { nameOf, translator, type Lang } from './i18n';

/**
 * The statechart drawn from the machine itself (as docs/statecharts.md is generated), as nested
 * lists a screen reader can walk, with the states the project is in marked. `current` holds
 * dotted paths; a masked view ("review") marks the state and nothing under it.
 */
export function statechartTree(lang: Lang, machine: AnyStateMachine, current: readonly string[]): Html {
  const t = translator(lang);
  const active = new Set<string>();
  for (const path of current) {
    const parts = path.split('.');
    for (let i = 1; i <= parts.length; i++) active.add(parts.slice(0, i).join('.'));
  }
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
