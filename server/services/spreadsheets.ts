// Spreadsheets in and out of the office's pages: a sheet written as .xlsx (exceljs) or as .csv with
// a byte-order mark (Excel on zh-TW Windows reads UTF-8 only with one), and a reviewer pool read
// from either.
import type { FastifyReply } from 'fastify';
import ExcelJS from 'exceljs';
import { formatOf } from '../../domain/documents';
import { AllianceError } from '../../domain/errors';
import { callSheet, type Sheet, type SheetKind } from '../../machines/call-sheets';
import { projectWorkflowId } from '../../domain/ids';
import type { ProjectView } from '../../machines/views';
import type { Services } from './services';
import type { Lang } from '../web/i18n';

const BOM = '\uFEFF';

/** A text cell a spreadsheet would run as a formula (=, +, -, @) is kept as text with a leading apostrophe. */
const inert = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
const quoted = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export function sheetCsv(sheet: Sheet, lang: Lang): Buffer {
  const header = sheet.columns.map((c) => quoted(lang === 'zh-TW' ? c.zh : c.en));
  const lines = sheet.rows.map((row) => row.map((cell) => (cell === null ? '' : typeof cell === 'number' ? String(cell) : quoted(inert(cell)))).join(','));
  return Buffer.from(`${BOM}${[header.join(','), ...lines].join('\r\n')}\r\n`, 'utf8');
}

export async function sheetXlsx(sheet: Sheet, lang: Lang): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Industry–Academia Technology Alliance programme';
  const worksheet = workbook.addWorksheet(sheet.kind, { views: [{ state: 'frozen', ySplit: 1 }] });
  worksheet.columns = sheet.columns.map((c) => ({
    header: lang === 'zh-TW' ? c.zh : c.en,
    width: Math.max(12, (lang === 'zh-TW' ? c.zh.length * 2 : c.en.length) + 4),
  }));
  worksheet.getRow(1).font = { bold: true };
  // ExcelJS writes a string as a text cell, never run as a formula: kept as it is.
  for (const row of sheet.rows) worksheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The text of a cell as a person typed it: numbers as written, rich text joined, formulas by their result. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    if ('result' in value) return typeof value.result === 'object' ? '' : String(value.result ?? '');
    if (value instanceof Date) return value.toISOString();
    return '';
  }
  return String(value);
}

/** RFC 4180 rows: quoted fields with doubled quotes and line breaks, a byte-order mark ignored. */
export function csvRows(text: string): string[][] {
  const source = text.startsWith(BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (inQuotes) {
      if (ch !== '"') field += ch;
      else if (source[i + 1] === '"') {
        field += '"';
        i++;
      } else inQuotes = false;
    } else if (ch === '"' && field === '') inQuotes = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

/** The rows of an uploaded spreadsheet: an .xlsx (its first sheet), told by its bytes, or else UTF-8 CSV. */
export async function spreadsheetRows(bytes: Buffer): Promise<string[][]> {
  if (formatOf(bytes) === 'xlsx') {
    const workbook = new ExcelJS.Workbook();
    try {
      await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    } catch (error) {
      throw new AllianceError('VALIDATION', `The spreadsheet does not open as .xlsx: ${(error as Error).message}.`);
    }
    const sheet = workbook.worksheets[0];
    if (!sheet) return [];
    const rows: string[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row, number) => {
      rows[number - 1] = Array.from({ length: Math.max(0, row.cellCount) }, (_, i) => cellText(row.getCell(i + 1).value));
    });
    return Array.from(rows, (row) => row ?? []);
  }
  try {
    return csvRows(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new AllianceError('VALIDATION', 'The spreadsheet is neither an .xlsx file nor a CSV in UTF-8: save it as either and send it again.');
  }
}

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

/** A sheet file as a download, never cached: the same headers from the pages and the API. */
export const sendSheet = (reply: FastifyReply, made: { body: Buffer; type: string; fileName: string }): FastifyReply =>
  reply.type(made.type).header('content-disposition', `attachment; filename="${made.fileName}"`).header('cache-control', 'private, no-store').send(made.body);

/** One of a call's spreadsheets as a file, for the pages and the API alike: its bytes, media type and name. */
export async function callSheetFile(
  services: Services,
  callId: string,
  kind: SheetKind,
  format: 'xlsx' | 'csv',
  lang: Lang,
): Promise<{ body: Buffer; type: string; fileName: string }> {
  const sheet = callSheet(kind, await callProjectViews(services, callId));
  return {
    body: format === 'xlsx' ? await sheetXlsx(sheet, lang) : sheetCsv(sheet, lang),
    type: format === 'xlsx' ? XLSX : 'text/csv; charset=utf-8',
    fileName: `${callId}-${kind}.${format}`,
  };
}
