import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodApp } from './zod-app';
import {
  PageQuery,
  AlertsResponse,
  AuditHistoryQuery,
  CheckpointResponse,
  ProofBundleResponse,
  ProofsBody,
  AuditSearchQuery,
  AuditWorkflowParams,
  ExportQuery,
  LedgerEntriesResponse,
  NoticeResponse,
  ProjectRecordResponse,
  QuarantineQuery,
  QuarantineResponse,
  RawHistoryResponse,
  VerifyBody,
  VerifyResponse,
} from '../../domain/api';
import type { Services } from '../services/services';
import { searchFilterOf } from '../services/search';
import { z } from 'zod';

import { byStart, byWorkflowId, paddedKey, sendPage } from '../services/pages';
const tags = ['audit'];

/** The trail, the search, verification and proofs. */
function auditTrailRoutes(app: ZodApp, services: Services): void {
  app.get(
    '/audit/history/:workflowId',
    {
      config: { access: 'audit.read' },
      schema: {
        operationId: 'getAuditTrail',
        summary: 'The domain trail of a project or call from the ledger (office, auditors)',
        tags,
        params: AuditWorkflowParams,
        querystring: AuditHistoryQuery,
        response: { 200: z.union([LedgerEntriesResponse, RawHistoryResponse]) },
      },
    },
    async (request, reply) => {
      const audit = services.audit();
      if (request.query.raw === 'true')
        return services.bounded('command', () => audit.rawHistory(request.params.workflowId, { decode: request.query.decode !== 'false' }));
      return sendPage(request, reply, await audit.history(request.params.workflowId), { key: (entry) => paddedKey(entry.seq) });
    },
  );

  app.get(
    '/audit/search',
    {
      config: { access: 'audit.read' },
      schema: {
        operationId: 'searchAudit',
        summary: 'Projects by call, division, region, institution, state, overdue, date range (office, auditors)',
        tags,
        querystring: AuditSearchQuery,
        response: { 200: ProjectRecordResponse },
      },
    },
    async (request, reply) => {
      return sendPage(request, reply, await services.bounded('command', () => services.audit().search(searchFilterOf(request.query))), byWorkflowId);
    },
  );

  app.post(
    '/audit/verify',
    {
      config: { access: 'audit.read' },
      schema: {
        operationId: 'verifyAudit',
        summary:
          'Recompute the hash chains, payloads, archive and Merkle tree, check them against a checkpoint you trust (since) and the last published one, and compare the ledger with Temporal both ways (office, auditors)',
        tags,
        body: VerifyBody,
        response: { 200: VerifyResponse },
      },
    },
    (request) => {
      return services.bounded('bulk', () => services.audit().verify(request.body.workflowId, request.body.since));
    },
  );

  app.post(
    '/audit/proofs',
    {
      config: { access: 'audit.read' },
      schema: {
        operationId: 'proveInclusion',
        summary:
          'Inclusion proofs of entries or of a whole project (entries and archived runs) in the tree of the last published checkpoint, with since: the consistency proof from yours; entries appended after it are not provable yet (409); tools/ledger-verifier checks them (office, auditors)',
        tags,
        body: ProofsBody,
        response: { 200: ProofBundleResponse },
      },
    },
    (request) => {
      const { entries, workflowId, since } = request.body;
      return services.audit().proofs({ ...(entries ? { seqs: entries } : {}), ...(workflowId ? { workflowId } : {}), ...(since ? { since } : {}) });
    },
  );
}

/** Checkpoints, export, quarantine, alerts and undelivered notices. */
function auditKeptRoutes(app: ZodApp, services: Services): void {
  app.get(
    '/audit/checkpoint',
    {
      config: { access: 'audit.read' },
      schema: {
        operationId: 'getCheckpoint',
        summary:
          'The last checkpoint the writer published (the API signs nothing), with the key to check it and how many leaves were appended since (office, auditors)',
        tags,
        response: { 200: CheckpointResponse },
      },
    },
    () => services.audit().checkpoint(),
  );

  app.get(
    '/audit/export',
    {
      config: { access: 'audit.read' },
      schema: {
        operationId: 'exportLedger',
        summary: 'Ledger entries of a call or a project, as CSV or JSON (office, auditors)',
        tags,
        querystring: ExportQuery,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const text = await services.audit().export(q.format, 'project' in q ? { workflowId: q.project } : { callId: q.call });
      void reply.type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8').send(text);
    },
  );

  app.get(
    '/audit/quarantine',
    {
      config: { access: 'audit.read' },
      schema: {
        operationId: 'listQuarantined',
        summary: 'Transitions the ledger set aside because their key held other content (a Temporal reset), with why (office, auditors)',
        tags,
        querystring: QuarantineQuery,
        response: { 200: QuarantineResponse },
      },
    },
    async (request, reply) => {
      const quarantined = await services.audit().quarantined(request.query.workflowId);
      return sendPage(request, reply, quarantined, { key: (q) => `${q.at}\t${q.workflowId}\t${paddedKey(q.entrySeq)}` });
    },
  );

  app.get(
    '/alerts',
    {
      config: { access: 'alerts.read' },
      schema: {
        operationId: 'listAlerts',
        summary: "The office's alerts: held-up mail, quarantined or missing ledger entries; kept even when mail is down (office, auditors)",
        tags: ['notices'],
        querystring: PageQuery,
        response: { 200: AlertsResponse },
      },
    },
    async (request, reply) => sendPage(request, reply, await services.audit().alerts(), { key: (alert) => `${alert.at}\t${alert.key}` }),
  );

  app.get(
    '/notices/undelivered',
    {
      config: { access: 'notices.read' },
      schema: {
        operationId: 'listUndeliveredNotices',
        summary: 'Notices not yet delivered to every recipient, with attempts and last error (office, auditors)',
        tags: ['notices'],
        querystring: PageQuery,
        response: { 200: NoticeResponse },
      },
    },
    async (request, reply) => sendPage(request, reply, await services.bounded('command', () => services.notices.undelivered()), byStart),
  );
}

/** `/api/audit` and `/api/notices`: the ledger, the archive and the notice log, read-only, from any machine. */
export const auditRoutes =
  (services: Services): FastifyPluginCallback =>
  (plain, _options, done) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    auditTrailRoutes(app, services);
    auditKeptRoutes(app, services);
    done();
  };
