// Who is looking at a page: the server-side session of the cookie's id (looked up, and refreshed
// from the provider when due, before the handler runs), the language cookie, and for a form its
// CSRF token and origin; a page without a live session sends the browser to log in and back.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AllianceError } from '../../domain/errors';
import type { BrowserSession } from '../../activities/sessions/session-store';
import type { BrowserSessions } from '../browser-sessions';
import { cookieOf } from '../session';
import { isLang, translator, type Lang } from '../web/i18n';
import type { PageContext } from '../web/layout';
import type { Form } from './forms';

export const LANG_COOKIE = 'alliance_lang';

/** Thrown inside a handler: send the browser to log in, back here afterwards. */
export class LoginRequired extends Error {
  constructor(readonly returnTo: string) {
    super('log in');
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The page's live browser session, looked up before its handler; null when there is none. */
    browserSession: BrowserSession | null;
  }
}

/** Looks up (and refreshes when due) the session of every page request, before its handler runs. */
export function pageSessionLookup(app: FastifyInstance, sessions: BrowserSessions): void {
  app.decorateRequest('browserSession', null);
  app.addHook('preHandler', async (request) => {
    request.browserSession = await sessions.current(request);
  });
}

export interface PageSessionSettings {
  /** This API's address as browsers reach it; unset: from the request's Host. */
  publicUrl?: string;
}

export function pageSessions(settings: PageSessionSettings) {
  const langOf = (request: FastifyRequest): Lang => {
    const chosen = cookieOf(request, LANG_COOKIE);
    return isLang(chosen) ? chosen : 'zh-TW';
  };
  // Behind a TLS proxy that rewrites Host, the public address says what browsers send as Origin.
  const publicHost = settings.publicUrl ? new URL(settings.publicUrl).host : null;
  const sameOrigin = (request: FastifyRequest, url: string): boolean => {
    try {
      return new URL(url).host === (publicHost ?? request.host);
    } catch {
      return false;
    }
  };
  /**
   * The page a request belongs to: its own address for a GET; for a form, the page the form was
   * on (where a log-in or the language switch returns: the form's data cannot follow).
   */
  const pageOf = (request: FastifyRequest): string => {
    if (request.method === 'GET') return request.url;
    const referer = request.headers.referer;
    return referer && sameOrigin(request, referer) ? new URL(referer).pathname + new URL(referer).search : '/web';
  };
  /** The logged-in viewer, or a trip to the log-in (and back to this page). */
  const contextOf = (request: FastifyRequest): PageContext => {
    const session = request.browserSession;
    if (!session) {
      // A form sent after the session ended: back to the page it was on, since its data cannot follow the log-in.
      throw new LoginRequired(pageOf(request));
    }
    const context = { lang: langOf(request), actor: session.actor, csrf: session.csrf, path: pageOf(request) };
    if (request.method === 'POST') {
      const form = (request.body ?? {}) as Form;
      const sent = typeof form._csrf === 'string' ? Buffer.from(form._csrf) : Buffer.alloc(0);
      const expected = Buffer.from(context.csrf);
      const origin = request.headers.origin;
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected) || (origin && origin !== 'null' && !sameOrigin(request, origin))) {
        throw new AllianceError('ROLE_NOT_ALLOWED', translator(context.lang)('forbidden'));
      }
    }
    return context;
  };
  return { langOf, contextOf };
}
