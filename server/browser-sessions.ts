// Browser sessions kept by the server: the cookie carries a random id, the store (SQLite or
// PostgreSQL, shared by every API replica) what it stands for. Log-out and the provider's
// back-channel log-out end a session at once; who it is is asked of the provider again (the
// refresh token) whenever the last answer is older than the refresh interval.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import type { Actor } from '../domain/actor';
import { AllianceError } from '../domain/errors';
import type { BrowserSession, SessionStore } from '../activities/sessions/session-store';
import type { TokenVerifier } from './authentication';
import { cookieOf, sessionCookieName, setCookie } from './session';

/** Role and id are re-derived from the provider at least this often. */
export const DEFAULT_REFRESH_INTERVAL_MS = 5 * 60_000;
/** However long the provider would keep it, a browser session lasts at most this long. */
export const MAX_SESSION_MS = 8 * 3600_000;
/** An ended or expired session is forgotten this long after (a log-in purges, at most hourly per process). */
const KEEP_ENDED_MS = 7 * 86400_000;
const PURGE_EVERY_MS = 3600_000;

export interface BrowserSessionSettings {
  store: SessionStore;
  /** The provider's public client the browsers log in with (its refresh tokens are refreshed with it). */
  clientId: string;
  verify: TokenVerifier;
  tokenEndpoint: () => Promise<string | undefined>;
  /** Served over TLS (API_PUBLIC_URL https): the cookie is `__Host-` and always Secure. */
  behindTls: boolean;
  /** How old the provider's last word on a session may be before it is asked again (5 minutes). */
  refreshIntervalMs?: number;
}

/** What the provider's token endpoint answers. */
export interface ProviderTokens {
  access_token?: string;
  refresh_token?: string;
  refresh_expires_in?: number;
  id_token?: string;
  error?: string;
  error_description?: string;
}

export class BrowserSessions {
  readonly cookieName: string;
  private readonly refreshing = new Map<string, Promise<BrowserSession | null>>();
  private lastPurge = 0;

  constructor(private readonly settings: BrowserSessionSettings) {
    this.cookieName = sessionCookieName(settings.behindTls);
  }

  /** The store the sessions are kept in, which keeps the calendar feeds too. */
  get store(): SessionStore {
    return this.settings.store;
  }

  /** Until when the provider says the tokens' session lasts, at most MAX_SESSION_MS after it began. */
  private expiryOf(tokens: ProviderTokens, createdAt: number, now: number): number {
    const tokenExpiry = (decodeJwt(tokens.access_token!).exp ?? 0) * 1000;
    const providerSession = tokens.refresh_expires_in ? now + tokens.refresh_expires_in * 1000 : tokenExpiry;
    return Math.min(createdAt + MAX_SESSION_MS, Math.max(providerSession, tokenExpiry));
  }

  /** A new session for a log-in's tokens (the access token verified to `actor`), and its cookie. */
  async start(request: FastifyRequest, reply: FastifyReply, tokens: ProviderTokens, actor: Actor): Promise<BrowserSession> {
    const now = Date.now();
    const idClaims = tokens.id_token ? decodeJwt(tokens.id_token) : {};
    const sid = typeof idClaims.sid === 'string' ? idClaims.sid : (actor.via?.session ?? null);
    const session = await this.settings.store.create(
      {
        subject: actor.via?.subject ?? `${actor.role}:${actor.id}`,
        providerSession: sid,
        actor,
        refreshToken: tokens.refresh_token ?? null,
        expiresAt: this.expiryOf(tokens, now, now),
      },
      now,
    );
    setCookie(reply, request, this.cookieName, session.id, (session.expiresAt - now) / 1000, '/', this.settings.behindTls);
    if (now - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = now;
      await this.settings.store.purge(now - KEEP_ENDED_MS);
    }
    return session;
  }

  /**
   * The live session of a request's cookie, its actor as the provider says now; null when there
   * is none, it ended, expired, or the provider no longer vouches for it (then it is ended here).
   */
  async current(request: FastifyRequest): Promise<BrowserSession | null> {
    const id = cookieOf(request, this.cookieName);
    if (!id) return null;
    const session = await this.settings.store.get(id);
    const now = Date.now();
    if (!session || session.endedAt !== null) return null;
    if (session.expiresAt <= now) {
      await this.settings.store.end(id, 'expired');
      return null;
    }
    if (now - session.refreshedAt < (this.settings.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS)) return session;
    // Requests of one session at once share one refresh.
    let pending = this.refreshing.get(id);
    if (!pending) {
      pending = this.refresh(session).finally(() => this.refreshing.delete(id));
      this.refreshing.set(id, pending);
    }
    return pending;
  }

  /** Asks the provider again with the session's refresh token; a refusal ends the session. */
  private async refresh(session: BrowserSession): Promise<BrowserSession | null> {
    const refused = async (why: string): Promise<null> => {
      await this.settings.store.end(session.id, `the identity provider did not refresh it: ${why}`);
      return null;
    };
    if (!session.refreshToken) return refused('no refresh token');
    const endpoint = await this.settings.tokenEndpoint();
    if (!endpoint) throw new AllianceError('NOT_REACHABLE', 'The identity provider names no token endpoint; sessions cannot be checked now.');
    const response = await fetch(endpoint, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refreshToken, client_id: this.settings.clientId }),
    }).catch((error: unknown) => {
      throw new AllianceError('NOT_REACHABLE', `The identity provider cannot be reached (${(error as Error).message}); try again shortly.`);
    });
    const tokens = (await response.json().catch(() => ({}))) as ProviderTokens;
    // A provider that is down is no verdict on the person: the session waits for its answer.
    if (response.status >= 500) throw new AllianceError('NOT_REACHABLE', `The identity provider answered HTTP ${response.status}; try again shortly.`);
    if (!response.ok || !tokens.access_token) return refused(tokens.error_description ?? tokens.error ?? `HTTP ${response.status}`);
    let actor: Actor;
    try {
      actor = await this.settings.verify(`Bearer ${tokens.access_token}`);
    } catch (error) {
      if (error instanceof AllianceError && error.code === 'NOT_REACHABLE') throw error;
      return refused((error as Error).message);
    }
    const now = Date.now();
    const update = { actor, refreshToken: tokens.refresh_token ?? session.refreshToken, expiresAt: this.expiryOf(tokens, session.createdAt, now) };
    await this.settings.store.refreshed(session.id, update, now);
    return { ...session, ...update, refreshedAt: now };
  }

  /** Ends the request's session now (log-out) and clears its cookie. */
  async end(request: FastifyRequest, reply: FastifyReply, why: string): Promise<void> {
    const id = cookieOf(request, this.cookieName);
    if (id) await this.settings.store.end(id, why);
    setCookie(reply, request, this.cookieName, '', 0, '/', this.settings.behindTls);
  }
}
