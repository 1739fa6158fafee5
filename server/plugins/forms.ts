// Form bodies for the pages: url-encoded only (any other body, JSON included, is a 415, never read),
// bounded in size and in fields; a repeated field becomes a list.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AllianceError } from '../../domain/errors';

export type Form = Record<string, string | string[]>;
export const FORM_LIMIT = 1024 * 1024;
const MAX_FIELDS = 5_000;

export function formBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_request, body, finish) => {
    const form: Form = {};
    let count = 0;
    for (const [key, value] of new URLSearchParams(body as string)) {
      if (++count > MAX_FIELDS) return finish(new AllianceError('VALIDATION', `A form carries at most ${MAX_FIELDS} fields.`), undefined);
      const previous = form[key];
      form[key] = previous === undefined ? value : [...[previous].flat(), value];
    }
    finish(null, form);
  });
}

/** The form's own fields, without the CSRF token and the confirmation. */
export function formOf(request: FastifyRequest): Form {
  const { _csrf: _token, _confirm: _confirmed, ...form } = (request.body ?? {}) as Form;
  return form;
}
