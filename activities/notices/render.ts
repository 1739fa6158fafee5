import type { Language, NoticeKind, NoticeVariables } from '../../domain/notification-policy';
import { formatRocDateChinese } from '../../domain/roc-date';
import { templates, type NoticeTemplate } from './templates';

export type { NoticeVariables };

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

/** A template asked for a variable the caller did not give: a bug to find in tests, never a blank in an email. */
export class MissingTemplateVariableError extends Error {
  override readonly name = 'MissingTemplateVariableError';
}

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function formatInstant(value: string | number, language: Language): string {
  const date = new Date(value);
  if (language === 'zh-TW') return formatRocDateChinese(date);
  const taipei = new Date(date.getTime() + 8 * 3_600_000).toISOString();
  return `${taipei.slice(0, 10)} ${taipei.slice(11, 16)} (Taipei time)`;
}

/** Fills `{{name}}`, `{{name:date}}` and `{{name:ntd}}` from `variables`, escaping for HTML when asked. */
function fill(template: string, variables: NoticeVariables, language: Language, where: string, html: boolean): string {
  return template.replace(/\{\{(\w+)(?::(date|ntd))?\}\}/g, (_, name: string, format?: 'date' | 'ntd') => {
    const given = variables[name];
    const value = typeof given === 'object' ? given[language] : given;
    if (value === undefined || value === '') throw new MissingTemplateVariableError(`${where} needs {{${name}}} but it was not given`);
    const text = format === 'date' ? formatInstant(value, language) : format === 'ntd' ? `NT$${Number(value).toLocaleString('en-US')}` : String(value);
    // A value of several lines (a list) keeps its lines in the HTML body too.
    return html ? escapeHtml(text).replace(/\n/g, '<br>\n') : text;
  });
}

/** One notice in one language, as a subject, a plain-text body and an HTML body. */
export function renderNotice(kind: NoticeKind, language: Language, variables: NoticeVariables): RenderedNotice {
  return renderTemplate(templates[kind][language], language, variables, `the ${language} ${kind} notice`);
}

/** A template (a notice's, or the daily digest's) filled in one language. */
export function renderTemplate(template: NoticeTemplate, language: Language, variables: NoticeVariables, where: string): RenderedNotice {
  const subject = fill(template.subject, variables, language, where, false);
  const text = template.lines.map((line) => fill(line, variables, language, where, false)).join('\n\n');
  const paragraphs = template.lines.map((line) => `<p>${fill(line, variables, language, where, true)}</p>`).join('\n');
  const html = `<!DOCTYPE html>\n<html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body>\n${paragraphs}\n</body></html>`;
  return { subject, text, html };
}

/** The variables a template uses, for checks that every sender provides them. */
export function templateVariables(kind: NoticeKind, language: Language): string[] {
  const { subject, lines } = templates[kind][language];
  return [...new Set([...`${subject}\n${lines.join('\n')}`.matchAll(/\{\{(\w+)(?::\w+)?\}\}/g)].map((m) => m[1]!))].sort();
}
