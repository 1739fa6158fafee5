// The office's spreadsheets in the pages' walk: the reviewer pool imported from a spreadsheet (a bad
// row named by its number and nothing opened, then a good .xlsx), and the call's exports read back
// by real parsers.
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import type { Call } from '../../domain/call';
import type { Reviewer } from '../../domain/reviewers';
import { csvRows } from '../../server/services/spreadsheets';
import { accessible, text } from './page-steps';

const header = ['編號', '姓名', '電子郵件', '機構代碼', '學門', '利益衝突申請案', '利益衝突機構'];
const rowOf = (r: Reviewer): string[] => [r.id, r.name, r.email, r.institutionId, r.divisions.join('、'), '', ''];

async function xlsxOf(rows: string[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('審查委員');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Opens the call from the form: the pool first as a CSV with one bad row (refused, the row named, no call), then as an .xlsx. */
export async function openCallFromSpreadsheet(page: Page, apiUrl: string, call: Call, pool: Reviewer[]): Promise<void> {
  // A call of its own policy (the walk's is compressed to minutes) comes as a call file.
  await page.click('details summary');
  await page.fill('#f-call', JSON.stringify(call, null, 2));
  const bad = [header, ...pool.map(rowOf), ['rev-te2-99', '錯誤列', 'not-an-address', 'NTU', 'TE2', '', '']];
  const csv = `\uFEFF${bad.map((r) => r.join(',')).join('\r\n')}\r\n`;
  await page.setInputFiles('#f-poolSpreadsheet', { name: '審查委員.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const refused = page.waitForResponse((r) => r.url().endsWith('/web/calls') && r.request().method() === 'POST');
  await page.click('main button[type=submit]');
  expect((await refused).status()).toBe(400);
  expect(await text(page, '#f-poolSpreadsheet-errors')).toMatch(new RegExp(`^第 ${pool.length + 2} 列「電子郵件」：無效的 郵件地址`));
  await accessible(page);
  expect((await page.request.get(`${apiUrl}/web/calls/${call.id}`)).status()).toBe(404);
  await page.setInputFiles('#f-poolSpreadsheet', {
    name: '審查委員.xlsx',
    mimeType: 'application/octet-stream',
    buffer: await xlsxOf([header, ...pool.map(rowOf)]),
  });
  await page.click('main button[type=submit]');
  await page.waitForURL(`${apiUrl}/web/calls/${call.id}`);
}

/** The call's exports: the decisions as .xlsx read back by exceljs, the ranking as .csv with its byte-order mark. */
export async function exportsReadBack(page: Page, apiUrl: string, callId: string): Promise<void> {
  await page.goto(`${apiUrl}/web/calls/${callId}`);
  await accessible(page);
  const xlsx = await page.request.get(new URL((await page.locator('#sheets a[href$="/decisions.xlsx"]').getAttribute('href'))!, apiUrl).href);
  expect(xlsx.status()).toBe(200);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await xlsx.body()) as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  expect(sheet.getRow(1).getCell(1).value).toBe('申請案編號');
  const rows = sheet.getSheetValues().filter(Boolean) as unknown as unknown[][];
  expect(rows.find((r) => r[1] === 'TE2-0001')?.slice(1, 6)).toEqual([
    'TE2-0001',
    expect.any(String),
    '核定 approved',
    'NT$2,000,000 / NT$2,000,000 / NT$1,800,000',
    5_800_000,
  ]);
  const csv = await page.request.get(`${apiUrl}/web/calls/${callId}/sheets/ranking.csv`);
  const bytes = await csv.body();
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const ranking = csvRows(bytes.toString('utf8'));
  expect(ranking[0]).toEqual(['學門', '名次', '申請案編號', '計畫名稱', '書面審查平均', '簡報評分']);
  expect(ranking.find((r) => r[2] === 'TE2-0001')?.[1]).toMatch(/^\d+$/);
}

/**
 * Opens a call from the form alone: its dates in ROC (the template's, moved eleven years on), the
 * policy from the template; a date that is no date refused in Chinese at its field, then opened.
 */
export async function openCallFromForm(page: Page, apiUrl: string, callId: string, pool: Reviewer[]): Promise<void> {
  await page.goto(`${apiUrl}/web/calls/new`);
  const closes = page.locator('[name="calendar.applicationWindow.closes"]');
  expect(await closes.inputValue()).toBe('105.09.12 17:00');
  await page.fill('[name=callId]', callId);
  await page.fill('[name=rocYear]', '116');
  await page.fill('[name=callTitle]', '116年度產學技術聯盟合作計畫');
  for (const input of await page.locator('input[name^="calendar."]').all()) {
    const value = await input.inputValue();
    if (value) await input.fill(value.replace(/^(\d{3})\./, (_, year: string) => `${Number(year) + 11}.`));
  }
  await page.fill('#f-reviewerPool', JSON.stringify(pool));
  await closes.fill('116.13.40 17:00');
  const refused = page.waitForResponse((r) => r.url().endsWith('/web/calls') && r.request().method() === 'POST');
  await page.click('main button[type=submit]');
  expect((await refused).status()).toBe(400);
  expect(await text(page, '#f-callform-calendar-applicationWindow-closes-errors')).toMatch(/^請填寫時間，例如 .* 或民國日期 105\.09\.12 17:00/);
  await accessible(page);
  await closes.fill('116年9月12日下午5時');
  await page.click('main button[type=submit]');
  await page.waitForURL(`${apiUrl}/web/calls/${callId}`);
  expect(await text(page, 'main dl dd')).toMatch(/^民國 116\.09\.12 17:00/);
  await accessible(page);
}
