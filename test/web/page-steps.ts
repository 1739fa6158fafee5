// What the pages' walk-through does at each step: a reviewer of the pool, the accessibility check of
// every page it visits, a text on a page, and a bulk operation run from the call page to its end.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ICAL from 'ical.js';
import type { Browser, Page } from 'playwright-core';
import { latinWords, logIn, seriousViolations } from '../helpers/browser';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

export { aReviewer as reviewer } from '../fixtures/reviewers';

/**
 * Every page the walk visits is checked for serious accessibility problems and, when it speaks
 * Chinese, for English showing through: any Latin word that is not a name, id, code or unit.
 */
export const accessible = async (page: Page): Promise<void> => {
  const chinese = (await page.locator('html').getAttribute('lang'))?.startsWith('zh') ?? false;
  const seen = { url: page.url(), violations: await seriousViolations(page), latin: chinese ? await latinWords(page) : [] };
  expect(seen).toEqual({ url: page.url(), violations: [], latin: [] });
};
export const text = (page: Page, selector: string): Promise<string> => page.locator(selector).first().innerText();

/** Runs a bulk operation from the call page: its form, the confirmation, the live page until done. */
export async function bulk(
  page: Page,
  apiUrl: string,
  callId: string,
  operation: string,
  fill: (page: Page) => Promise<void> = () => Promise.resolve(),
): Promise<string> {
  await page.goto(`${apiUrl}/web/calls/${callId}`);
  const form = page.locator(`form[action$="/operations/${operation}"]`);
  await fill(page);
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('#confirm');
  await accessible(page);
  await page.click('#confirm');
  await page.waitForURL(/\/jobs\//);
  // The job page reloads itself each second until the operation is done.
  // (A page still loading has neither: wait for the job's status without the refresh.)
  await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } };
      return !!document.querySelector('#job-status') && !document.querySelector('meta[http-equiv=refresh]');
    },
    undefined,
    { timeout: 120_000 },
  );
  await accessible(page);
  return text(page, '#job-status');
}

/** A PDF of some length, as a proposal would be. */
export const proposal = Buffer.from(`%PDF-1.4\n% 計畫書 TE2-0001\n${'%'.padEnd(200_000, 'x')}\n%%EOF\n`);

/** The PI attaches the proposal on the project page: a file that is not a document is refused at the form; the PDF is listed; another PI cannot read it. */
export async function proposalUploaded(browser: Browser, page: Page, apiUrl: string, callId: string): Promise<void> {
  const form = page.locator('form.upload');
  await form.locator('#document-file').setInputFiles({ name: 'proposal.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ not a pdf') });
  const refused = page.waitForResponse((r) => r.url().endsWith('/documents') && r.request().method() === 'POST');
  await form.locator('button[type=submit]').click();
  expect((await refused).status()).toBe(415);
  // Refused in the page's language, at the form: the law's own words are the catalogue's (server/web/messages.ts).
  expect(await text(page, '#document-error')).toBe('計畫書未受理：僅接受 PDF, DOCX, ODT，此檔案不是 PDF、DOCX、XLSX 或 ODT。');
  await accessible(page);
  await page.locator('#document-file').setInputFiles({ name: '計畫書-TE2-0001.pdf', mimeType: 'application/pdf', buffer: proposal });
  await page.locator('form.upload button[type=submit]').click();
  await page.waitForURL(/done=document\.attach/);
  const row = page.locator('#documents-h ~ table tbody tr');
  expect(await row.locator('td:nth-child(1)').innerText()).toBe('計畫書');
  expect(await row.locator('a').innerText()).toBe('計畫書-TE2-0001.pdf');
  await accessible(page);
  mkdirSync(ARTIFACTS, { recursive: true });
  // The documents section as the README shows it (docs/web-documents.png is a copy of one run's).
  writeFileSync(path.join(ARTIFACTS, 'project-documents-zh-TW.png'), await page.locator('section[aria-labelledby="documents-h"]').screenshot());
  // On paper (the print stylesheet): the record and its documents, none of the forms that act.
  await page.emulateMedia({ media: 'print' });
  expect([await page.locator('#documents-h').isVisible(), await page.locator('form.upload').isVisible(), await page.locator('header').isVisible()]).toEqual([
    true,
    false,
    false,
  ]);
  writeFileSync(path.join(ARTIFACTS, 'project-record-zh-TW.pdf'), await page.pdf({ format: 'A4' }));
  await page.emulateMedia({ media: 'screen' });
  const href = new URL((await row.locator('a').getAttribute('href'))!, apiUrl).href;
  expect((await page.request.get(href)).status()).toBe(200);
  const stranger = await logIn(browser, apiUrl, 'pi-chen');
  expect((await stranger.page.request.get(href)).status()).toBe(404);
  expect((await stranger.page.goto(`${apiUrl}/web/projects/${callId}/TE2-0001`))?.status()).toBe(404);
  await stranger.context.close();
}

/** A project's pictures, drawn without script: its time line, its money, its statechart with where it stands; kept as screenshots. */
export async function projectPictures(page: Page): Promise<void> {
  const current = await page.locator('#chart-statechart rect[stroke-width="3"]').count();
  expect(current).toBeGreaterThan(0);
  expect(await page.locator('#chart-timeline circle').count()).toBeGreaterThan(5);
  expect(await page.locator('#chart-money text', { hasText: 'NT$2,000,000' }).count()).toBeGreaterThan(0);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const id of ['chart-timeline', 'chart-money', 'chart-statechart'])
    writeFileSync(path.join(ARTIFACTS, `project-${id}-zh-TW.png`), await page.locator(`#${id}`).screenshot());
}

/** The reviewer's calendar address, made at home: the feed, read by a real iCalendar parser, lists the review they owe when home says, until they revoke it; and their reminders chosen in one mail a day. */
export async function calendarFromHome(page: Page): Promise<void> {
  const due = await page.locator('#todo tbody tr', { hasText: 'TE2-0001' }).locator('time').getAttribute('datetime');
  await page.click('#calendar-create');
  const url = await page.locator('#calendar-url').inputValue();
  await accessible(page);
  const feed = await fetch(url);
  expect(feed.status).toBe(200);
  const events = new ICAL.Component(ICAL.parse(await feed.text()) as unknown[]).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  const review = events.find((e) => e.uid.includes('TE2-0001'));
  expect(Math.floor(review!.startDate.toJSDate().getTime() / 1000)).toBe(Math.floor(Date.parse(due!) / 1000));
  await page.click('#calendar-revoke');
  await page.waitForSelector('#calendar-revoked');
  expect((await fetch(url)).status).toBe(404);
  // Reminders in one mail a day: chosen at home, kept, and shown as chosen.
  await page.check('input[name="daily"][value="on"]');
  await page.click('#digest-save');
  await page.waitForSelector('#digest-saved');
  expect(await page.isChecked('input[name="daily"][value="on"]')).toBe(true);
  await accessible(page);
  await page.goto(page.url().replace(/\?.*$/, ''));
}
