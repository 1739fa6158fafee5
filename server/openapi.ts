// The OpenAPI document of every route not hidden (/openapi.json), browsable at /docs in Swagger UI;
// every error response one shared component per status, every route with an operationId.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { OpenAPIV3_1 } from 'openapi-types';
import { Problem } from '../domain/api';
import '../domain/api-examples';
import { apiDocsRoutes } from './routes/api-docs';

/** The problems an /api route may answer with, one shared response each (RFC 9457 problem details). */
const problemStatuses: Record<number, [name: string, description: string]> = {
  400: ['BadRequest', 'The request is invalid: the detail names the field and what was expected'],
  401: ['Unauthenticated', 'No valid bearer token: log in again'],
  403: ['Forbidden', 'Your role may not do this, or the project or call is not yours'],
  404: ['NotFound', 'No such call, project or route'],
  409: ['Conflict', 'Not possible in the state it is in now (the law refused the transition), or the evidence does not verify'],
  412: ['PreconditionFailed', 'If-Match named a state the project has left: read it again (its ETag) and decide anew'],
  413: ['PayloadTooLarge', 'The body is larger than the service takes'],
  415: ['UnsupportedMediaType', 'Send application/json (a document: PDF, DOCX, XLSX or ODT, as its kind takes)'],
  503: ['Unavailable', 'Temporal or a store behind the API did not answer in time: try again in a moment'],
};

/** What every /api route declares for its problems: the schema here, turned into shared components in the document. */
export const problemResponses = Object.fromEntries(
  Object.entries(problemStatuses).map(([status, [, description]]) => [status, { description, content: { 'application/problem+json': { schema: Problem } } }]),
);

type Document = OpenAPIV3_1.Document;

/** Each operation's problem responses become a $ref to one shared response per status. */
function shareProblemResponses(document: Document): Document {
  const responses: Record<string, OpenAPIV3_1.ResponseObject> = {};
  for (const [status, [name, description]] of Object.entries(problemStatuses)) {
    responses[name] = { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    for (const item of Object.values(document.paths ?? {})) {
      for (const operation of Object.values(item ?? {}) as OpenAPIV3_1.OperationObject[]) {
        const answer = operation.responses?.[status] as OpenAPIV3_1.ResponseObject | undefined;
        if (answer?.content?.['application/problem+json']) operation.responses![status] = { $ref: `#/components/responses/${name}` };
      }
    }
  }
  document.components = { ...document.components, responses: { ...document.components?.responses, ...responses } };
  return document;
}

export async function openApiDocument(app: FastifyInstance): Promise<void> {
  const catalog: string[] = [];
  app.decorate('routeCatalog', catalog);
  app.addHook('onRoute', (route) => {
    if (route.schema?.hide) return;
    // A route in the document without an operationId would leave clients generated from it guessing: refused at start-up.
    if (!route.schema?.operationId) throw new Error(`${String(route.method)} ${route.url} has no operationId`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') catalog.push(`${method} ${route.url}`);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Alliance orchestration service',
        version: '1.0.0',
        description:
          'The Industry–Academia Technology Alliance programme (產學技術聯盟合作計畫): calls, projects, reviews, decisions, money and audit. Every /api route takes an OpenID Connect bearer token; errors are RFC 9457 problem details; commands take an Idempotency-Key, and project commands an If-Match with the ETag of the project as read.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => shareProblemResponses(jsonSchemaTransformObject(input) as Document),
  });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await app.register(apiDocsRoutes);
}
