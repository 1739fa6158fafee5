// What every page route is written with: the services, the viewer (session, CSRF), how a page is
// sent, the law's access check, and parameters and forms read without trusting them.
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AllianceError } from '../../../domain/errors';
import { checkAccess, type Access } from '../../../machines/access';
import { formOf, type Form } from '../../plugins/forms';
import { pageSender, type SendPage } from '../../plugins/page-headers';
import { pageSessions } from '../../plugins/page-session';
import type { BrowserSessions } from '../../browser-sessions';
import type { Services } from '../../services/services';
import type { DocumentStore } from '../../../activities/documents/document-store';
import type { Lang } from '../../web/i18n';
import type { PageContext } from '../../web/layout';
import type { FieldErrors } from '../../web/schema-form';

export interface WebSettings {
  services: Services;
  /** The server-side browser sessions (each with its own CSRF token). */
  sessions: BrowserSessions;
  /** Cookies marked Secure even over plain HTTP (a TLS proxy in front). */
  behindTls: boolean;
  /** The identity provider's origin: a form sent after the session ended is redirected there to log in. */
  issuerOrigin: string;
  /** Where the provider ends its own session at log-out (RP-initiated log-out), and this client's id there. */
  endSession: () => Promise<string | undefined>;
  clientId: string;
  /** This API's address as browsers reach it; unset: from the request's Host. */
  publicUrl?: string;
  /** Where the pages' uploads go; without it a document cannot be attached or read here. */
  documents?: DocumentStore;
}

/** Pages are not part of the API's OpenAPI document. */
export const hidden = { schema: { hide: true } } as const;

export interface PageKit {
  settings: WebSettings;
  services: Services;
  langOf: (request: FastifyRequest) => Lang;
  contextOf: (request: FastifyRequest) => PageContext;
  send: SendPage;
  /** Refuses, in the law's words, a viewer the access is not for. */
  need: (access: Access, context: PageContext) => void;
  /** A page's parameters, or a 404: an address that does not parse names no page. */
  params: <S extends z.ZodType>(schema: S, value: unknown) => z.infer<S>;
  formOf: (request: FastifyRequest) => Form;
}

export function pageKit(settings: WebSettings): PageKit {
  const { langOf, contextOf } = pageSessions(settings);
  return {
    settings,
    services: settings.services,
    langOf,
    contextOf,
    send: pageSender(settings.issuerOrigin),
    need: (access, context) => {
      const refused = checkAccess(access, context.actor);
      if (refused) throw new AllianceError(refused.code, refused.message);
    },
    params: (schema, value) => {
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw new AllianceError('NOT_FOUND', 'No such page.');
      return parsed.data;
    },
    formOf,
  };
}

/** The law's refusal details, `path: message` each, as messages at their fields. */
export function errorsFromDetails(details: readonly string[]): FieldErrors {
  const errors: FieldErrors = new Map();
  for (const detail of details) {
    const match = /^([A-Za-z0-9_.]+): (.*)$/.exec(detail);
    const key = match && !/^[A-Z_]+$/.test(match[1]!) ? match[1]! : '';
    errors.set(key, [...(errors.get(key) ?? []), match && key ? match[2]! : detail]);
  }
  return errors;
}
