import { checkApplicantRecord } from '../services/applicant-record';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NewApplication } from '../../domain/application';
import { AuditWorkflowParams, CallParams, EmptyBody, Id, ProjectParams, ProjectSearchQuery, RosterBody, ScopeBody } from '../../domain/api';
import { Call } from '../../domain/call';
import { AllianceError } from '../../domain/errors';
import { callWorkflowId, projectWorkflowId } from '../../domain/ids';
import { incomingPayloads, projectEventTypes, type ProjectEventType } from '../../domain/project-events';
import { ReviewerPool } from '../../domain/reviewers';
import { Instant } from '../../domain/roc-date';
import { checkAccess, type Access } from '../../machines/access';
import { callViewFor, mayReadProject, projectViewFor, transitionLogFor } from '../../machines/views';
import type { Services } from '../services/services';
import { httpStatus } from '../problems';
import { cookieOf, SESSION_COOKIE, Session, setCookie, type SessionCookies } from '../session';
import { html } from '../web/html';
import { isLang, translator, type Lang } from '../web/i18n';
import { publicPage, stylesheet, type PageContext } from '../web/layout';
import { auditPage, historyPage } from '../web/pages/audit';
import { callPage, confirmPage, formPage, jobPage, type BulkOperationForm } from '../web/pages/call';
import { dashboardPage, myWorkPage, type DeadlineRow, type ProjectRow, type RoundRow } from '../web/pages/home';
import { projectPage, type ProjectPageData } from '../web/pages/project';
import { errorsFromIssues, firstValue, readSchemaForm, renderSchemaFields, type FieldErrors } from '../web/schema-form';
import { myWork } from '../services/my-work';
import { searchFilterOf } from '../services/search';
import { listCalls } from '../services/calls';
import { sendProjectCommand } from '../services/send-command';
import type { CallOperationName } from '../../gateway/calls';
import type { Actor } from '../../domain/actor';

export interface WebSettings {
  services: Services;
  cookies: SessionCookies;
  /** Key of the forms' CSRF tokens (derived from the payload keys, like the session's). */
  csrfKey: Buffer;
  /** Cookies marked Secure even over plain HTTP (a TLS proxy in front). */
  behindTls: boolean;
  /** The identity provider's origin: a form sent after the session ended is redirected there to log in. */
  issuerOrigin: string;
  /** Where the provider ends its own session at log-out (RP-initiated log-out), and this client's id there. */
  endSession: () => Promise<string | undefined>;
  clientId: string;
  /** This API's address as browsers reach it; unset: from the request's Host. */
  publicUrl?: string;
}

type Form = Record<string, string | string[]>;
/** Pages are not part of the API's OpenAPI document. */
const hidden = { schema: { hide: true } } as const;
const LANG_COOKIE = 'alliance_lang';
const FORM_LIMIT = 1024 * 1024;
const MAX_FIELDS = 5_000;

/** The operations over a whole call the office runs from the call page (`callOperations`), each with its form's schema. */
const bulkOperations: Record<CallOperationName, z.ZodType> = {
  'written-review': ScopeBody,
  'close-round': ScopeBody,
  invite: z.object({ topPerDivision: z.number().int().min(1).max(1000).optional(), applicationIds: z.array(Id).max(1000).optional() }).strict()
    .refine((b) => (b.topPerDivision === undefined) !== (b.applicationIds === undefined || b.applicationIds.length === 0), { message: 'give either the top N per division or the application ids, not both', path: ['topPerDivision'] }),
  schedule: z.object({ startsAt: Instant }).strict(),
  'decision-meeting': EmptyBody,
  announce: EmptyBody,
  close: EmptyBody,
};
const bulkForms: BulkOperationForm[] = Object.entries(bulkOperations).map(([name, schema]) => ({ name, schema }));

/**
 * A job is the call's operation under an update id that names who started it, what it is and a
 * nonce: Temporal keeps its outcome under that id, so every API process shows the job. The page's
 * address carries the operation and the nonce only; the id is made again from the viewer, so a job
 * is found by its owner alone.
 */
const operationIdOf = (actor: Actor, operation: CallOperationName, nonce: string): string => `web-job:${actor.role}:${actor.id}:${operation}:${nonce}`;
const JobParams = z.object({ operation: z.enum(Object.keys(bulkOperations) as [CallOperationName, ...CallOperationName[]]), nonce: z.string().regex(/^[\w-]{12}$/) });

/** Thrown inside a handler: send the browser to log in, back here afterwards. */
class LoginRequired extends Error {
  constructor(readonly returnTo: string) {
    super('log in');
  }
}

/**
 * The web pages: server-rendered, working without script, behind the browser log-in. Every page
 * reads through the same services and asks the same law (machines/) as the API: the views decide
 * what is shown, the workflows' validators what is accepted.
 */
export const webRoutes = (settings: WebSettings): FastifyPluginCallback => (app, _options, done) => {
  const { services } = settings;

  // Pages take forms only: any other body (JSON included) is a 415, never read.
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

  const langOf = (request: FastifyRequest): Lang => {
    const chosen = cookieOf(request, LANG_COOKIE);
    return isLang(chosen) ? chosen : 'zh-TW';
  };
  const csrfFor = (session: Session): string => createHmac('sha256', settings.csrfKey).update(`${session.actor.role}:${session.actor.id}:${session.expiresAt}`).digest('base64url');

  /** The logged-in viewer, or a trip to the log-in (and back to this page). */
  const contextOf = (request: FastifyRequest): PageContext => {
    const session = settings.cookies.open('session', Session, cookieOf(request, SESSION_COOKIE));
    if (!session || session.expiresAt <= Date.now()) {
      // A form sent after the session ended: back to the page it was on, since its data cannot follow the log-in.
      throw new LoginRequired(pageOf(request));
    }
    const context = { lang: langOf(request), actor: session.actor, csrf: csrfFor(session), path: pageOf(request) };
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
  /**
   * The page a request belongs to: its own address for a GET; for a form, the page the form was
   * on (where a log-in or the language switch returns: the form's data cannot follow).
   */
  const pageOf = (request: FastifyRequest): string => {
    if (request.method === 'GET') return request.url;
    const referer = request.headers.referer;
    return referer && sameOrigin(request, referer) ? new URL(referer).pathname + new URL(referer).search : '/web';
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
  const send = (reply: FastifyReply, body: string, status = 200): FastifyReply =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('x-frame-options', 'DENY')
      .header('content-security-policy', `default-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self' ${settings.issuerOrigin}`).send(body);

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof LoginRequired) return reply.redirect(`/auth/login?return=${encodeURIComponent(error.returnTo)}`, 303);
    const lang = langOf(request);
    const t = translator(lang);
    const alliance = error instanceof AllianceError ? error : null;
    const status = alliance ? httpStatus[alliance.code] : (error as { statusCode?: number }).statusCode && (error as { statusCode: number }).statusCode < 500 ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'web page failed');
    const message = status === 404 ? t('notFound') : alliance ? alliance.message : status < 500 ? (error as Error).message : 'The service failed to answer; the office can find this request by its id.';
    return send(reply, publicPage(lang, status === 404 ? t('notFound') : t('refusedTitle'), html`<p role="alert">${message}</p><p><small>request ${request.id}</small></p><p><a href="/web">${t('home')}</a></p>`), status);
  });
  // Unknown pages under /web answer as a page, not as the API's problem document.
  void app.register((scoped, _o, registered) => {
    scoped.setNotFoundHandler((request, reply) => send(reply, publicPage(langOf(request), translator(langOf(request))('notFound'), html`<p><a href="/web">${translator(langOf(request))('home')}</a></p>`), 404));
    registered();
  }, { prefix: '/web' });

  const need = (access: Access, context: PageContext): void => {
    const refused = checkAccess(access, context.actor);
    if (refused) throw new AllianceError(refused.code, refused.message);
  };
  const params = <S extends z.ZodType>(schema: S, value: unknown): z.infer<S> => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new AllianceError('NOT_FOUND', 'No such page.');
    return parsed.data;
  };
  const formOf = (request: FastifyRequest): Form => {
    const { _csrf: _token, _confirm: _confirmed, ...form } = (request.body ?? {}) as Form;
    return form;
  };

  app.get('/', hidden, (_request, reply) => reply.redirect('/web', 302));
  app.get('/web/assets/style.css', hidden, (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet));
  app.get('/web/lang', hidden, (request, reply) => {
    const { to, return: back } = request.query as { to?: string; return?: string };
    if (isLang(to)) setCookie(reply, request, LANG_COOKIE, to, 365 * 86400, '/', settings.behindTls);
    return reply.redirect(pageReturn(back), 303);
  });
  app.get('/web/logged-out', hidden, (request, reply) => {
    const t = translator(langOf(request));
    return send(reply, publicPage(langOf(request), t('signedOut'), html`<p><a href="/auth/login?return=%2Fweb">${t('logIn')}</a></p>`));
  });
  // Log-out ends the provider's session too (RP-initiated log-out), or the next person at a shared
  // computer would be let straight back in without a password.
  app.post('/web/logout', hidden, async (request, reply) => {
    contextOf(request);
    setCookie(reply, request, SESSION_COOKIE, '', 0, '/', settings.behindTls);
    const base = settings.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
    const endSession = await settings.endSession().catch(() => undefined);
    if (!endSession) return reply.redirect('/web/logged-out', 303);
    const url = new URL(endSession);
    url.search = new URLSearchParams({ client_id: settings.clientId, post_logout_redirect_uri: `${base}/web/logged-out` }).toString();
    return reply.redirect(url.toString(), 303);
  });

  // Home: the office's and auditors' dashboard, everyone else's own work.
  app.get('/web', hidden, async (request, reply) => {
    const context = contextOf(request);
    if (checkAccess('audit.read', context.actor)) {
      const work = await myWork(services, context.actor);
      return send(reply, myWorkPage(context, work.projects, work.openCalls));
    }
    const query = request.query as { call?: string };
    const calls = await services.bounded('command', () => listCalls(services));
    const selected = typeof query.call === 'string' && calls.some((c) => c.callId === query.call) ? query.call : null;
    const shown = selected ? calls.filter((c) => c.callId === selected) : calls.filter((c) => c.state !== 'closed').slice(0, 20);
    const statuses = await Promise.all(shown.map((c) => services.bounded('command', () => services.calls.status(c.callId)).catch(() => null)));
    // Counted from the ledger's read model (one indexed query, a row per project with a recorded
    // transition), not a visibility search (≈ 0.4 s for a 1,000-project call); applications the
    // calls registered that have no transition yet are drafts, with the facts the call keeps.
    let noLedger: string | undefined;
    const projects: ProjectRow[] = await services.audit().recorded(selected ? { callId: selected } : {}).catch((error: unknown) => {
      // An API without the ledger still shows the calls, their rounds and deadlines, and says why the counts are missing.
      if (!(error instanceof AllianceError) || error.code !== 'NOT_FOUND') throw error;
      noLedger = error.message;
      return [];
    });
    const recorded = new Set(projects.map((p) => p.workflowId));
    for (const status of statuses) {
      for (const p of status?.projects ?? []) {
        if (!recorded.has(p.projectId)) projects.push({ workflowId: p.projectId, callId: status!.callId, division: p.division, region: p.region, institution: p.institutionId, state: 'draft', projectYear: 0, overdue: false });
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
        ...status.rounds.filter((r) => !r.closedAt).map((r): [string, string] => [`${t('reviewRounds')} ${r.scope}`, r.deadline]),
      ];
      for (const [what, at] of candidates) if (at && Date.parse(at) >= now && Date.parse(at) <= soon) deadlines.push({ callId: status.callId, what, at });
      for (const r of status.rounds) {
        const scoped = status.projects.filter((p) => r.scope === 'all' || p.division === r.scope);
        rounds.push({ callId: status.callId, scope: r.scope, startedAt: r.startedAt, deadline: r.deadline, closedAt: r.closedAt, assigned: scoped.reduce((n, p) => n + (status.assignments[p.applicationId]?.length ?? 0), 0), missing: r.missing.length });
      }
    }
    deadlines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return send(reply, dashboardPage(context, { calls, selectedCall: selected, projects: noLedger ? [] : projects, deadlines, rounds, ...(noLedger ? { noLedger } : {}) }));
  });

  // Opening a call: the office pastes (or types) the call file and the reviewer pool.
  const OpenCallForm = z.object({ call: z.string().min(1, 'expected the call file (JSON)').max(FORM_LIMIT / 2), reviewerPool: z.string().min(1, 'expected the reviewer pool (JSON)').max(FORM_LIMIT / 2) });
  const openCallForm = (context: PageContext, value: Partial<Record<'call' | 'reviewerPool', string>>, errors: FieldErrors, message?: string): string => {
    const t = translator(context.lang);
    const area = (name: 'call' | 'reviewerPool', word: 'callFile' | 'poolFile') => html`<div class="field${errors.has(name) ? ' invalid' : ''}"><label for="f-${name}">${t(word)}</label>
      <textarea id="f-${name}" name="${name}" rows="16" spellcheck="false" ${errors.has(name) ? html`aria-describedby="f-${name}-errors" aria-invalid="true"` : ''}>${value[name] ?? ''}</textarea>
      ${errors.has(name) ? html`<ul class="field-errors" id="f-${name}-errors">${errors.get(name)!.map((m) => html`<li>${m}</li>`)}</ul>` : ''}</div>`;
    const summary = errors.size ? html`<div class="error-summary" role="alert"><h2>${t('errorsTitle')}</h2><ul>${[...errors].flatMap(([k, ms]) => ms.map((m) => html`<li><a href="#f-${k.split('.')[0]}">${m}</a></li>`))}</ul></div>` : html``;
    return formPage(context, t('openCall'), '/web/calls', { fields: html`${area('call', 'callFile')}${area('reviewerPool', 'poolFile')}`, summary }, message, t('openCall'));
  };
  app.get('/web/calls/new', hidden, (request, reply) => {
    const context = contextOf(request);
    need('call.open', context);
    return send(reply, openCallForm(context, {}, new Map()));
  });
  app.post('/web/calls', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('call.open', context);
    const form = formOf(request);
    const value = { call: firstValue(form.call), reviewerPool: firstValue(form.reviewerPool) };
    const errors: FieldErrors = new Map();
    const shape = OpenCallForm.safeParse(value);
    if (!shape.success) return send(reply, openCallForm(context, value, errorsFromIssues(shape.error.issues)), 400);
    const json = (name: 'call' | 'reviewerPool'): unknown => {
      try {
        return JSON.parse(value[name]);
      } catch (error) {
        errors.set(name, [`not JSON: ${(error as Error).message}`]);
        return undefined;
      }
    };
    const callFile = json('call');
    const pool = json('reviewerPool');
    if (callFile !== undefined) for (const [k, v] of errorsFromIssues(Call.safeParse(callFile).error?.issues ?? [], ['call'])) errors.set(k.startsWith('call') ? 'call' : k, [...(errors.get('call') ?? []), ...v.map((m) => `${k.replace(/^call\.?/, '') || '(file)'}: ${m}`)]);
    if (pool !== undefined) for (const [k, v] of errorsFromIssues(ReviewerPool.safeParse(pool).error?.issues ?? [], ['reviewerPool'])) errors.set('reviewerPool', [...(errors.get('reviewerPool') ?? []), ...v.map((m) => `${k.replace(/^reviewerPool\.?/, '') || '(file)'}: ${m}`)]);
    if (errors.size) return send(reply, openCallForm(context, value, errors), 400);
    try {
      const callId = await services.bounded('command', () => services.calls.open(callFile, pool));
      return reply.redirect(`/web/calls/${encodeURIComponent(callId)}`, 303);
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500) throw error;
      return send(reply, openCallForm(context, value, new Map(), error.message), httpStatus[error.code]);
    }
  });

  // A call: everyone sees what the call view allows; the office its operations, an institution its roster.
  const renderCall = async (context: PageContext, callId: string, extra: Partial<Parameters<typeof callPage>[1]> = {}): Promise<string> => {
    const status = await services.bounded('command', () => services.calls.status(callId));
    const view = callViewFor(context.actor, status);
    const everything = !checkAccess('audit.read', context.actor);
    const openRound = status.rounds.some((r) => !r.closedAt);
    const reviewProgress = everything && openRound ? await reviewsIn(callId, Object.entries(status.assignments)) : [];
    return callPage(context, { view, operations: checkAccess('call.operate', context.actor) ? [] : bulkForms, mayRoster: !checkAccess('call.roster', context.actor), reviewProgress, ...extra });
  };
  const reviewsIn = async (callId: string, assignments: [string, string[]][]): Promise<{ applicationId: string; assigned: number; recorded: number }[]> => {
    const rows: { applicationId: string; assigned: number; recorded: number }[] = [];
    const queue = [...assignments];
    const workers = Array.from({ length: 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [applicationId, reviewers] = next;
        const view = await services.bounded('command', () => services.projects.view(projectWorkflowId(callId, applicationId))).catch(() => null);
        rows.push({ applicationId, assigned: reviewers.length, recorded: view?.context.reviews.length ?? 0 });
      }
    });
    await Promise.all(workers);
    return rows.sort((a, b) => (a.applicationId < b.applicationId ? -1 : 1));
  };
  app.get('/web/calls/:callId', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, request.params);
    return send(reply, await renderCall(context, callId, (request.query as { roster?: string }).roster === 'done' ? { rosterDone: true } : {}));
  });

  app.post('/web/calls/:callId/roster', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, request.params);
    const form = formOf(request);
    const value = { rosterId: firstValue(form.rosterId).trim(), letterReference: firstValue(form.letterReference).trim(), applicationIds: [form.applicationIds ?? []].flat() };
    const parsed = RosterBody.safeParse(value);
    if (!parsed.success) return send(reply, await renderCall(context, callId, { failed: { form: 'roster', value, errors: errorsFromIssues(parsed.error.issues) } }), 400);
    try {
      await services.bounded('bulk', () => services.calls.submitRoster(callId, context.actor, parsed.data));
      // Redirect after the roster is recorded, so a reload does not send it again.
      return reply.redirect(`/web/calls/${encodeURIComponent(callId)}?roster=done`, 303);
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500 || error.code === 'NOT_FOUND') throw error;
      return send(reply, await renderCall(context, callId, { failed: { form: 'roster', value, errors: new Map(), message: error.message } }), httpStatus[error.code]);
    }
  });

  // A bulk operation: the form, a confirmation, then the job's page while it runs and with its outcome.
  app.post('/web/calls/:callId/operations/:operation', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, { callId: (request.params as { callId: string }).callId });
    const name = (request.params as { operation: string }).operation;
    if (!Object.hasOwn(bulkOperations, name)) throw new AllianceError('NOT_FOUND', 'No such operation.');
    need('call.operate', context);
    const schema = bulkOperations[name as CallOperationName];
    const form = formOf(request);
    const value = readSchemaForm(schema, form);
    const parsed = schema.safeParse(value);
    if (!parsed.success) return send(reply, await renderCall(context, callId, { failed: { form: name, value, errors: errorsFromIssues(parsed.error.issues) } }), 400);
    const status = await services.bounded('command', () => services.calls.status(callId));
    if ((request.body as Form)._confirm !== 'yes') {
      const shown = Object.fromEntries(Object.entries(form).map(([k, v]): [string, string] => [k, [v].flat().join(', ')]).filter(([, v]) => v !== ''));
      const division = (parsed.data as { division?: string }).division;
      return send(reply, confirmPage(context, callId, name, shown, status.projects.filter((p) => !division || p.division === division).length));
    }
    const operation = name as CallOperationName;
    const nonce = randomBytes(9).toString('base64url');
    try {
      // The call accepts or refuses it now; it goes on in Temporal whatever happens to this request, and the job page follows it.
      await services.bounded('command', () => services.calls.startOperation(callId, operation, context.actor, parsed.data as never, operationIdOf(context.actor, operation, nonce)));
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500 || error.code === 'NOT_FOUND') throw error;
      return send(reply, jobPage(context, { id: nonce, callId, operation, status: 'failed', error: error.message }, null), httpStatus[error.code]);
    }
    return reply.redirect(`/web/calls/${encodeURIComponent(callId)}/jobs/${operation}/${nonce}`, 303);
  });
  app.get('/web/calls/:callId/jobs/:operation/:nonce', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, { callId: (request.params as { callId: string }).callId });
    const job = JobParams.safeParse(request.params);
    if (!job.success) throw new AllianceError('NOT_FOUND', 'No such operation.');
    const { operation, nonce } = job.data;
    const standing = await services.bounded('command', () => services.calls.operationStanding(callId, operationIdOf(context.actor, operation, nonce)));
    const progress = standing.status === 'running' ? await services.bounded('command', () => services.calls.progress(callId)).catch(() => null) : null;
    return send(reply, jobPage(context, { id: nonce, callId, operation, ...standing }, progress));
  });

  // A new application: the whole form, drawn from the schema the call validates with.
  const applicationForm = (context: PageContext, callId: string, value: unknown, errors: FieldErrors, message?: string): string => {
    const t = translator(context.lang);
    return formPage(context, `${t('newApplication')} — ${callId}`, `/web/calls/${encodeURIComponent(callId)}/apply`, renderSchemaFields(context.lang, NewApplication, value, errors), message, t('apply'));
  };
  app.get('/web/calls/:callId/apply', hidden, (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, request.params);
    return send(reply, applicationForm(context, callId, { pi: { id: context.actor.id } }, new Map()));
  });
  app.post('/web/calls/:callId/apply', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId } = params(CallParams, request.params);
    const value = readSchemaForm(NewApplication, formOf(request));
    const parsed = NewApplication.safeParse(value);
    if (!parsed.success) return send(reply, applicationForm(context, callId, value, errorsFromIssues(parsed.error.issues)), 400);
    try {
      await checkApplicantRecord(services, callId, context.actor, value);
      await services.bounded('command', () => services.calls.registerApplication(callId, context.actor, value as z.input<typeof NewApplication>));
      return reply.redirect(`/web/projects/${encodeURIComponent(callId)}/${encodeURIComponent(parsed.data.id)}`, 303);
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500 || error.code === 'NOT_FOUND') throw error;
      return send(reply, applicationForm(context, callId, value, errorsFromDetails(error.details), error.message), httpStatus[error.code]);
    }
  });

  // A project: what the viewer may see of it, and a form per command the law offers them now.
  const renderProject = async (context: PageContext, callId: string, applicationId: string, extra: Partial<ProjectPageData> = {}): Promise<string> => {
    const id = projectWorkflowId(callId, applicationId);
    const whole = await services.bounded('command', () => services.projects.view(id));
    const view = projectViewFor(context.actor, whole);
    if (!view) throw new AllianceError('NOT_FOUND', `${id} is not yours to see.`);
    const [log, offered, notices] = await Promise.all([
      services.bounded('command', () => services.projects.transitionLog(id)),
      services.bounded('command', () => services.projects.offered(id)),
      checkAccess('notices.read', context.actor) ? Promise.resolve(null) : services.bounded('command', () => services.notices.forProject(id)).catch(() => []),
    ]);
    const mine = mayReadProject(context.actor, whole.context) ? offered[context.actor.role] ?? [] : [];
    const pool = mine.includes('reviewer.assign') ? ((await services.bounded('command', () => services.calls.status(callId))).reviewerPool ?? []).map((r) => ({ id: r.id, name: r.name })) : undefined;
    return projectPage(context, { view, log: transitionLogFor(context.actor, whole, log) ?? [], offered: mine, notices, ...(pool ? { pool } : {}), ...extra });
  };
  app.get('/web/projects/:callId/:applicationId', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId, applicationId } = params(ProjectParams, request.params);
    const doneType = (request.query as { done?: string }).done;
    const done = projectEventTypes.includes(doneType as ProjectEventType) ? doneType as ProjectEventType : undefined;
    return send(reply, await renderProject(context, callId, applicationId, done ? { done } : {}));
  });
  app.post('/web/projects/:callId/:applicationId/commands/:type', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId, applicationId } = params(ProjectParams, { callId: (request.params as { callId: string }).callId, applicationId: (request.params as { applicationId: string }).applicationId });
    const type = (request.params as { type: string }).type as ProjectEventType;
    if (!projectEventTypes.includes(type)) throw new AllianceError('NOT_FOUND', 'No such command.');
    const form = formOf(request);
    const schema = incomingPayloads[type] as z.ZodType;
    const value = type === 'reviewer.assign' ? { reviewerId: firstValue(form.reviewerId) } : readSchemaForm(schema, form);
    const parsed = schema.safeParse(value);
    if (!parsed.success) return send(reply, await renderProject(context, callId, applicationId, { failed: { type, value, errors: errorsFromIssues(parsed.error.issues) } }), 400);
    try {
      await sendProjectCommand(services, callId, applicationId, type, context.actor, parsed.data as never);
      return reply.redirect(`/web/projects/${encodeURIComponent(callId)}/${encodeURIComponent(applicationId)}?done=${encodeURIComponent(type)}`, 303);
    } catch (error) {
      if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500 || error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') throw error;
      return send(reply, await renderProject(context, callId, applicationId, { failed: { type, value, errors: errorsFromDetails(error.details), message: error.message } }), httpStatus[error.code]);
    }
  });

  // Auditors (and the office): search, a trail, verification, export. Reading only.
  app.get('/web/audit', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('audit.read', context);
    // The API's search query, after dropping the form's empty fields.
    const asked = Object.fromEntries(Object.entries((request.query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
    const parsed = ProjectSearchQuery.safeParse(asked);
    if (!parsed.success) return send(reply, auditPage(context, {}, null, null, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')), 400);
    const results = Object.keys(parsed.data).length === 0 ? null : await services.bounded('command', () => services.audit().search(searchFilterOf(parsed.data)));
    return send(reply, auditPage(context, parsed.data, results, null));
  });
  app.post('/web/audit/verify', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('audit.read', context);
    const report = await services.bounded('bulk', () => services.audit().verify());
    return send(reply, auditPage(context, {}, null, { checked: report.checked, comparedWithTemporal: report.comparedWithTemporal, broken: report.broken as Record<string, unknown> | null }));
  });
  app.get('/web/audit/history/:workflowId', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('audit.read', context);
    const { workflowId } = params(AuditWorkflowParams, request.params);
    return send(reply, historyPage(context, workflowId, await services.audit().history(workflowId)));
  });
  app.get('/web/audit/export', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('audit.read', context);
    const asked = z.object({ format: z.enum(['csv', 'json']), call: Id.optional(), project: AuditWorkflowParams.shape.workflowId.optional() }).strict()
      .refine((v) => Boolean(v.call) !== Boolean(v.project), { message: 'give either call or project', path: ['call'] }).safeParse(request.query);
    if (!asked.success) throw new AllianceError('VALIDATION', `This export cannot be made: ${asked.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}. Ask for format=csv or json with call=ID or project=project:CALL:APPLICATION.`);
    const q = asked.data;
    const text = await services.audit().export(q.format, q.project ? { workflowId: q.project } : { callId: q.call! });
    const name = `${(q.project ?? callWorkflowId(q.call!)).replace(/[^A-Za-z0-9-]/g, '_')}.${q.format}`;
    return reply.type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(text);
  });
  done();
};

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

/** The law's refusal details, `path: message` each, as messages at their fields. */
function errorsFromDetails(details: readonly string[]): FieldErrors {
  const errors: FieldErrors = new Map();
  for (const detail of details) {
    const match = /^([A-Za-z0-9_.]+): (.*)$/.exec(detail);
    const key = match && !/^[A-Z_]+$/.test(match[1]!) ? match[1]! : '';
    errors.set(key, [...(errors.get(key) ?? []), match && key ? match[2]! : detail]);
  }
  return errors;
}
