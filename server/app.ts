import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { type z } from 'zod';
import type { LedgerStore } from '../activities/ledger/store';
import type { LogSigning } from '../activities/ledger/log-signing';
import { AuditClient } from '../gateway/audit';
import { CallClient } from '../gateway/calls';
import { NoticeClient } from '../gateway/notices';
import { ProjectClient, toAllianceError } from '../gateway/projects';
import { LoginInfo } from '../domain/api';
import type { Actor } from '../domain/actor';
import { AllianceError } from '../domain/errors';
import type { TokenVerifier } from './authentication';
import { openApiDocument, problemResponses } from './openapi';
import { registerProblems } from './problems';
import { auditRoutes } from './routes/audit';
import { callRoutes } from './routes/calls';
import { enforceDeclaredAccess } from './route-access';
import { meRoutes } from './routes/me';
import { projectRoutes } from './routes/projects';
import { statusRoutes } from './routes/status';
import { healthRoutes, type ReadinessCheck } from './routes/health';
import { countRequests, createApiMetrics } from './metrics';
import { codecRoutes } from './routes/codec';
import { providerEndpoints, webLoginRoutes } from './routes/web-login';
import { webRoutes } from './routes/web';
import { SessionCookies } from './session';
import { requestId, type apiLogging } from './logging';
import type { KeyRing } from '../activities/crypto/key-ring';
import { serviceVersion } from './version';
import type { Services } from './services/services';

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
  /** The key checkpoints of the ledger are signed with (never kept in its database); without it none are signed here. */
  signing?: LogSigning;
  login: z.infer<typeof LoginInfo>;
  /**
   * Browsers: the payload keys that seal session cookies, the provider's public client for the
   * log-in, the Web UI origins the codec server answers. Without it there is no codec server and
   * no browser log-in.
   */
  browser?: { ring: KeyRing; webClientId: string; webUiOrigins: readonly string[]; publicUrl?: string };
  /** How long one command may wait for Temporal; bulk operations over a call get longer. */
  commandTimeoutMs?: number;
  bulkTimeoutMs?: number;
  /** The API's log (server/logging.ts); none by default (tests). */
  logging?: ReturnType<typeof apiLogging>;
  /** What else /readyz asks besides Temporal and the ledger: the worker, where it runs in this process. */
  readiness?: readonly ReadinessCheck[];
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
function servicesOf(deps: ApiDependencies): Services {
  return {
    projects: new ProjectClient(deps.client, deps.taskQueue),
    calls: new CallClient(deps.client, deps.taskQueue),
    notices: new NoticeClient(deps.client),
    audit: () => {
      if (!deps.ledger)
        throw new AllianceError(
          'NOT_FOUND',
          'This API process has no audit ledger configured (DATABASE_URL, or ALLIANCE_LEDGER_PATH with a ledger a worker has written).',
        );
      return new AuditClient(deps.client, deps.ledger, deps.signing);
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
  await openApiDocument(app);
  const services = servicesOf(deps);

  const metrics = createApiMetrics();
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
    const cookies = new SessionCookies(deps.browser.ring.derive('web session'));
    const endpoints = providerEndpoints(deps.login.issuer);
    await app.register(
      webLoginRoutes({
        issuer: deps.login.issuer,
        clientId: deps.browser.webClientId,
        cookies,
        verify: deps.verify,
        returnOrigins: deps.browser.webUiOrigins,
        ...(deps.browser.publicUrl ? { publicUrl: deps.browser.publicUrl } : {}),
      }),
    );
    await app.register(
      webRoutes({
        services,
        cookies,
        csrfKey: deps.browser.ring.derive('web csrf'),
        behindTls: Boolean(deps.browser.publicUrl?.startsWith('https:')),
        issuerOrigin: new URL(deps.login.issuer).origin,
        endSession: async () => (await endpoints()).end_session_endpoint,
        clientId: deps.browser.webClientId,
        ...(deps.browser.publicUrl ? { publicUrl: deps.browser.publicUrl } : {}),
      }),
    );
    await app.register(
      codecRoutes({ codecs: deps.client.options.loadedDataConverter.payloadCodecs, verify: deps.verify, cookies, allowedOrigins: deps.browser.webUiOrigins }),
    );
  }

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
      await api.register(meRoutes(services));
      await api.register(callRoutes(services));
      await api.register(projectRoutes(services));
      await api.register(auditRoutes(services));
    },
    { prefix: '/api' },
  );
  return app;
}
