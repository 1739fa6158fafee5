import { randomUUID } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { maskEmails } from '../domain/personal-data';

export type LogLevelName = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * The API's log: pino's JSON, one line per event, every line carrying the request's id (the
 * caller's X-Request-Id when it sends a sane one, so a trace crosses the proxy; else a new one),
 * credentials redacted and e-mail addresses masked in the written line whatever field held them.
 */
export function apiLogging(level: LogLevelName): Pick<FastifyServerOptions, 'logger'> {
  return {
    logger: {
      level: level.toLowerCase(),
      // The worker's shape: ISO time, level by name, `message`.
      messageKey: 'message',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label: string) => ({ level: label.toUpperCase() }) },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '<masked>' },
      hooks: { streamWrite: maskEmails },
    },
  };
}

/** Every request's id: the caller's X-Request-Id when it sends a sane one, else a new UUID. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(given) ? given : randomUUID();
}
