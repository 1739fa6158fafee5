import { createHash, randomBytes } from 'node:crypto';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AllianceError } from '../../domain/errors';
import type { TokenVerifier } from '../authentication';
import type { BrowserSessions, ProviderTokens } from '../browser-sessions';
import { cookieOf, LOGIN_COOKIE, PendingLogin, setCookie, type SessionCookies } from '../session';

export interface WebLoginSettings {
  issuer: string;
  /** The provider's public client for browsers (authorization code with PKCE). */
  clientId: string;
  /** Seals the pending log-in's cookie (ten minutes). */
  cookies: SessionCookies;
  /** The server-side sessions a log-in starts and a log-out ends. */
  sessions: BrowserSessions;
  verify: TokenVerifier;
  /** Origins besides this API's a log-in may return to (the Temporal Web UI). */
  returnOrigins: readonly string[];
  /** This API's address as browsers reach it; unset: from the request's Host. */
  publicUrl?: string;
}

const LOGIN_WINDOW_MS = 10 * 60_000;

interface ProviderEndpoints {
  authorization_endpoint?: string;
  token_endpoint?: string;
  end_session_endpoint?: string;
  jwks_uri?: string;
}

export function providerEndpoints(issuer: string): () => Promise<ProviderEndpoints> {
  let known: ProviderEndpoints | undefined;
  return async () => {
    if (known) return known;
    try {
      const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      known = (await response.json()) as ProviderEndpoints;
      return known;
    } catch (error) {
      throw new AllianceError('NOT_REACHABLE', `The identity provider ${issuer} cannot be reached (${(error as Error).message}); try again shortly.`);
    }
  };
}

const MAX_RETURN_LENGTH = 2000;
const LoginQuery = z.object({ return: z.string().max(MAX_RETURN_LENGTH).optional() }).strict();
const CallbackQuery = z
  .object({
    code: z.string().max(4096).optional(),
    state: z.string().max(200).optional(),
    error: z.string().max(200).optional(),
    error_description: z.string().max(1000).optional(),
    session_state: z.string().max(200).optional(),
    iss: z.string().max(2000).optional(),
  })
  .strict();

/** A path of this site: one leading slash, not two (`//host` is another site), no backslash (browsers read it as a slash). */
const sitePath = /^\/(?![/\\])[^\\]*$/;
/**
 * Only back to this API or an origin the operators named: never an open redirect. The address
 * comes back as the URL standard serializes it, percent-encoded: a `Location` header carries
 * ASCII only, and a raw `/web/網` in it failed the callback with a 500.
 */
function safeReturn(target: string | undefined, returnOrigins: readonly string[]): string {
  // Control characters first: browsers drop a tab from a Location, turning /\t/evil into //evil.
  if (!target || [...target].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return '/';
  try {
    if (sitePath.test(target)) {
      const url = new URL(target, 'http://return.invalid');
      const path = url.pathname + url.search + url.hash;
      // Serializing resolves dot segments, `/.//evil.example` into `//evil.example`: checked again.
      return sitePath.test(path) ? path : '/';
    }
    const url = new URL(target);
    return returnOrigins.includes(url.origin) ? url.href : '/';
  } catch {
    return '/';
  }
}

/**
 * Logging in with a browser: the authorization code flow with PKCE against the OpenID provider,
 * ending in a session kept by the server (its random id in the cookie). The codec server (and the web pages) accept it where a
 * command line sends a bearer token.
 */
export const webLoginRoutes =
  (settings: WebLoginSettings): FastifyPluginCallback =>
  (plain, _options, done) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    const endpoints = providerEndpoints(settings.issuer);
    // Behind a TLS proxy the request arrives as plain HTTP; the public address says what browsers use.
    const behindTls = Boolean(settings.publicUrl?.startsWith('https:'));
    const base = (request: FastifyRequest): string => settings.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
    const callbackUrl = (request: FastifyRequest): string => `${base(request)}/auth/callback`;
    app.get(
      '/auth/login',
      {
        schema: {
          operationId: 'startBrowserLogin',
          summary: 'Log in with a browser (OpenID Connect, authorization code with PKCE); returns to `return` afterwards',
          tags: ['login'],
          querystring: LoginQuery,
        },
      },
      async (request, reply) => {
        const { authorization_endpoint } = await endpoints();
        if (!authorization_endpoint)
          throw new AllianceError('NOT_REACHABLE', `The identity provider ${settings.issuer} names no authorization endpoint; browsers cannot log in there.`);
        const verifier = randomBytes(32).toString('base64url');
        const state = randomBytes(16).toString('base64url');
        const returnTo = safeReturn(request.query.return, settings.returnOrigins);
        // The address rides in the log-in cookie, and browsers drop a cookie over 4 KB: past this, the
        // log-in would come back as "not started here". Encoding can make it nine times longer.
        if (returnTo.length > MAX_RETURN_LENGTH) {
          throw new AllianceError(
            'VALIDATION',
            `return is ${returnTo.length} characters once percent-encoded, more than the ${MAX_RETURN_LENGTH} a log-in can carry back: return to a shorter address.`,
          );
        }
        const pending: PendingLogin = { verifier, state, returnTo, expiresAt: Date.now() + LOGIN_WINDOW_MS };
        setCookie(reply, request, LOGIN_COOKIE, settings.cookies.seal('login', pending), LOGIN_WINDOW_MS / 1000, '/auth', behindTls);
        const url = new URL(authorization_endpoint);
        url.search = new URLSearchParams({
          client_id: settings.clientId,
          response_type: 'code',
          scope: 'openid',
          redirect_uri: callbackUrl(request),
          state,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        }).toString();
        return reply.redirect(url.toString(), 302);
      },
    );

    app.get(
      '/auth/callback',
      {
        schema: {
          operationId: 'finishBrowserLogin',
          summary: 'Where the identity provider returns a browser after log-in',
          tags: ['login'],
          querystring: CallbackQuery,
        },
      },
      async (request, reply) => {
        const pending = settings.cookies.open('login', PendingLogin, cookieOf(request, LOGIN_COOKIE));
        if (!pending || pending.expiresAt < Date.now() || pending.state !== request.query.state) {
          throw new AllianceError('UNAUTHENTICATED', 'This log-in was not started here, or took longer than 10 minutes: start again at /auth/login.');
        }
        if (request.query.error || !request.query.code) {
          throw new AllianceError(
            'UNAUTHENTICATED',
            `The identity provider did not log you in (${request.query.error ?? 'no code'}${request.query.error_description ? `: ${request.query.error_description}` : ''}); start again at /auth/login.`,
          );
        }
        const { token_endpoint } = await endpoints();
        if (!token_endpoint) throw new AllianceError('NOT_REACHABLE', `The identity provider ${settings.issuer} names no token endpoint.`);
        const response = await fetch(token_endpoint, {
          method: 'POST',
          signal: AbortSignal.timeout(10_000),
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: request.query.code,
            redirect_uri: callbackUrl(request),
            client_id: settings.clientId,
            code_verifier: pending.verifier,
          }),
        }).catch((error: unknown) => {
          throw new AllianceError('NOT_REACHABLE', `The identity provider cannot be reached (${(error as Error).message}); try again shortly.`);
        });
        const tokens = (await response.json().catch(() => ({}))) as ProviderTokens;
        if (!response.ok || !tokens.access_token)
          throw new AllianceError(
            'UNAUTHENTICATED',
            `The identity provider refused the log-in (${tokens.error_description ?? `HTTP ${response.status}`}); start again at /auth/login.`,
          );
        const actor = await settings.verify(`Bearer ${tokens.access_token}`);
        await settings.sessions.start(request, reply, tokens, actor);
        setCookie(reply, request, LOGIN_COOKIE, '', 0, '/auth', behindTls);
        return reply.redirect(pending.returnTo, 303);
      },
    );

    app.post(
      '/auth/logout',
      {
        schema: { operationId: 'endBrowserSession', summary: 'End the browser session (ended on the server at once; the cookie is cleared)', tags: ['login'] },
      },
      async (request, reply) => {
        await settings.sessions.end(request, reply, 'logged out');
        return reply.code(204).send();
      },
    );
    done();
  };
