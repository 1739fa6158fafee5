import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { openBytes, sealBytes } from '../activities/crypto/key-ring';

/** The session cookie's name over plain HTTP on loopback, where browsers refuse a `__Host-` cookie. */
export const SESSION_COOKIE = 'alliance_session';
/** Served over TLS: `__Host-` binds it to this host (Secure, Path=/, no Domain), so no sibling domain can set or shadow it. */
export const HOST_SESSION_COOKIE = '__Host-alliance_session';
export const LOGIN_COOKIE = 'alliance_login';

/** The session cookie's name: `__Host-` prefixed when the API is served over TLS (API_PUBLIC_URL https). */
export const sessionCookieName = (behindTls: boolean): string => (behindTls ? HOST_SESSION_COOKIE : SESSION_COOKIE);

/**
 * Short-lived state a browser carries sealed (AES-256-GCM under a key derived from the payload
 * keys): the pending log-in's PKCE verifier and state, for the ten minutes a log-in may take.
 * Sessions themselves are kept by the server (server/browser-sessions.ts), never sealed here.
 */
export class SessionCookies {
  constructor(private readonly key: Buffer) {}

  seal<T>(purpose: string, value: T): string {
    return sealBytes(this.key, Buffer.from(JSON.stringify(value)), purpose).toString('base64url');
  }

  open<S extends z.ZodType>(purpose: string, schema: S, cookie: string | undefined): z.infer<S> | null {
    if (!cookie || cookie.length > 8192) return null;
    const plain = openBytes(this.key, Buffer.from(cookie, 'base64url'), purpose);
    if (!plain) return null;
    try {
      const parsed = schema.safeParse(JSON.parse(plain.toString('utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}

export const PendingLogin = z.object({ verifier: z.string(), state: z.string(), returnTo: z.string(), expiresAt: z.number() }).strict();
export type PendingLogin = z.infer<typeof PendingLogin>;

/** The named cookie of a request (a plain parser: names and values as the server set them). */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header || header.length > 16_384) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

const isLoopback = (host: string): boolean => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);

/**
 * HTTP-only, same-site Lax, Secure whenever the browser allows it (HTTPS, or loopback, which
 * browsers treat as secure): script cannot read it, other sites cannot send it.
 */
export function setCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  name: string,
  value: string,
  maxAgeSeconds: number,
  path = '/',
  alwaysSecure = false,
): void {
  const secure = alwaysSecure || request.protocol === 'https' || isLoopback(request.host);
  const attributes = [
    `${name}=${value}`,
    `Path=${path}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ];
  const previous = reply.getHeader('set-cookie');
  reply.header('set-cookie', [...(Array.isArray(previous) ? previous : previous ? [String(previous)] : []), attributes.join('; ')]);
}
