// A call's spreadsheets for the office and auditors: applications, ranking, decisions, payments and
// overdue reports, each as .xlsx or .csv (with a byte-order mark), drawn from the projects' views.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Id } from '../../../domain/api';
import { projectWorkflowId } from '../../../domain/ids';
import { callSheet, sheetKinds } from '../../../machines/call-sheets';
import type { ProjectView } from '../../../machines/views';
import type { Services } from '../../services/services';
import { sheetCsv, sheetXlsx } from '../../services/spreadsheets';
import { hidden, type PageKit } from './kit';

const SheetPath = z.object({ callId: Id, file: z.string().regex(new RegExp(`^(${sheetKinds.join('|')})\\.(xlsx|csv)$`)) });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Views read this many at a time, as the call's bulk operations send. */
const LANES = 8;

/** Every project of the call, as the office reads it. */
export async function callProjectViews(services: Services, callId: string): Promise<ProjectView[]> {
  const { projects } = await services.bounded('command', () => services.calls.status(callId));
  const views: ProjectView[] = [];
  for (let i = 0; i < projects.length; i += LANES) {
    const lane = projects.slice(i, i + LANES);
    views.push(...(await Promise.all(lane.map((p) => services.bounded('command', () => services.projects.view(projectWorkflowId(callId, p.applicationId)))))));
  }
  return views;
}

export function callSheetPages(app: FastifyInstance, kit: PageKit): void {
  const { services, contextOf, need, params } = kit;
  app.get('/web/calls/:callId/sheets/:file', hidden, async (request, reply) => {
    const context = contextOf(request);
    need('call.sheets', context);
    const { callId, file } = params(SheetPath, request.params);
    const [kind, format] = file.split('.') as [(typeof sheetKinds)[number], 'xlsx' | 'csv'];
    const sheet = callSheet(kind, await callProjectViews(services, callId));
    const body = format === 'xlsx' ? await sheetXlsx(sheet, context.lang) : sheetCsv(sheet, context.lang);
    return reply
      .type(format === 'xlsx' ? XLSX : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${callId}-${kind}.${format}"`)
      .header('cache-control', 'private, no-store')
      .send(body);
  });
}
