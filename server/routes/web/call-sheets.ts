// A call's spreadsheets for the office and auditors: applications, ranking, decisions, payments and
// overdue reports, each as .xlsx or .csv (with a byte-order mark), drawn from the projects' views.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Id } from '../../../domain/api';
import { sheetKinds } from '../../../machines/call-sheets';
import { callSheetFile, sendSheet } from '../../services/spreadsheets';
import { hidden, type PageKit } from './kit';

const SheetPath = z.object({ callId: Id, file: z.string().regex(new RegExp(`^(${sheetKinds.join('|')})\\.(xlsx|csv)$`)) });

export function callSheetPages(app: FastifyInstance, kit: PageKit): void {
  const { services, contextOf, need, params } = kit;
  app.get('/web/calls/:callId/sheets/:file', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('call.sheets', context);
    const { callId, file } = params(SheetPath, request.params);
    const [kind, format] = file.split('.') as [(typeof sheetKinds)[number], 'xlsx' | 'csv'];
    return sendSheet(reply, await callSheetFile(services, callId, kind, format, context.lang));
  });
}
