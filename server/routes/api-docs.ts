import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginCallback } from 'fastify';

/** Swagger UI as its maintainers publish it (npm swagger-ui-dist), read from the package, never copied into the tree. */
const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** The only files served from it: what the page loads, by name, so no path from the URL ever reaches the disk. */
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** The page's one script of its own, a file (no inline script): the document is /openapi.json. */
const initializer = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, docExpansion: 'list', layout: 'BaseLayout' });
});
`;

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Alliance orchestration service — API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"><link rel="icon" type="image/png" href="/docs/favicon-32x32.png"></head>
<body><noscript><p>The API's document is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></noscript>
<div id="swagger-ui"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>
`;

/** Scripts and styles from this origin only; Swagger UI sets inline styles and shows data: images. */
const policy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** `/docs`: the OpenAPI document in Swagger UI. */
export const apiDocsRoutes: FastifyPluginCallback = (app, _options, done) => {
  const cache = new Map<string, Buffer>();
  app.get('/docs', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', policy).send(page),
  );
  app.get('/docs/init.js', { schema: { hide: true } }, (_request, reply) => reply.type('text/javascript; charset=utf-8').send(initializer));
  app.get<{ Params: { file: string } }>('/docs/:file', { schema: { hide: true } }, (request, reply) => {
    const type = Object.hasOwn(assets, request.params.file) ? assets[request.params.file] : undefined;
    if (!type) return reply.callNotFound();
    const body = cache.get(request.params.file) ?? readFileSync(path.join(distDir, request.params.file));
    cache.set(request.params.file, body);
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  });
  done();
};
