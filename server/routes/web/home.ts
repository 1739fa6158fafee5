// The site's entry: the redirect to /web, the stylesheet, the language switch, log-out, and the
// home page (the office's and auditors' dashboard, everyone else's own work).
import type { FastifyInstance } from 'fastify';
import { AllianceError } from '../../../domain/errors';
import { checkAccess } from '../../../machines/access';
import { listCalls } from '../../services/calls';
import { myTodo, myWork } from '../../services/my-work';
import { baseOf, ownerOf } from '../calendar';
import { digestAddressOf } from '../digest';
import { verifiedEmailOf } from '../../../domain/actor';
import { setCookie } from '../../session';
import { LANG_COOKIE } from '../../plugins/page-session';
import { html } from '../../web/html';
import { isLang, translator } from '../../web/i18n';
import { scopeName } from '../../web/operation-names';
import { publicPage, stylesheet, type PageContext } from '../../web/layout';
import { dashboardPage, myWorkPage, type DeadlineRow, type ProjectRow, type RoundRow } from '../../web/pages/home';
import { hidden, type PageKit } from './kit';

export function homePages(app: FastifyInstance, kit: PageKit): void {
  const { settings, contextOf, langOf, send } = kit;
  app.get('/', hidden, (_request, reply) => reply.redirect('/web', 302));
  app.get('/web/assets/style.css', hidden, (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
  app.get('/web/lang', hidden, (request, reply) => {
    const { to, return: back } = request.query as { to?: string; return?: string };
    if (isLang(to)) setCookie(reply, request, LANG_COOKIE, to, 365 * 86400, '/', settings.behindTls);
    return reply.redirect(pageReturn(back), 303);
  });
  app.get('/web/logged-out', hidden, (request, reply) => {
    const t = translator(langOf(request));
    return send(reply, publicPage(langOf(request), t('signedOut'), html`<p><a href="/auth/login?return=%2Fweb">${t('logIn')}</a></p>`));
  });
  // Log-out ends the session here at once (the cookie's id no longer opens anything, wherever it was
  // copied) and the provider's session too (RP-initiated log-out), or the next person at a shared
  // computer would be let straight back in without a password.
  app.post('/web/logout', hidden, async (request, reply) => {
    contextOf(request);
    await settings.sessions.end(request, reply, 'logged out');
    const base = settings.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
    const endSession = await settings.endSession().catch(() => undefined);
    if (!endSession) return reply.redirect('/web/logged-out', 303);
    const url = new URL(endSession);
    url.search = new URLSearchParams({ client_id: settings.clientId, post_logout_redirect_uri: `${base}/web/logged-out` }).toString();
    return reply.redirect(url.toString(), 303);
  });

  // The person's calendar address, shown once when made (only its hash is kept), and revoked.
  app.post('/web/calendar', hidden, async (request, reply) => {
    const context = contextOf(request);
    const feeds = settings.sessions.store;
    const secret = await feeds.createFeed(ownerOf(context.actor), context.actor, context.lang);
    const work = await myWork(kit.services, context.actor);
    const made = { url: `${baseOf(request, settings.publicUrl)}/calendar/${secret}.ics` };
    return send(reply, myWorkPage(context, work.projects, work.openCalls, await myTodo(kit.services, context.actor, work.projects), made));
  });
  // How reminders reach the person: each at once, or in one mail a day (their preferences workflow keeps it).
  app.post('/web/digest', hidden, async (request, reply) => {
    const context = contextOf(request);
    const daily = (request.body as { daily?: unknown } | undefined)?.daily;
    if (daily !== 'on' && daily !== 'off') throw new AllianceError('VALIDATION', 'daily: expected on or off.');
    await kit.services.bounded('command', () => kit.services.preferences.chooseDigest(digestAddressOf(context.actor), daily === 'on'));
    return reply.redirect('/web?digest=saved', 303);
  });
  app.post('/web/calendar/revoke', hidden, async (request, reply) => {
    const context = contextOf(request);
    await settings.sessions.store.revokeFeeds(ownerOf(context.actor));
    return reply.redirect('/web?calendar=revoked', 303);
  });

  app.get('/web', hidden, async (request, reply) => {
    const context = contextOf(request);
    if (checkAccess('audit.read', context.actor)) {
      const work = await myWork(kit.services, context.actor);
      const query = request.query as { calendar?: string; digest?: string };
      const digest = await digestOf(kit, context, query.digest === 'saved');
      const calendar = { ...(query.calendar === 'revoked' && { revoked: true }), ...(digest && { digest }) };
      return send(reply, myWorkPage(context, work.projects, work.openCalls, await myTodo(kit.services, context.actor, work.projects), calendar));
    }
    return send(reply, await dashboard(kit, context, (request.query as { call?: string }).call));
  });
}

/** The person's digest choice, for their home page: none without a verified address (nowhere to send it). */
async function digestOf(kit: PageKit, context: PageContext, saved: boolean): Promise<{ daily: boolean; email: string; saved?: boolean } | undefined> {
  const email = verifiedEmailOf(context.actor);
  if (!email) return undefined;
  // The home page does not wait on it: unreadable now, the section is left out this time.
  const choice = await kit.services.bounded('command', () => kit.services.preferences.digest(email)).catch(() => undefined);
  return choice && { daily: choice.daily, email: email.toLowerCase(), ...(saved && { saved }) };
}

/** The office's and auditors' dashboard: the calls, their projects by state, deadlines within 30 days, the review rounds. */
async function dashboard(kit: PageKit, context: PageContext, call: unknown): Promise<string> {
  const { services } = kit;
  const calls = await services.bounded('command', () => listCalls(services));
  const selected = typeof call === 'string' && calls.some((c) => c.callId === call) ? call : null;
  const shown = selected ? calls.filter((c) => c.callId === selected) : calls.filter((c) => c.state !== 'closed').slice(0, 20);
  const statuses = await Promise.all(shown.map((c) => services.bounded('command', () => services.calls.status(c.callId)).catch(() => null)));
  // Counted from the ledger's read model (one indexed query, a row per project with a recorded
  // transition), not a visibility search (≈ 0.4 s for a 1,000-project call); applications the
  // calls registered that have no transition yet are drafts, with the facts the call keeps.
  let noLedger: string | undefined;
  const projects: ProjectRow[] = await services
    .audit()
    .recorded(selected ? { callId: selected } : {})
    .catch((error: unknown) => {
      // An API without the ledger still shows the calls, their rounds and deadlines, and says why the counts are missing.
      if (!(error instanceof AllianceError) || error.code !== 'NOT_FOUND') throw error;
      noLedger = error.message;
      return [];
    });
  const recorded = new Set(projects.map((p) => p.workflowId));
  for (const status of statuses) {
    for (const p of status?.projects ?? []) {
      if (!recorded.has(p.projectId))
        projects.push({
          workflowId: p.projectId,
          callId: status!.callId,
          division: p.division,
          region: p.region,
          institution: p.institutionId,
          state: 'draft',
          projectYear: 0,
          overdue: false,
        });
    }
  }
  const now = Date.now();
  const soon = now + 30 * 86400_000;
  const deadlines: DeadlineRow[] = [];
  const rounds: RoundRow[] = [];
  const t = translator(context.lang);
  for (const status of statuses) {
    if (!status) continue;
    const candidates: [string, string | undefined][] = [
      [`${t('deadline')}: ${translator(context.lang)('newApplication')}`, status.calendar?.applicationWindow.closes],
      [`${t('deadline')}: ${t('roster')}`, status.calendar?.endorsementDeadline],
      [`${t('reviewRounds')}`, status.calendar?.reviewPeriod.closes],
      [`${t('reports')}`, status.calendar?.interimReportDeadline],
      ...status.rounds.filter((r) => !r.closedAt).map((r): [string, string] => [`${t('reviewRounds')} ${scopeName(context.lang, r.scope)}`, r.deadline]),
    ];
    for (const [what, at] of candidates) if (at && Date.parse(at) >= now && Date.parse(at) <= soon) deadlines.push({ callId: status.callId, what, at });
    for (const r of status.rounds) {
      const scoped = status.projects.filter((p) => r.scope === 'all' || p.division === r.scope);
      rounds.push({
        callId: status.callId,
        scope: r.scope,
        startedAt: r.startedAt,
        deadline: r.deadline,
        closedAt: r.closedAt,
        assigned: scoped.reduce((n, p) => n + (status.assignments[p.applicationId]?.length ?? 0), 0),
        missing: r.missing.length,
      });
    }
  }
  deadlines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return dashboardPage(context, { calls, selectedCall: selected, projects: noLedger ? [] : projects, deadlines, rounds, ...(noLedger ? { noLedger } : {}) });
}

/**
 * Where the language switch may return: a page of this site under /web, as a normalised path
 * (`/web/../auth` is not under /web; characters a Location cannot carry are encoded).
 */
function pageReturn(back: unknown): string {
  if (typeof back !== 'string' || back.length > 2000 || !back.startsWith('/') || back.startsWith('//') || back.includes('\\')) return '/web';
  try {
    const url = new URL(back, 'http://page.invalid');
    return url.origin === 'http://page.invalid' && /^\/web(\/|$)/.test(url.pathname) ? url.pathname + url.search : '/web';
  } catch {
    return '/web';
  }
}
