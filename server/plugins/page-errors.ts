// A page that fails answers as a page: a refusal in the viewer's language with the law's words, a
// 404 for what is not there, a log-in for an ended session; never the API's problem document.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AllianceError } from '../../domain/errors';
import { httpStatus } from '../problems';
import { html } from '../web/html';
import type { Lang } from '../web/i18n';
import { translator } from '../web/i18n';
import { publicPage } from '../web/layout';
import type { SendPage } from './page-headers';
import { LoginRequired } from './page-session';

export function pageErrors(app: FastifyInstance, langOf: (request: FastifyRequest) => Lang, send: SendPage): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof LoginRequired) return reply.redirect(`/auth/login?return=${encodeURIComponent(error.returnTo)}`, 303);
    const lang = langOf(request);
    const t = translator(lang);
    const alliance = error instanceof AllianceError ? error : null;
    const status = alliance
      ? httpStatus[alliance.code]
      : (error as { statusCode?: number }).statusCode && (error as { statusCode: number }).statusCode < 500
        ? (error as { statusCode: number }).statusCode
        : 500;
    if (status >= 500) request.log.error({ err: error }, 'web page failed');
    const message =
      status === 404
        ? t('notFound')
        : alliance
          ? alliance.message
          : status < 500
            ? (error as Error).message
            : 'The service failed to answer; the office can find this request by its id.';
    return send(
      reply,
      publicPage(
        lang,
        status === 404 ? t('notFound') : t('refusedTitle'),
        html`<p role="alert">${message}</p><p><small>request ${request.id}</small></p><p><a href="/web">${t('home')}</a></p>`,
      ),
      status,
    );
  });
  // Unknown pages under /web answer as a page, not as the API's problem document.
  void app.register(
    (scoped, _o, registered) => {
      scoped.setNotFoundHandler((request, reply) =>
        send(
          reply,
          publicPage(langOf(request), translator(langOf(request))('notFound'), html`<p><a href="/web">${translator(langOf(request))('home')}</a></p>`),
          404,
        ),
      );
      registered();
    },
    { prefix: '/web' },
  );
}
