import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { projectEventRoles } from '../../machines/project-machine';
import { projectEventTypes } from '../../domain/project-events';
import { repositoryRoot } from '../../worker/temporal-binaries';
import { call, ownNamespace, tokenFor, withApi } from '../helpers/api';
import { connectDevServer } from '../helpers/environments';
import { bundleServiceWorkflows } from '../helpers/project-harness';

const run = promisify(execFile);
const venv = (tool: string): string => path.join(repositoryRoot, '.venv', 'bin', tool);

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

interface Operation {
  security?: unknown[];
  operationId?: string;
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown; example?: unknown; examples?: unknown }> }>;
  parameters?: { schema?: { examples?: unknown[] } }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, unknown>; schemas: Record<string, { examples?: unknown[] }> };
}

/** Every operation has its own operationId; every problem a shared response, the problem schema one component with an example. */
function expectSharedComponents(document: OpenApiDocument): void {
  const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
  const ids = operations.map((o) => o.operationId);
  expect(ids.filter((id) => !id)).toEqual([]);
  expect(new Set(ids).size).toBe(ids.length);
  expect(Object.keys(document.components.responses).sort()).toEqual(
    [
      'BadRequest',
      'Conflict',
      'Forbidden',
      'NotFound',
      'PayloadTooLarge',
      'PreconditionFailed',
      'Unauthenticated',
      'Unavailable',
      'UnsupportedMediaType',
    ].sort(),
  );
  expect(document.components.schemas.Problem?.examples?.length).toBeGreaterThan(0);
  for (const [p, item] of Object.entries(document.paths)) {
    if (!p.startsWith('/api/')) continue;
    for (const operation of Object.values(item)) {
      expect(operation.responses['409']).toEqual({ $ref: '#/components/responses/Conflict' });
      expect(JSON.stringify(operation)).toMatch(/"examples?":/);
    }
  }
}

it('publishes a valid OpenAPI 3.1 document listing every route, and a browsable page of it', async () => {
  await withApi(env, bundle, async (api) => {
    const document = (await call<OpenApiDocument>(api, 'GET', '/openapi.json')).body;
    expect(document.openapi).toBe('3.1.0');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    // A real validator of the OpenAPI 3.1 schema (PyPI openapi-spec-validator), not our own reading of it.
    const validated = await run(venv('openapi-spec-validator'), [file]);
    expect(validated.stdout).toMatch(/OK/);

    const listed = Object.entries(document.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(listed.sort()).toEqual([...api.routes].sort());
    expect(listed).toContain('PUT /api/projects/:callId/:applicationId/documents/:kind');
    expect(listed).not.toContain('POST /api/projects/:callId/:applicationId/document.attach');
    for (const type of projectEventTypes.filter((t) => !projectEventRoles[t].includes('system') && t !== 'document.attach')) {
      expect(listed).toContain(`POST /api/projects/:callId/:applicationId/${type}`);
    }
    for (const [p, item] of Object.entries(document.paths)) {
      if (p.startsWith('/api/')) for (const operation of Object.values(item)) expect(operation.security).toEqual([{ bearer: [] }]);
    }
    // Swagger UI, served from its package: the page, its bundle, and nothing else of the disk.
    const page = await call<string>(api, 'GET', '/docs');
    expect(page.contentType).toMatch(/text\/html/);
    expect(page.body).toContain('/docs/swagger-ui-bundle.js');
    const bundle = await fetch(`${api.url}/docs/swagger-ui-bundle.js`);
    expect([bundle.status, (await bundle.text()).length > 100_000]).toEqual([200, true]);
    expect((await fetch(`${api.url}/docs/package.json`)).status).toBe(404);
    expect((await fetch(`${api.url}/docs/..%2F..%2Fpackage.json`)).status).toBe(404);
    expectSharedComponents(document);
  });
});

it('survives a bounded property-based run of schemathesis: no 5xx and no response that breaks its schema', async () => {
  await withApi(await ownNamespace(env), bundle, async (api) => {
    for (const username of ['kao', 'pi-lin']) {
      const token = await tokenFor(username);
      const result = await run(
        venv('schemathesis'),
        [
          'run',
          `${api.url}/openapi.json`,
          '--header',
          `Authorization: Bearer ${token}`,
          '--checks',
          'not_a_server_error,response_schema_conformance',
          '--max-examples',
          '8',
          '--seed',
          '105',
          '--workers',
          '1',
          '--no-shrink',
          '--generation-database',
          'none',
          '--request-timeout',
          '60',
          '--max-time',
          '30',
          '--no-color',
        ],
        { maxBuffer: 32 * 1024 * 1024, timeout: 150_000, cwd: mkdtempSync(path.join(os.tmpdir(), 'schemathesis-')) },
      ).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
      expect({ username, code: (result as { code?: number }).code ?? 0, tail: (result as { code?: number }).code ? output.slice(-6000) : '' }).toEqual({
        username,
        code: 0,
        tail: '',
      });
    }
  });
}, 400_000);
