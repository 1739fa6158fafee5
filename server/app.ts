import { checkIdempotencyKey } from './services/idempotency';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { type z } from 'zod';
import type { LedgerStore } from '../activities/ledger/store';
import type { PublishedLog } from '../gateway/published-checkpoint';
import { AuditClient } from '../gateway/audit';
import { CallClient } from '../gateway/calls';
import { NoticeClient } from '../gateway/notices';
import { PreferencesClient } from '../gateway/preferences';
import { ProjectClient, toAllianceError } from '../gateway/projects';
import { LoginInfo } from '../domain/api';
import type { Actor } from '../domain/actor';
import { AllianceError } from '../domain/errors';
import type { TokenVerifier } from './authentication';
import { openApiDocument, problemResponses } from './openapi';
import helmet from '@fastify/helmet';
import { limitCommands, limitLogins, type Limits } from './plugins/limits';
import { registerProblems } from './problems';
import { auditRoutes } from './routes/audit';
import { callRoutes } from './routes/calls';
import { enforceDeclaredAccess } from './route-access';
import { meRoutes } from './routes/me';
import { projectRoutes } from './routes/projects';
import { statusRoutes } from './routes/status';
import { healthRoutes, type ReadinessCheck } from './routes/health';
import { countRequests, createApiMetrics } from './metrics';
import { registerBrowserDoor, type BrowserDependencies } from './browser-door';
import { calendarFeed, calendarRoutes } from './routes/calendar';
import { digestRoutes } from './routes/digest';
import { requestId, type apiLogging } from './logging';
import { serviceVersion } from './version';
import type { Services } from './services/services';
import type { DocumentStore } from '../activities/documents/document-store';
import { documentRoutes } from './routes/documents';

declare module 'fastify' {
  interface FastifyInstance {
    /** `METHOD /path` of every documented route, for the test that the OpenAPI document lists them all. */
    routeCatalog: string[];
  }
  interface FastifyRequest {
    /** Who acts, from the verified token; set for every /api route before its handler runs. */
    actor: Actor;
    /** The code of the problem this request was answered with, for the metrics. */
    problemCode?: string;
  }
}

export interface ApiDependencies {
  client: Client;
  taskQueue: string;
  verify: TokenVerifier;
  /** The audit ledger; without it the audit routes answer NOT_FOUND. */
  ledger: LedgerStore | null;
  /** The log's public side (verifier key, checkpoint schedule): the API signs nothing, the checkpoint writer does. */
  log?: PublishedLog;
  login: z.infer<typeof LoginInfo>;
  /**
   * Browsers: the session store, the provider's public client for the log-in, the Web UI origins
   * the codec server answers. Without it there is no codec server and no browser log-in.
   */
  browser?: BrowserDependencies;
  /** How long one command may wait for Temporal; bulk operations over a call get longer. */
  commandTimeoutMs?: number;
  bulkTimeoutMs?: number;
  /** The API's log (server/logging.ts); none by default (tests). */
  logging?: ReturnType<typeof apiLogging>;
  /** Commands per account and log-ins per address a minute (server/plugins/limits.ts); none when absent (tests). */
  limits?: Limits;
  /** What else /readyz asks besides Temporal and the ledger: the worker, where it runs in this process. */
  readiness?: readonly ReadinessCheck[];
  /** The document store the worker's codec shares: uploads go into it; without it the document routes answer NOT_FOUND. */
  documents?: DocumentStore;
}

/** /readyz: Temporal answers, the ledger answers (when this API reads one), and whatever the process adds. */
function readinessChecks(deps: ApiDependencies): ReadinessCheck[] {
  const temporal: ReadinessCheck = {
    name: 'temporal',
    check: async () => void (await deps.client.withDeadline(Date.now() + 2_500, () => deps.client.workflowService.getSystemInfo({}))),
  };
  const ledger = deps.ledger;
  const store: ReadinessCheck[] = ledger ? [{ name: 'ledger', check: async () => void (await ledger.latestCheckpoint()) }] : [];
  return [temporal, ...store, ...(deps.readiness ?? [])];
}

/** 1 MiB: a call file with its reviewer pool is the largest body the programme sends. */
const BODY_LIMIT = 1024 * 1024;

/** The Temporal clients every route and page reaches the service through, each call bounded in time. */
export function servicesOf(deps: Pick<ApiDependencies, 'client' | 'taskQueue' | 'ledger' | 'log' | 'commandTimeoutMs' | 'bulkTimeoutMs'>): Services {
  return {
    projects: new ProjectClient(deps.client, deps.taskQueue),
    calls: new CallClient(deps.client, deps.taskQueue),
    notices: new NoticeClient(deps.client),
    preferences: new PreferencesClient(deps.client, deps.taskQueue),
    audit: () => {
      if (!deps.ledger)
        throw new AllianceError(
          'NOT_FOUND',
          'This API process has no audit ledger configured (DATABASE_URL, or ALLIANCE_LEDGER_PATH with a ledger a worker has written).',
        );
      return new AuditClient(deps.client, deps.ledger, deps.log);
    },
    // Whatever Temporal answers becomes a coded error (unreachable → 503, invalid → 400), never a bare 500.
    bounded: (kind, work) =>
      deps.client
        .withDeadline(Date.now() + (kind === 'bulk' ? (deps.bulkTimeoutMs ?? 15 * 60_000) : (deps.commandTimeoutMs ?? 30_000)), work)
        .catch((error: unknown) => {
          throw toAllianceError(error, 'The service');
        }),
  };
}

/**
 * The HTTP API: the only door for people. Every /api route authenticates first (one hook, so no
 * route can forget); what the actor may do and see is decided by the law in machines/.
 */
export async function buildApi(deps: ApiDependencies): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...deps.logging, genReqId: requestId, bodyLimit: BODY_LIMIT }).withTypeProvider<ZodTypeProvider>();
  // The request's id goes back to the caller: what to quote when asking the office about a failure.
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblems(app);
  // The usual security headers on every answer (pages and /docs set a content policy of their own).
  await app.register(helmet);
  await openApiDocument(app);
  const services = servicesOf(deps);

  const metrics = createApiMetrics(() => services.calls.statusReads);
  countRequests(app, metrics);
  await app.register(healthRoutes(readinessChecks(deps), metrics));
  await app.register(
    statusRoutes({
      client: deps.client,
      namespace: deps.client.options.namespace,
      taskQueue: deps.taskQueue,
      issuer: deps.login.issuer,
      version: serviceVersion(),
    }),
  );
  app.get(
    '/auth/config',
    {
      schema: {
        operationId: 'getLoginInfo',
        summary: "Where to log in: the OpenID provider and the command line's client id",
        tags: ['login'],
        response: { 200: LoginInfo },
      },
    },
    () => deps.login,
  );

  if (deps.browser) {
    const limits = deps.limits;
    await registerBrowserDoor(app, deps.browser, {
      issuer: deps.login.issuer,
      verify: deps.verify,
      services,
      codecs: deps.client.options.loadedDataConverter.payloadCodecs,
      documents: deps.documents,
      ...(limits ? { loginScope: (scope: FastifyInstance) => limitLogins(scope, limits.loginsPerMinute) } : {}),
    });
  }

  // A calendar program holds no log-in: the feed's secret address is the whole of its access.
  if (deps.browser) calendarFeed(app, services, deps.browser.sessions, deps.browser.publicUrl);

  await app.register(
    async (api) => {
      api.decorateRequest('actor', null as unknown as Actor);
      api.addHook('onRequest', async (request) => {
        request.actor = await deps.verify(request.headers.authorization);
      });
      api.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, security: [{ bearer: [] }], response: { ...problemResponses, ...(route.schema?.response as object) } };
      });
      enforceDeclaredAccess(api);
      // After the body's schema and the declared access: a key is remembered only for a request that could act.
      const keys = deps.browser?.sessions;
      if (keys) api.addHook('preHandler', (request) => checkIdempotencyKey(request, keys));
      if (deps.limits) await limitCommands(api, deps.limits.commandsPerMinute);
      await api.register(meRoutes(services));
      if (deps.browser) await api.register(calendarRoutes(deps.browser.sessions, deps.browser.publicUrl));
      await api.register(digestRoutes(services));
      await api.register(callRoutes(services));
      await api.register(projectRoutes(services));
      await api.register(documentRoutes(services, deps.documents));
      await api.register(auditRoutes(services));
    },
    { prefix: '/api' },
  );
  return app;
}
