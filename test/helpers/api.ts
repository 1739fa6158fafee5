import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import type { ProjectClient } from '../../gateway/projects';
import type { Actor } from '../../domain/actor';
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { registerSearchAttributes } from '../../worker/namespace';
import { testDataConverter, testDocumentStore, testPayloadKeysFile, uniqueName } from './environments';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readKeyRing, textSealer, type KeyRing } from '../../activities/crypto/key-ring';
import { SqlSessionStore, type SessionStore } from '../../activities/sessions/session-store';
import { sqliteDriver } from '../../activities/sql/sqlite-driver';

/** The origin the test API's codec server treats as the Temporal Web UI's. */
export const TEST_WEB_UI_ORIGIN = 'http://127.0.0.1:8233';
import { temporaryLedger, withServiceWorker } from './project-harness';
import type { LedgerStore } from '../../activities/ledger/store';
import type { PublishedLog } from '../../gateway/published-checkpoint';
import { buildApi } from '../../server/app';
import { createTokenVerifier } from '../../server/authentication';

/** The run's identity provider (test/global-setup.ts). */
export function identityProvider(): { issuer: string; url: string; admin: { username: string; password: string } } {
  const issuer = process.env.TEST_OIDC_ISSUER;
  if (!issuer) throw new Error('TEST_OIDC_ISSUER is unset: run the tests through jest (test/global-setup.ts starts the identity provider)');
  return { issuer, url: process.env.TEST_KEYCLOAK_URL!, admin: JSON.parse(process.env.TEST_KEYCLOAK_ADMIN!) as { username: string; password: string } };
}

const tokens = new Map<string, Promise<string>>();

/** An access token of a seeded account, by the password grant of the command line's client (cached per file). */
export function tokenFor(username: string, clientId = 'alliance-cli', password = 'alliance-demo'): Promise<string> {
  const key = `${clientId}/${username}`;
  if (!tokens.has(key)) {
    tokens.set(
      key,
      (async () => {
        const response = await fetch(`${identityProvider().issuer}/protocol/openid-connect/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'password', client_id: clientId, username, password, scope: 'openid' }),
        });
        if (!response.ok) throw new Error(`no token for ${username}: ${response.status} ${await response.text()}`);
        return ((await response.json()) as { access_token: string }).access_token;
      })(),
    );
  }
  return tokens.get(key)!;
}

/** A token of the provider's own administrator (master realm), for adding test clients. */
export async function adminToken(): Promise<string> {
  const { url, admin } = identityProvider();
  const response = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: admin.username, password: admin.password }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Adds a public client with password grant to the realm (idempotent), for tokens the API must refuse. */
export async function ensureClient(clientId: string, attributes: Record<string, string> = {}, defaultClientScopes = ['basic', 'profile']): Promise<void> {
  const { url } = identityProvider();
  const headers = { authorization: `Bearer ${await adminToken()}`, 'content-type': 'application/json' };
  const response = await fetch(`${url}/admin/realms/alliance/clients`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ clientId, publicClient: true, standardFlowEnabled: false, directAccessGrantsEnabled: true, attributes, defaultClientScopes }),
  });
  if (!response.ok && response.status !== 409) throw new Error(`cannot add client ${clientId}: ${response.status} ${await response.text()}`);
}

export interface RunningApi {
  url: string;
  /** `METHOD /path` of every documented route. */
  routes: string[];
  close(): Promise<void>;
}

/** The API of startApi, with its browser sessions' store. */
export interface ApiWithSessions extends RunningApi {
  sessions: SessionStore;
}

/** A browser session store in a fresh SQLite file. */
export function temporarySessionStore(ring: KeyRing = readKeyRing(testPayloadKeysFile)): Promise<SqlSessionStore> {
  return SqlSessionStore.open(sqliteDriver(path.join(mkdtempSync(path.join(tmpdir(), 'sessions-')), 'sessions.sqlite')), { sealer: textSealer(ring) });
}

export interface BrowserOptions {
  /** The payload keys (the test's file unless given). */
  ring?: KeyRing;
  /** A store shared with another API (else a fresh one, closed with the API). */
  sessions?: SessionStore;
  sessionRefreshMs?: number;
  webClientId?: string;
  /** The address browsers reach the API at (https: served over TLS). */
  publicUrl?: string;
}

/** A browser session of `actor` made straight in an API's store (no log-in, no refresh token): the session cookie's value. */
export async function sessionFor(api: Pick<ApiWithSessions, 'sessions'>, actor: Actor, expiresAt = Date.now() + 3600_000): Promise<string> {
  const session = await api.sessions.create({ subject: `test:${actor.id}`, providerSession: null, actor, refreshToken: null, expiresAt });
  return session.id;
}

/** The HTTP API on a free loopback port, against the test's Temporal and the run's identity provider. */
export async function startApi(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  ledger: LedgerStore | null = null,
  /** The log's public side: the API serves what the writer published, and signs nothing. */
  log?: PublishedLog,
  options: BrowserOptions = {},
): Promise<ApiWithSessions> {
  const { issuer } = identityProvider();
  const ring = options.ring ?? readKeyRing(testPayloadKeysFile);
  const sessions = options.sessions ?? (await temporarySessionStore(ring));
  const app = await buildApi({
    client: env.client,
    taskQueue,
    ledger,
    documents: testDocumentStore(),
    ...(log ? { log } : {}),
    verify: createTokenVerifier({ issuer, audience: 'alliance-api', roleClaim: 'alliance_role', idClaim: 'alliance_id' }),
    login: { issuer, cliClientId: 'alliance-cli', audience: 'alliance-api' },
    browser: {
      ring,
      sessions,
      webClientId: options.webClientId ?? 'alliance-web',
      webUiOrigins: [TEST_WEB_UI_ORIGIN],
      ...(options.sessionRefreshMs !== undefined ? { sessionRefreshMs: options.sessionRefreshMs } : {}),
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, sessions, routes: app.routeCatalog, close: () => app.close().finally(() => (options.sessions ? undefined : sessions.close())) };
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  contentType: string;
}

/**
 * A namespace of the run's dev server for one test alone: a fuzzer that reads ids from anywhere
 * meets only workflows that this test's worker serves (another file's leftovers have no worker).
 */
export async function ownNamespace(env: TestWorkflowEnvironment): Promise<TestWorkflowEnvironment> {
  const namespace = uniqueName('ns');
  await env.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  // A new namespace takes effect when the server's namespace cache next refreshes (a few seconds).
  for (let attempt = 0; ; attempt++) {
    try {
      await registerSearchAttributes(env.connection, namespace);
      await env.connection.workflowService.describeNamespace({ namespace });
      break;
    } catch (error) {
      if (attempt > 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const client = new Client({ connection: env.connection, namespace, dataConverter: testDataConverter() });
  for (let attempt = 0; ; attempt++) {
    try {
      for await (const _ of client.workflow.list({ query: `WorkflowType = 'callWorkflow'` })) break;
      break;
    } catch (error) {
      if (attempt > 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return Object.create(env, { client: { value: client }, namespace: { value: namespace } }) as TestWorkflowEnvironment;
}

/** Runs `body` with a fresh worker of the service and the API in front of it, with its own ledger. */
export async function withApi<T>(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundle,
  body: (api: RunningApi, projects: ProjectClient, ledger: LedgerStore) => Promise<T>,
): Promise<T> {
  const taskQueue = uniqueName('api');
  const { ledger } = await temporaryLedger();
  return withServiceWorker(
    env,
    bundle,
    taskQueue,
    async (projects) => {
      const api = await startApi(env, taskQueue, ledger);
      try {
        return await body(api, projects, ledger);
      } finally {
        await api.close();
      }
    },
    ledger,
  );
}

/** One request to the API, as `token`'s owner (or anonymous). */
export async function call<T = unknown>(
  api: RunningApi,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer<T>> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return { status: response.status, contentType, body: (contentType.includes('json') && text ? JSON.parse(text) : text) as T };
}

/**
 * A Keycloak log-in through its HTML form, as a browser would, following the API's redirects up to
 * its answer to the provider's callback: that answer's status, where it sends the browser, and the
 * cookies it sets. A header Node refuses can leave an answer hanging: each step fails after 15 s.
 */
export async function formLogin(
  apiUrl: string,
  username: string,
  returnTo: string,
): Promise<{ status: number; location: string | null; setCookies: string[] }> {
  const jar = new Map<string, string>();
  const step = async (url: string, init: RequestInit = {}) => {
    const cookie = [...jar]
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
      headers: { ...(init.headers as Record<string, string>), cookie },
    });
    for (const line of response.headers.getSetCookie()) {
      const [name, ...value] = line.split(';')[0]!.split('=');
      jar.set(name!.trim(), value.join('='));
    }
    return response;
  };
  const start = await step(`${apiUrl}/auth/login?return=${encodeURIComponent(returnTo)}`);
  if (start.status !== 302) throw new Error(`/auth/login answered ${start.status}, not a redirect to the provider`);
  const page = await step(start.headers.get('location')!);
  const shown = await page.text();
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(shown)?.[1]?.replace(/&amp;/g, '&');
  if (!action)
    throw new Error(
      `the provider showed no log-in form (HTTP ${page.status}: ${/<p class="instruction">([^<]*)</.exec(shown)?.[1] ?? shown.replace(/\s+/g, ' ').slice(-600)})`,
    );
  const posted = await step(action, {
    method: 'POST',
    body: new URLSearchParams({ username, password: 'alliance-demo' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const callback = posted.headers.get('location') ?? '';
  if (posted.status !== 302 || !callback.startsWith(`${apiUrl}/auth/callback`))
    throw new Error(`the provider answered ${posted.status}, not a redirect to ${apiUrl}/auth/callback`);
  const back = await step(callback);
  return { status: back.status, location: back.headers.get('location'), setCookies: back.headers.getSetCookie() };
}
