import ExcelJS from 'exceljs';
import { poolFromRows } from '../../domain/pool-sheet';
import { callSheet } from '../../machines/call-sheets';
import type { ProjectView } from '../../machines/views';
import { csvRows, sheetCsv, sheetXlsx, spreadsheetRows } from '../../server/services/spreadsheets';
import { anApplication } from '../fixtures/applications';
import { projectInput } from '../fixtures/project-input';

const header = ['id', 'name', 'email', 'institutionId', 'divisions', 'conflictApplications', 'conflictInstitutions'];
const good = ['rev-te2-01', '王大明', 'wang@nthu.edu.tw', 'NTHU', 'TE2, TE3', 'TE2-0009', 'NTU；NCKU'];

describe('a reviewer pool from a spreadsheet', () => {
  it('takes every row, lists split by commas, 、 or semicolons, headings in either language', () => {
    const read = poolFromRows([
      ['編號', '姓名', '電子郵件', '機構代碼', '學門', '利益衝突申請案', '利益衝突機構'],
      good,
      [],
      ['rev-te2-02', '李', 'li@nchu.edu.tw', 'NCHU', 'TE2', '', ''],
    ]);
    expect(read).toEqual({
      ok: true,
      pool: [
        expect.objectContaining({ id: 'rev-te2-01', divisions: ['TE2', 'TE3'], conflicts: { applicationIds: ['TE2-0009'], institutionIds: ['NTU', 'NCKU'] } }),
        expect.objectContaining({ id: 'rev-te2-02', conflicts: { applicationIds: [], institutionIds: [] } }),
      ],
    });
  });

  it('names every bad row by its number and takes nothing', () => {
    const read = poolFromRows([header, good, ['rev-2', 'x', 'no-address', 'NCHU', 'TE2'], ['rev-3', 'y', 'y@example.tw', 'NCHU', 'XX9'], good]);
    expect(read.ok).toBe(false);
    const problems = read.ok ? [] : read.problems;
    expect(problems[0]).toMatch(/^row 3, 電子郵件 \(email\)/);
    expect(problems[1]).toMatch(/^row 4, 學門 \(divisions\): .*one of TE1/);
    expect(poolFromRows([header, good, good])).toEqual({ ok: false, problems: [expect.stringMatching(/^row 3: reviewer id rev-te2-01 appears twice/)] });
    expect(poolFromRows([['id', 'name'], good])).toEqual({ ok: false, problems: [expect.stringContaining('row 1 (the header) lacks 電子郵件 (email)')] });
    expect(poolFromRows([header])).toEqual({ ok: false, problems: ['the spreadsheet has no reviewer under its header row'] });
  });

  it('reads CSV as RFC 4180 (quotes, doubled quotes, line breaks, a byte-order mark) and .xlsx by its bytes', async () => {
    expect(csvRows('\uFEFFa,"b,c","say ""hi""\r\nthere"\r\n1,,3\n')).toEqual([
      ['a', 'b,c', 'say "hi"\r\nthere'],
      ['1', '', '3'],
    ]);
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('pool').addRows([header, good]);
    expect(await spreadsheetRows(Buffer.from(await workbook.xlsx.writeBuffer()))).toEqual([header, good]);
    await expect(spreadsheetRows(Buffer.from([0xff, 0xfe, 0x00]))).rejects.toThrow(/neither an .xlsx file nor a CSV in UTF-8/);
  });
});

describe("a call's sheets", () => {
  const view = (id: string, extra: Partial<ProjectView['context']> = {}, overdue = false): ProjectView => {
    const input = projectInput({ application: anApplication({ id, title: id === 'TE2-0002' ? '=HYPERLINK("x")' : `計畫 ${id}` }) });
    return {
      workflowId: `project:c:${id}`,
      lifecycle: 'execution',
      states: [],
      done: false,
      overdue,
      projectYear: 2,
      deadlines: [],
      context: {
        ...(input as unknown as ProjectView['context']),
        reviews: [],
        presentation: null,
        decision: null,
        disbursements: [],
        reportYear: 1,
        closingPastDue: false,
        ...extra,
      },
    };
  };
  const paid = {
    by: { role: 'office' as const, id: 'kao' },
    at: '2017-03-01T02:00:00.000Z',
    year: 1,
    tranche: 1 as const,
    amountNtd: 900_000,
    requestedBy: { role: 'institution' as const, id: 'NTU' },
    requestedAt: '2017-02-01T00:00:00.000Z',
    paymentReference: 'PAY-1',
  };

  it('writes payments and overdue reports from the views; the CSV starts with a byte-order mark and keeps a formula inert', async () => {
    const views = [view('TE2-0002', {}, true), view('TE2-0001', { disbursements: [paid] })];
    expect(callSheet('payments', views).rows).toEqual([['TE2-0001', '計畫 TE2-0001', 1, 1, 900_000, 'PAY-1', '106.03.01 10:00 (2017-03-01)']]);
    expect(callSheet('overdue', views).rows.map((r) => r[0])).toEqual(['TE2-0002']);
    const csv = sheetCsv(callSheet('applications', views), 'zh-TW');
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = csvRows(csv.toString('utf8'));
    expect(rows[0]![0]).toBe('申請案編號');
    expect(rows[2]![1]).toBe(`'=HYPERLINK("x")`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await sheetXlsx(callSheet('payments', views), 'en')) as unknown as ArrayBuffer);
    expect(workbook.worksheets[0]!.getRow(1).getCell(5).value).toBe('Amount (NT$)');
    expect(workbook.worksheets[0]!.getRow(2).getCell(5).value).toBe(900_000);
  });
});
