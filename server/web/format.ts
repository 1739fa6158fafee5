import { formatRocDate } from '../../domain/roc-date';
import { html, type Html } from './html';
import type { Lang } from './i18n';

/** NT$ as the office writes it: NT$1,500,000. */
export const ntd = (amount: number): string => `NT$${amount.toLocaleString('en-US')}`;

/**
 * An instant as users read it: the ROC date on the Taipei calendar (115.12.05 09:00); English pages
 * add the ISO date. The machine-readable instant stays in `datetime`.
 */
export function when(lang: Lang, instant: string | Date | null | undefined): Html {
  if (!instant) return html`—`;
  const iso = new Date(instant).toISOString();
  const roc = formatRocDate(iso);
  return html`<time datetime="${iso}">${lang === 'zh-TW' ? `民國 ${roc}` : `${roc} (${iso.slice(0, 10)})`}</time>`;
}
