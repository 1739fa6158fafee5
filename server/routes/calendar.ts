// A person's calendar feed: `POST /api/me/calendar` makes its secret address (their earlier one
// stops answering), `DELETE` revokes it, and `GET /calendar/<secret>.ics` answers any calendar
// program that holds the address with their to-do list, read as the law gives it to them.
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { SessionStore } from '../../activities/sessions/session-store';
import { CalendarFeed, CalendarFeedQuery, CalendarRevoked } from '../../domain/api';
import type { Actor } from '../../domain/actor';
import { AllianceError } from '../../domain/errors';
import { formatRocDate } from '../../domain/roc-date';
import type { Services } from '../services/services';
import { myTodo, myWork } from '../services/my-work';
import { calendarOf } from '../web/ical';
import { isLang, nameOf, type Lang } from '../web/i18n';

const SECRET_FILE = /^([A-Za-z0-9_-]{43})\.ics$/;

/** The person the feed belongs to: who authenticated them, not the id the token names. */
export const ownerOf = (actor: Actor): string => (actor.via ? `${actor.via.issuer} ${actor.via.subject}` : `${actor.role} ${actor.id}`);
export const baseOf = (request: FastifyRequest, publicUrl: string | undefined): string =>
  publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;

/** `/api/me/calendar`: make or revoke the signed-in person's feed. */
export const calendarRoutes =
  (feeds: SessionStore, publicUrl: string | undefined): FastifyPluginCallback =>
  (app, _options, done) => {
    app.withTypeProvider<ZodTypeProvider>().post(
      '/me/calendar',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'createMyCalendarFeed',
          summary: 'A secret address of your to-do list as an iCalendar feed; the one made before stops answering',
          tags: ['me'],
          querystring: CalendarFeedQuery,
          response: { 201: CalendarFeed },
        },
      },
      async (request, reply) => {
        const secret = await feeds.createFeed(ownerOf(request.actor), request.actor, request.query.lang ?? 'zh-TW');
        void reply.code(201);
        return { url: `${baseOf(request, publicUrl)}/calendar/${secret}.ics`, revokes: 'DELETE /api/me/calendar' };
      },
    );
    app.withTypeProvider<ZodTypeProvider>().delete(
      '/me/calendar',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'revokeMyCalendarFeed',
          summary: 'Your calendar feed stops answering at once',
          tags: ['me'],
          response: { 200: CalendarRevoked },
        },
      },
      async (request) => {
        if (!(await feeds.revokeFeeds(ownerOf(request.actor)))) throw new AllianceError('NOT_FOUND', 'You have no calendar feed to revoke.');
        return { revoked: true as const };
      },
    );
    done();
  };

/** `GET /calendar/<secret>.ics`: the holder of the address reads the feed's person's to-do list; nothing else. */
export function calendarFeed(app: FastifyInstance, services: Services, feeds: SessionStore, publicUrl: string | undefined): void {
  app.get('/calendar/:file', { schema: { hide: true } }, async (request, reply) => {
    const secret = SECRET_FILE.exec((request.params as { file: string }).file)?.[1];
    const feed = secret ? await feeds.feed(secret) : null;
    if (!feed) throw new AllianceError('NOT_FOUND', 'No such calendar: its address was revoked or replaced, or never made.');
    const lang: Lang = isLang(feed.lang) ? feed.lang : 'zh-TW';
    const work = (await myWork(services, feed.actor)).projects;
    const titles = new Map(work.map((w) => [w.projectId, `${w.applicationId} ${w.title}`]));
    const base = baseOf(request, publicUrl);
    const events = (await myTodo(services, feed.actor, work)).map((item) => ({
      uid: `${item.projectId}/${item.deadline}@alliance`,
      at: item.due,
      summary: `${nameOf(lang, item.command)}${lang === 'zh-TW' ? '：' : ': '}${titles.get(item.projectId) ?? item.projectId}`,
      description: `${item.projectId}\n${lang === 'zh-TW' ? '截止' : 'Due'} ${formatRocDate(item.due, { withTime: true })}`,
      url: `${base}/web/projects/${item.projectId.split(':').slice(1).map(encodeURIComponent).join('/')}`,
    }));
    const name = lang === 'zh-TW' ? `產學技術聯盟 待辦事項（${feed.actor.id}）` : `Industry–Academia Alliance: to do (${feed.actor.id})`;
    return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').send(calendarOf(name, events));
  });
}
