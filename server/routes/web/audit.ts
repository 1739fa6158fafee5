// Auditors (and the office): search, a trail, verification, export. Reading only.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuditWorkflowParams, Id, ProjectSearchQuery } from '../../../domain/api';
import { AllianceError } from '../../../domain/errors';
import { callWorkflowId } from '../../../domain/ids';
import { searchFilterOf } from '../../services/search';
import { auditPage, historyPage } from '../../web/pages/audit';
import { hidden, type PageKit } from './kit';

const ExportAsked = z
  .object({ format: z.enum(['csv', 'json']), call: Id.optional(), project: AuditWorkflowParams.shape.workflowId.optional() })
  .strict()
  .refine((v) => Boolean(v.call) !== Boolean(v.project), { message: 'give either call or project', path: ['call'] });

export function auditPages(app: FastifyInstance, kit: PageKit): void {
  const { services, contextOf, send, need, params } = kit;
  app.get('/web/audit', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('audit.read', context);
    // The API's search query, after dropping the form's empty fields.
    const asked = Object.fromEntries(Object.entries((request.query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
    const parsed = ProjectSearchQuery.safeParse(asked);
    if (!parsed.success)
      return send(reply, auditPage(context, {}, null, null, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')), 400);
    const results =
      Object.keys(parsed.data).length === 0 ? null : await services.bounded('command', () => services.audit().search(searchFilterOf(parsed.data)));
    return send(reply, auditPage(context, parsed.data, results, null));
  });
  app.post('/web/audit/verify', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('audit.read', context);
    const report = await services.bounded('bulk', () => services.audit().verify());
    return send(
      reply,
      auditPage(context, {}, null, {
        checked: report.checked,
        comparedWithTemporal: report.comparedWithTemporal,
        broken: report.broken as Record<string, unknown> | null,
      }),
    );
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
    const asked = ExportAsked.safeParse(request.query);
    if (!asked.success)
      throw new AllianceError(
        'VALIDATION',
        `This export cannot be made: ${asked.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}. Ask for format=csv or json with call=ID or project=project:CALL:APPLICATION.`,
      );
    const q = asked.data;
    const text = await services.audit().export(q.format, q.project ? { workflowId: q.project } : { callId: q.call! });
    const name = `${(q.project ?? callWorkflowId(q.call!)).replace(/[^A-Za-z0-9-]/g, '_')}.${q.format}`;
    return reply
      .type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(text);
  });
}
