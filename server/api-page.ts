import type { OpenAPIV3_1 } from 'openapi-types';

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A browsable page of the OpenAPI document: every route by tag, with its summary and the roles
 * it names. Rendered on the server, no script; the document itself is at /openapi.json.
 */
export function renderApiPage(document: OpenAPIV3_1.Document): string {
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item?.[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'other';
      const row = `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape(operation.summary ?? '')}</td></tr>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), row]);
    }
  }
  const sections = [...byTag].map(
    ([tag, rows]) =>
      `<h2>${escape(tag)}</h2>\n<table><thead><tr><th>method</th><th>path</th><th>what</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`,
  );
  return `<!doctype html>
<html lang="zh-TW"><head><meta charset="utf-8"><title>${escape(document.info.title)} — API</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}code{white-space:nowrap}</style></head>
<body><h1>${escape(document.info.title)}</h1><p>${escape(document.info.description ?? '')}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escape(document.openapi)}). Every <code>/api</code> route takes <code>Authorization: Bearer &lt;access token&gt;</code>; errors are <code>application/problem+json</code>.</p>
${sections.join('\n')}
</body></html>`;
}
