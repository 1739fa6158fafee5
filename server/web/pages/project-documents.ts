// The project page's documents: what the viewer may read, each a download; the upload form when
// the law takes a document from the viewer's role now.
import { documentRule } from '../../../domain/documents';
import { kindsOpenTo } from '../../../machines/documents';
import { when } from '../format';
import { html, type Html } from '../html';
import { actorName, nameOf } from '../i18n';
import { csrfField } from '../layout';
import { localMessage } from '../messages';
import { projectPath, type Scope } from './project-sections';

const MiB = 1024 * 1024;
const size = (bytes: number): string => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`);

function uploadForm({ context, data, t, lang, view, c }: Scope): Html {
  const kinds = data.offered.includes('document.attach') ? kindsOpenTo(context.actor.role, view.states) : [];
  if (kinds.length === 0) return html``;
  const rules = kinds.map((kind) => ({ kind, rule: documentRule(c.policy, kind) }));
  const accept = [...new Set(rules.flatMap(({ rule }) => rule.formats.map((f) => `.${f}`)))].join(',');
  return html`<form method="post" action="${projectPath(view)}/documents" enctype="multipart/form-data" class="upload">
    ${csrfField(context)}
    <h3>${t('attachDocument')}</h3>
    ${data.documentFailure ? html`<div class="error-summary" role="alert"><h4>${t('refusedTitle')}</h4><p id="document-error">${localMessage(lang, data.documentFailure)}</p></div>` : ''}
    <div class="field"><label for="document-kind">${t('documentKind')}</label>
      <select id="document-kind" name="kind" aria-describedby="document-rules">${rules.map(({ kind }) => html`<option value="${kind}">${nameOf(lang, kind)}</option>`)}</select></div>
    <p id="document-rules" class="hint">${t('documentFormats')}：${rules.map(({ kind, rule }) => `${nameOf(lang, kind)} ${rule.formats.map((f) => f.toUpperCase()).join('/')} ≤ ${size(rule.maxBytes)}`).join('；')}</p>
    <div class="field"><label for="document-file">${t('documentFile')}</label><input id="document-file" type="file" name="file" accept="${accept}" required></div>
    <button type="submit">${t('upload')}</button>
  </form>`;
}

/** The documents section: a table a screen reader reads row by row, each name a download. */
export function documentsOf(scope: Scope): Html {
  const { t, lang, view, c } = scope;
  const documents = c.documents ?? [];
  const path = projectPath(view);
  const list =
    documents.length === 0
      ? html`<p>${t('none')}</p>`
      : html`<table><thead><tr><th scope="col">${t('documentKind')}</th><th scope="col">${t('fileName')}</th><th scope="col">${t('size')}</th><th scope="col">${t('when')}</th><th scope="col">${t('who')}</th><th scope="col">SHA-256</th></tr></thead><tbody>
    ${documents.map((d) => html`<tr><td>${nameOf(lang, d.kind)}</td><td><a href="${path}/documents/${d.digest}" download="${d.name}">${d.name}</a> <small>${d.format.toUpperCase()}</small></td><td class="number">${size(d.bytes)}</td><td>${when(lang, d.at)}</td><td>${actorName(lang, d.by)}</td><td><code title="${d.digest}">${d.digest.slice(7, 19)}…</code></td></tr>`)}</tbody></table>`;
  return html`<section aria-labelledby="documents-h"><h2 id="documents-h">${t('documents')}</h2>${list}${uploadForm(scope)}</section>`;
}
