// The browser's door: the log-in with the provider, the server-side sessions it starts, the
// provider's back-channel log-out, the web pages and the codec server of the Temporal Web UI.
import type { FastifyInstance } from 'fastify';
import type { PayloadCodec } from '@temporalio/common';
import type { KeyRing } from '../activities/crypto/key-ring';
import type { SessionStore } from '../activities/sessions/session-store';
import type { TokenVerifier } from './authentication';
import { BrowserSessions } from './browser-sessions';
import { backChannelLogoutRoutes } from './routes/backchannel-logout';
import { codecRoutes } from './routes/codec';
import { providerEndpoints, webLoginRoutes } from './routes/web-login';
import { webRoutes } from './routes/web';
import type { DocumentStore } from '../activities/documents/document-store';
import { SessionCookies } from './session';
import type { Services } from './services/services';

/** What ApiDependencies.browser holds. */
export interface BrowserDependencies {
  /** Seals the ten-minute pending log-in cookie (never the session: that is the store's). */
  ring: KeyRing;
  /** Where browser sessions are kept (activities/sessions/session-store.ts). */
  sessions: SessionStore;
  webClientId: string;
  webUiOrigins: readonly string[];
  publicUrl?: string;
  /** How often a session's role and id are asked of the provider again; 5 minutes by default. */
  sessionRefreshMs?: number;
}

export async function registerBrowserDoor(
  app: FastifyInstance,
  browser: BrowserDependencies,
  context: {
    issuer: string;
    verify: TokenVerifier;
    services: Services;
    codecs: readonly PayloadCodec[];
    /** Where the pages' uploads go (the worker's document store). */
    documents?: DocumentStore | undefined;
    /** Applied to the log-in routes' own scope first (the per-address limit of log-ins). */
    loginScope?: (scope: FastifyInstance) => Promise<void>;
  },
): Promise<void> {
  const endpoints = providerEndpoints(context.issuer);
  const behindTls = Boolean(browser.publicUrl?.startsWith('https:'));
  const publicUrl = browser.publicUrl ? { publicUrl: browser.publicUrl } : {};
  const sessions = new BrowserSessions({
    store: browser.sessions,
    clientId: browser.webClientId,
    verify: context.verify,
    tokenEndpoint: async () => (await endpoints()).token_endpoint,
    behindTls,
    ...(browser.sessionRefreshMs !== undefined ? { refreshIntervalMs: browser.sessionRefreshMs } : {}),
  });
  const login = webLoginRoutes({
    issuer: context.issuer,
    clientId: browser.webClientId,
    cookies: new SessionCookies(browser.ring.derive('web login')),
    sessions,
    verify: context.verify,
    returnOrigins: browser.webUiOrigins,
    ...publicUrl,
  });
  await app.register(async (scope) => {
    await context.loginScope?.(scope);
    await scope.register(login);
  });
  await app.register(
    backChannelLogoutRoutes({
      issuer: context.issuer,
      clientId: browser.webClientId,
      jwksUri: async () => (await endpoints()).jwks_uri,
      store: browser.sessions,
    }),
  );
  await app.register(
    webRoutes({
      services: context.services,
      sessions,
      behindTls,
      issuerOrigin: new URL(context.issuer).origin,
      endSession: async () => (await endpoints()).end_session_endpoint,
      clientId: browser.webClientId,
      ...publicUrl,
      ...(context.documents ? { documents: context.documents } : {}),
    }),
  );
  await app.register(codecRoutes({ codecs: context.codecs, verify: context.verify, sessions, allowedOrigins: browser.webUiOrigins }));
}
