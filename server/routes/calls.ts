import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodApp } from './zod-app';
import { z } from 'zod';
import {
  PageQuery,
  BulkProgressResponse,
  CallParams,
  CallSheetParams,
  CallSummary,
  CallViewResponse,
  EmptyBody,
  InviteBody,
  OpenCallBody,
  OperationRecordResponse,
  AmendDeadlineBody,
  ExhibitionResponse,
  RankingResponse,
  RegisterApplicationBody,
  ReviewRoundResponse,
  RosterBody,
  ScheduleBody,
  ScopeBody,
} from '../../domain/api';
import { addressedByTheDoor, checkApplicantRecord } from '../services/applicant-record';
import { callViewFor } from '../../machines/views';
import type { Services } from '../services/services';
import { listCalls } from '../services/calls';
import { sendPage } from '../services/pages';
import { idempotentUpdateId } from '../services/idempotency';
import { callSheetFile, sendSheet } from '../services/spreadsheets';
import type { SheetKind } from '../../machines/call-sheets';
import { problemLanguage } from '../problems';

const tags = ['calls'];

/** A call's spreadsheets, for the office and auditors: the pages' exports through the API. */
function callSheetRoutes(app: ZodApp, services: Services): void {
  app.get(
    '/calls/:callId/sheets/:file',
    {
      config: { access: 'call.sheets' },
      schema: {
        operationId: 'getCallSheet',
        summary: "One of the call's spreadsheets, as .xlsx or as .csv with a byte-order mark (office, auditors)",
        description:
          'applications, ranking, decisions, payments or overdue, each drawn from the projects as the office reads them; headings in Traditional Chinese when Accept-Language ranks zh first, English otherwise; a cell that would run as a formula is kept as text.',
        tags,
        params: CallSheetParams,
      },
    },
    async (request, reply) => {
      const [kind, format] = request.params.file.split('.') as [SheetKind, 'xlsx' | 'csv'];
      const lang = problemLanguage(request.headers['accept-language']);
      reply.header('content-language', lang).header('vary', 'Accept-Language');
      return sendSheet(reply, await callSheetFile(services, request.params.callId, kind, format, lang));
    },
  );
}

/** Calls, their standing, and what PIs and institutions send to them. */
function callRecordRoutes(app: ZodApp, services: Services): void {
  const { calls } = services;
  app.get(
    '/calls',
    {
      config: { access: 'signedIn' },
      schema: { operationId: 'listCalls', summary: 'Every call, newest first', tags, querystring: PageQuery, response: { 200: z.array(CallSummary) } },
    },
    async (request, reply) =>
      sendPage(request, reply, await services.bounded('command', () => listCalls(services)), { key: (c) => `${c.startedAt}\t${c.callId}`, descending: true }),
  );

  app.post(
    '/calls',
    {
      config: { access: 'call.open' },
      schema: {
        operationId: 'openCall',
        summary: 'Open a call from its calendar, policy, reviewer pool and registry of institutions (office)',
        tags,
        body: OpenCallBody,
        response: { 201: z.object({ callId: z.string() }) },
      },
    },
    async (request, reply) => {
      const callId = await services.bounded('command', () => calls.open(request.body.call, request.body.reviewerPool, request.body.institutions));
      return reply.code(201).send({ callId });
    },
  );

  app.get(
    '/calls/:callId',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'getCall',
        summary: 'Where a call stands, as much as your role may see',
        tags,
        params: CallParams,
        response: { 200: CallViewResponse },
      },
    },
    async (request) => callViewFor(request.actor, await services.bounded('command', () => calls.status(request.params.callId))),
  );

  app.get(
    '/calls/:callId/progress',
    {
      config: { access: 'call.progress' },
      schema: {
        operationId: 'getCallProgress',
        summary: 'How far the bulk operation running on the call is',
        tags,
        params: CallParams,
        response: { 200: BulkProgressResponse },
      },
    },
    (request) => services.bounded('command', () => calls.progress(request.params.callId)),
  );

  app.post(
    '/calls/:callId/applications',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'registerApplication',
        summary: 'Register a draft application (its PI)',
        tags,
        params: CallParams,
        body: RegisterApplicationBody,
        response: { 201: z.object({ projectId: z.string() }) },
      },
    },
    async (request, reply) => {
      const application = addressedByTheDoor(request.actor, request.body.application);
      await checkApplicantRecord(services, request.params.callId, request.actor, application);
      const projectId = await services.bounded('command', () =>
        calls.idempotent(idempotentUpdateId(request)).registerApplication(request.params.callId, request.actor, application),
      );
      return reply.code(201).send({ projectId });
    },
  );

  app.post(
    '/calls/:callId/rosters',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'submitRoster',
        summary: "Endorse the institution's applicants in one roster (institution)",
        tags,
        params: CallParams,
        body: RosterBody,
        response: { 200: OperationRecordResponse },
      },
    },
    (request) => services.bounded('bulk', () => calls.idempotent(idempotentUpdateId(request)).submitRoster(request.params.callId, request.actor, request.body)),
  );
}

/** The office's review operations on a whole call: the written review and the presentations. */
function callOperationRoutes(app: ZodApp, services: Services): void {
  const { calls } = services;
  app.post(
    '/calls/:callId/written-review',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'startWrittenReview',
        summary: 'Start the written review for the call or one division and assign reviewers (office)',
        tags,
        params: CallParams,
        body: ScopeBody,
        response: { 200: OperationRecordResponse },
      },
    },
    (request) =>
      services.bounded('bulk', () =>
        calls.idempotent(idempotentUpdateId(request)).startWrittenReview(request.params.callId, request.actor, request.body.division),
      ),
  );

  app.post(
    '/calls/:callId/written-review/close',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'closeWrittenReview',
        summary: 'Close the written review now; lists missing reviews (office)',
        tags,
        params: CallParams,
        body: ScopeBody,
        response: { 200: ReviewRoundResponse },
      },
    },
    (request) =>
      services.bounded('bulk', () =>
        calls.idempotent(idempotentUpdateId(request)).closeWrittenReview(request.params.callId, request.actor, request.body.division),
      ),
  );

  app.post(
    '/calls/:callId/presentations/invitations',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'invitePresentations',
        summary: 'Invite the top N of each division, or these applications (office)',
        tags,
        params: CallParams,
        body: InviteBody,
        response: { 200: OperationRecordResponse },
      },
    },
    (request) =>
      services.bounded('bulk', () => calls.idempotent(idempotentUpdateId(request)).invitePresentations(request.params.callId, request.actor, request.body)),
  );

  app.post(
    '/calls/:callId/presentations/schedule',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'schedulePresentations',
        summary: 'Give every invited application a slot, division by division (office)',
        tags,
        params: CallParams,
        body: ScheduleBody,
        response: { 200: OperationRecordResponse },
      },
    },
    (request) =>
      services.bounded('bulk', () =>
        calls
          .idempotent(idempotentUpdateId(request))
          .schedulePresentations(request.params.callId, request.actor, new Date(request.body.startsAt).toISOString()),
      ),
  );
}

/** The office's decision meeting, announcement, moved deadlines, exhibition and close. */
function callDecisionRoutes(app: ZodApp, services: Services): void {
  const { calls } = services;
  app.post(
    '/calls/:callId/decision-meeting',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'openDecisionMeeting',
        summary: 'Open the decision meeting: the ranked list per division (office)',
        tags,
        params: CallParams,
        body: EmptyBody,
        response: { 200: RankingResponse },
      },
    },
    (request) => services.bounded('bulk', () => calls.idempotent(idempotentUpdateId(request)).startDecisionMeeting(request.params.callId, request.actor)),
  );

  app.post(
    '/calls/:callId/announcement',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'announceDecisions',
        summary: 'Announce every decision of the call at once (office)',
        tags,
        params: CallParams,
        body: EmptyBody,
        response: { 200: OperationRecordResponse },
      },
    },
    (request) => services.bounded('bulk', () => calls.idempotent(idempotentUpdateId(request)).announce(request.params.callId, request.actor)),
  );

  app.post(
    '/calls/:callId/deadlines',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'amendCallDeadlines',
        summary: "Move the call's application or endorsement deadline for every project, with the reason (office)",
        tags,
        params: CallParams,
        body: AmendDeadlineBody,
        response: { 200: OperationRecordResponse },
      },
    },
    (request) =>
      services.bounded('bulk', () => calls.idempotent(idempotentUpdateId(request)).amendDeadline(request.params.callId, request.actor, request.body)),
  );

  app.post(
    '/calls/:callId/exhibition',
    {
      config: { access: 'call.operate' },
      schema: {
        operationId: 'selectExhibition',
        summary: "Select the call's alliances for the results exhibition on their accepted results, once (office)",
        tags,
        params: CallParams,
        body: EmptyBody,
        response: { 200: ExhibitionResponse },
      },
    },
    (request) => services.bounded('bulk', () => calls.selectExhibition(request.params.callId, request.actor)),
  );

  app.post(
    '/calls/:callId/close',
    {
      config: { access: 'signedIn' },
      schema: {
        operationId: 'closeCall',
        summary: 'Close an announced call; its projects go on (office)',
        tags,
        params: CallParams,
        body: EmptyBody,
        response: { 200: z.object({ state: z.string() }) },
      },
    },
    async (request) => ({
      state: await services.bounded('command', () => calls.idempotent(idempotentUpdateId(request)).close(request.params.callId, request.actor)),
    }),
  );
}

/** `/api/calls`: open a call, follow it, and the office's and institutions' operations on a whole call. */
export const callRoutes =
  (services: Services): FastifyPluginCallback =>
  (plain, _options, done) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    callRecordRoutes(app, services);
    callSheetRoutes(app, services);
    callOperationRoutes(app, services);
    callDecisionRoutes(app, services);
    done();
  };
