import type { Actor } from '../../domain/actor';
import { html, type Fragment, type Html } from './html';
import { translator, type Lang, type Word } from './i18n';

/** What every page knows about who is looking: their language, their role, the form token of their session. */
export interface PageContext {
  lang: Lang;
  actor: Actor;
  /** The CSRF token of this session: every form carries it, every POST is checked against it. */
  csrf: string;
  /** This page's path and query, where a language switch returns to. */
  path: string;
}

const roleWord: Record<Actor['role'], Word> = {
  office: 'roleOffice',
  pi: 'rolePi',
  institution: 'roleInstitution',
  reviewer: 'roleReviewer',
  auditor: 'roleAuditor',
  system: 'roleOffice',
};

/** The hidden field every form carries. */
export const csrfField = (context: PageContext): Html => html`<input type="hidden" name="_csrf" value="${context.csrf}">`;

/** A whole page: header with who is logged in, the language switch and log-out; the content in `main`. */
export function page(context: PageContext, title: string, content: Fragment): string {
  const t = translator(context.lang);
  const other = context.lang === 'zh-TW' ? 'en' : 'zh-TW';
  const nav = [
    html`<li><a href="/web">${t('home')}</a></li>`,
    context.actor.role === 'office' ? html`<li><a href="/web/calls/new">${t('openCall')}</a></li>` : '',
    context.actor.role === 'auditor' || context.actor.role === 'office' ? html`<li><a href="/web/audit">${t('history')}</a></li>` : '',
  ];
  return html`<!doctype html>
<html lang="${context.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t('appName')}</title>
<link rel="stylesheet" href="/web/assets/style.css">
</head>
<body>
<a class="skip" href="#main">${t('skip')}</a>
<header>
  <p class="brand">${t('appName')}</p>
  <nav aria-label="${t('home')}"><ul>${nav}</ul></nav>
  <div class="session">
    <span>${t('loggedInAs')}: ${t(roleWord[context.actor.role])} ${context.actor.id}</span>
    <a href="/web/lang?to=${other}&amp;return=${encodeURIComponent(context.path)}" lang="${other}">${t('switchLanguage')}</a>
    <form method="post" action="/web/logout" class="inline">${csrfField(context)}<button type="submit">${t('logout')}</button></form>
  </div>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${content}
</main>
</body>
</html>`.text;
}

/** A page for someone not logged in (after log-out). */
export function publicPage(lang: Lang, title: string, content: Fragment): string {
  const t = translator(lang);
  return html`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · ${t('appName')}</title>
<link rel="stylesheet" href="/web/assets/style.css"></head>
<body><header><p class="brand">${t('appName')}</p></header><main id="main"><h1>${title}</h1>${content}</main></body></html>`.text;
}

export const stylesheet = `
:root { font-family: "Noto Sans CJK TC", "Noto Sans TC", "Noto Serif CJK TC", system-ui, sans-serif; color: #1a1a1a; background: #fff; line-height: 1.5; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; padding: .5rem 1rem; background: #0b3d62; color: #fff; }
header a, header button { color: #fff; }
header nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.brand { font-weight: bold; margin: 0; }
.session { display: flex; gap: 1rem; align-items: center; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; color: #000; padding: .5rem; z-index: 10; }
main { padding: 1rem 2rem; max-width: 80rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #8a8a8a; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #e8eef3; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.current { background: #fff3c4; font-weight: bold; }
fieldset { border: 1px solid #8a8a8a; margin: .5rem 0; padding: .5rem 1rem; }
.field { margin: .5rem 0; display: flex; flex-direction: column; max-width: 40rem; }
.field.checkbox { flex-direction: row; gap: .5rem; align-items: center; }
.field input, .field select, .field textarea { font: inherit; padding: .25rem; border: 1px solid #555; }
.hint, .optional { color: #4a4a4a; font-size: .9em; }
.invalid input, .invalid select, .invalid textarea { border: 2px solid #b00020; }
.field-errors, .error-summary { color: #b00020; }
.error-summary { border: 2px solid #b00020; padding: .5rem 1rem; margin: 1rem 0; }
.error-summary a { color: #b00020; }
.notice { border-left: 4px solid #0b3d62; padding: .25rem 1rem; background: #eef4f8; }
button { font: inherit; padding: .25rem 1rem; cursor: pointer; }
form.inline { display: inline; }
header form.inline button { background: transparent; border: 1px solid #fff; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.command { border: 1px solid #8a8a8a; padding: .5rem 1rem; margin: .5rem 0; }
.chart-pair { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
figure.chart { margin: .5rem 0; max-width: 100%; overflow-x: auto; }
figure.chart svg { max-width: none; }
.statechart ul { list-style: none; padding-left: 1.25rem; border-left: 1px dotted #8a8a8a; }
progress { width: 20rem; }
/* A project's record on paper: its facts, log, deadlines, money, reports and documents, without the
   site's header, the forms that act, or colours a printer wastes ink on. */
@media print {
  header, .skip, form, .command, section[aria-labelledby="actions"] { display: none !important; }
  :root { font-size: 10.5pt; color: #000; }
  main { padding: 0; max-width: none; }
  th { background: none; }
  table { page-break-inside: auto; width: 100%; }
  tr, dl, h2, h3 { page-break-inside: avoid; page-break-after: auto; }
  h2 { page-break-after: avoid; }
  a { color: #000; text-decoration: none; }
  .current { background: none; outline: 1px solid #000; }
}
`;
