import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { alliance105 } from '../../domain/calls';
import { SESSION_COOKIE } from '../../server/session';
import { anApplication } from '../fixtures/applications';
import { sessionFor, startApi, type ApiWithSessions } from '../helpers/api';
import { fillSchemaForm, launchBrowser, logIn, submitLogin } from '../helpers/browser';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, withServiceWorker } from '../helpers/project-harness';
import { accessible, bulk, calendarFromHome, projectPictures, proposal, proposalUploaded, reviewer, text } from './page-steps';
import { exportsReadBack, openCallFromForm, openCallFromSpreadsheet } from './spreadsheet-steps';

jest.setTimeout(8 * 60_000);

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let browser: Browser;
beforeAll(async () => {
  [env, bundle, browser] = await Promise.all([connectDevServer(), bundleServiceWorkflows(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await env?.teardown();
});

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
type LoggedIn = Awaited<ReturnType<typeof logIn>>;

/** The job is the call's, not this process's: a second API process (sharing the session store) shows it to its owner, and to nobody else. */
async function theJobIsTheCalls(office: LoggedIn, first: ApiWithSessions, taskQueue: string): Promise<void> {
  const jobPath = new URL(office.page.url()).pathname;
  const second = await startApi(env, taskQueue, null, undefined, { sessions: first.sessions });
  try {
    await office.page.goto(`${second.url}${jobPath}`);
    expect(await text(office.page, '#job-status')).toMatch(/已完成 3 · 略過 0/);
    const stranger = await logIn(browser, second.url, 'wu');
    expect((await stranger.page.goto(`${second.url}${jobPath}`))?.status()).toBe(404);
    await stranger.context.close();
  } finally {
    await second.close();
  }
}

/** Reviewers review; the second sees no review before recording their own, and the first's after. */
async function reviewersReview(office: LoggedIn, apiUrl: string, callId: string): Promise<void> {
  await office.page.goto(`${apiUrl}/web/calls/${callId}`);
  const assigned = (await text(office.page, '#call-projects tbody tr td:nth-child(6)')).split(', ');
  expect(assigned.sort()).toEqual(['rev-te2-01', 'rev-te2-02']);
  for (const [i, id] of assigned.entries()) {
    // Home first: the review they owe, with its due date and the time left, linked to the project.
    const rev = await logIn(browser, apiUrl, id, '/web');
    const todo = rev.page.locator('#todo tbody tr', { hasText: 'TE2-0001' });
    expect(await todo.locator('td:nth-child(4)').innerText()).toBe('提交審查意見');
    expect(await todo.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await todo.locator('td:nth-child(2)').innerText()).toMatch(/^\d+ (天 \d+ 小時|小時|分鐘)$/);
    await accessible(rev.page);
    if (i === 0) await calendarFromHome(rev.page);
    await todo.locator('a').click();
    await rev.page.waitForSelector('#reviews-none');
    await accessible(rev.page);
    // The proposal of the application they review: the same bytes the PI uploaded.
    const link = rev.page.locator('#documents-h ~ table a', { hasText: '計畫書-TE2-0001.pdf' });
    const download = await rev.page.request.get(new URL((await link.getAttribute('href'))!, apiUrl).href);
    expect([download.status(), (await download.body()).equals(proposal)]).toEqual([200, true]);
    // By keyboard alone: into the score, a recommendation, the comments, and Enter on the button.
    await rev.page.focus('#f-review-record-score');
    await rev.page.keyboard.type(String(85 + i));
    await rev.page.keyboard.press('Tab');
    await rev.page.keyboard.press('ArrowDown');
    await rev.page.keyboard.press('Tab');
    await rev.page.keyboard.type('具產業價值');
    await rev.page.keyboard.press('Tab');
    await rev.page.keyboard.press('Enter');
    await rev.page.waitForURL(/done=review\.record/);
    expect(await rev.page.locator('#reviews tbody tr').count()).toBe(i + 1);
    await rev.page.goto(`${apiUrl}/web`);
    expect(await rev.page.locator('#todo tbody tr', { hasText: 'TE2-0001' }).count()).toBe(0);
    await rev.context.close();
  }
}

/** The office closes the round, invites, schedules, records the presentation, ranks, decides, announces. */
async function officeDecides(office: LoggedIn, apiUrl: string, callId: string): Promise<void> {
  expect(await bulk(office.page, apiUrl, callId, 'close-round')).toMatch(/全部學門/);
  expect(await bulk(office.page, apiUrl, callId, 'invite', (p) => p.fill('form[action$="/operations/invite"] [name=topPerDivision]', '1'))).toMatch(/已完成 1/);
  const startsAt = new Date(Date.now() + 7 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z');
  expect(await bulk(office.page, apiUrl, callId, 'schedule', (p) => p.fill('form[action$="/operations/schedule"] [name=startsAt]', startsAt))).toMatch(
    /已完成 1/,
  );
  await office.page.goto(`${apiUrl}/web/projects/${callId}/TE2-0001`);
  await office.page.fill('form[action$="/commands/presentation.record"] [name=panelScore]', '88');
  await office.page.fill('form[action$="/commands/presentation.record"] [name=comments]', '簡報清楚');
  await office.page.click('form[action$="/commands/presentation.record"] button');
  await office.page.waitForURL(/done=presentation\.record/);
  expect(await bulk(office.page, apiUrl, callId, 'decision-meeting')).toMatch(/TE2-0001/);
  await office.page.goto(`${apiUrl}/web/projects/${callId}/TE2-0001`);
  const decide = office.page.locator('form[action$="/commands/decision.record"]');
  await decide.locator('[name=outcome]').selectOption('approved');
  await decide.locator('[name="@approved.amountsNtd"]').fill('2000000, 2000000, 1800000');
  await decide.locator('button').click();
  await office.page.waitForURL(/done=decision\.record/);
  await accessible(office.page);
  await projectPictures(office.page);
  expect(await bulk(office.page, apiUrl, callId, 'announce')).toMatch(/已完成 1/);
}

/** A session that expired sends the browser to log in, and back to the page it asked for. */
async function expiredSessionLogsInAgain(api: ApiWithSessions, callId: string): Promise<void> {
  const apiUrl = api.url;
  const stale = await sessionFor(api, { role: 'pi', id: 'pi-lin' }, Date.now() - 1000);
  const later = await browser.newContext({ bypassCSP: true });
  await later.addCookies([{ name: SESSION_COOKIE, value: stale, url: apiUrl }]);
  const again = await later.newPage();
  await again.goto(`${apiUrl}/web/projects/${callId}/TE2-0001`);
  await submitLogin(again, 'pi-lin');
  await again.waitForURL(`${apiUrl}/web/projects/${callId}/TE2-0001`);
  expect(await text(again, '#lifecycle')).toBe('核定');
  await later.close();
}

/** Views: another PI gets 404 for this project's page, an auditor sees no forms; the English switch; a log-out that ends the provider's session. */
async function viewsLanguageAndLogOut(office: LoggedIn, apiUrl: string, callId: string): Promise<void> {
  // Views: another PI gets 404 for this project's page; an auditor sees no forms.
  const chen = await logIn(browser, apiUrl, 'pi-chen');
  const refused = await chen.page.goto(`${apiUrl}/web/projects/${callId}/TE2-0001`);
  expect(refused?.status()).toBe(404);
  const auditor = await logIn(browser, apiUrl, 'wu', `/web/projects/${callId}/TE2-0001`);
  expect(await auditor.page.locator('main form').count()).toBe(0);
  expect(await text(auditor.page, '#lifecycle')).toBe('核定');
  await accessible(auditor.page);
  await auditor.page.goto(`${apiUrl}/web/audit/history/project:${callId}:TE2-0001`);
  expect(await auditor.page.locator('#ledger tbody tr').count()).toBeGreaterThan(5);
  await accessible(auditor.page);
  await auditor.page.goto(`${apiUrl}/web/audit?call=${callId}`);
  await accessible(auditor.page);
  expect(await auditor.page.locator('#audit-results tbody tr').count()).toBe(1);
  await auditor.page.click('form[action="/web/audit/verify"] button');
  await auditor.page.waitForSelector('#verify-result');
  expect(await text(auditor.page, '#verify-result')).toMatch(/帳本驗證通過/);
  // The English switch: the same page in English, and back.
  await office.page.click('header a[lang="en"]');
  expect(await text(office.page, 'h1')).toBe('Dashboard');
  await accessible(office.page);
  // Log-out ends the provider's session too: the next visit asks for the password again.
  await chen.page.goto(`${apiUrl}/web`);
  await chen.page.click('header form[action="/web/logout"] button');
  // The provider asks to confirm a log-out that carries no id token; then it returns here.
  await chen.page.waitForURL((url) => !url.href.startsWith(`${apiUrl}/web/calls`) && url.href !== `${apiUrl}/web`);
  if (!chen.page.url().startsWith(apiUrl)) await chen.page.click('#kc-logout');
  await chen.page.waitForURL(`${apiUrl}/web/logged-out`);
  await accessible(chen.page);
  await chen.page.goto(`${apiUrl}/web`);
  await chen.page.waitForSelector('#username');
  for (const session of [chen, auditor]) await session.context.close();
}

it('walks a whole cycle through the pages: call, application, endorsement, reviews, presentation, decision, announcement', async () => {
  const taskQueue = uniqueName('web');
  const callId = uniqueName('web-call');
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 75,
      endorsementIn: 85,
      firstYearStartsIn: 3600,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    callId,
  );
  call.policy.reviewersPerApplication = 2;
  const pool = [reviewer('rev-te2-01', 'NTHU'), reviewer('rev-te2-02', 'NCHU')];
  const application = anApplication({ id: 'TE2-0001' });

  await withServiceWorker(env, bundle, taskQueue, async (_projects, ledger) => {
    const api: ApiWithSessions = await startApi(env, taskQueue, ledger);
    try {
      // The office opens the call from its files.
      const office = await logIn(browser, api.url, 'kao', '/web/calls/new');
      await accessible(office.page);
      await openCallFromSpreadsheet(office.page, api.url, call, pool);
      await openCallFromForm(office.page, api.url, uniqueName('form-call'), pool);
      await office.page.goto(`${api.url}/web/calls/${callId}`);
      expect(await text(office.page, '#call-state')).toBe('受理中');
      await accessible(office.page);

      // The PI applies through the form drawn from the application's schema, then submits.
      const pi = await logIn(browser, api.url, 'pi-lin');
      await accessible(pi.page);
      await pi.page.click(`a[href="/web/calls/${callId}/apply"]`);
      await accessible(pi.page);
      await fillSchemaForm(pi.page, application, '', { 'pi.qualification': 'category', phase: 'phase' });
      // A bad value comes back on the same page, with the rule's message at its field, and nothing is registered.
      await pi.page.fill('[name="budget.0.personnel"]', 'lots');
      const bad = pi.page.waitForResponse((r) => r.url().endsWith('/apply') && r.request().method() === 'POST');
      await pi.page.click('main form button[type=submit]');
      expect((await bad).status()).toBe(400);
      // zod's own message, in zod 4's zh-TW locale.
      expect(await text(pi.page, '#f-budget-0-personnel-errors')).toMatch(/預期為數字，但收到文字/);
      expect(await pi.page.inputValue('[name="budget.0.personnel"]')).toBe('lots');
      expect(await pi.page.inputValue('[name="title"]')).toBe(application.title);
      await accessible(pi.page);
      await office.page.reload();
      expect(await office.page.locator('#call-projects tbody tr').count()).toBe(0);
      await pi.page.fill('[name="budget.0.personnel"]', '1200000');
      await pi.page.click('main form button[type=submit]');
      await pi.page.waitForURL(`${api.url}/web/projects/${callId}/TE2-0001`, { timeout: 10_000 }).catch(async (error: unknown) => {
        throw new Error(`${String(error)}\n${await pi.page.locator('main').innerText()}`);
      });
      expect(await text(pi.page, '#lifecycle')).toBe('草稿');
      await accessible(pi.page);
      await proposalUploaded(browser, pi.page, api.url, callId);
      await pi.page.click('form[action$="/commands/application.submit"] button');
      await pi.page.waitForURL(/done=application\.submit/);
      expect(await text(pi.page, '#lifecycle')).toBe('已送出');

      // The research office endorses it in a roster.
      const ntu = await logIn(browser, api.url, 'ntu-rd', `/web/calls/${callId}`);
      await ntu.page.check('#roster-TE2-0001');
      await ntu.page.fill('#roster-rosterId', 'NTU-01');
      await ntu.page.fill('#roster-letterReference', '臺大研字第1050012345號');
      await ntu.page.click('form[action$="/roster"] button');
      await ntu.page.waitForSelector('#outcome-counts');
      expect(await text(ntu.page, '#outcome-counts')).toMatch(/已完成 1/);
      await accessible(ntu.page);

      // The endorsement deadline passes; the office starts the written review.
      for (;;) {
        await office.page.goto(`${api.url}/web/calls/${callId}`);
        if ((await text(office.page, '#call-state')) === '推薦截止') break;
        await office.page.waitForTimeout(1000);
      }
      expect(await bulk(office.page, api.url, callId, 'written-review')).toMatch(/已完成 3 · 略過 0/);
      await theJobIsTheCalls(office, api, taskQueue);

      await reviewersReview(office, api.url, callId);

      await officeDecides(office, api.url, callId);

      // The PI sees the decision.
      await pi.page.goto(`${api.url}/web/projects/${callId}/TE2-0001`);
      expect(await text(pi.page, '#lifecycle')).toBe('核定');
      expect(await text(pi.page, '#decision')).toBe('核定 NT$2,000,000 / NT$2,000,000 / NT$1,800,000');

      await exportsReadBack(office.page, api.url, callId);

      // The office's dashboard, in Traditional Chinese, kept as a screenshot that is not blank.
      await office.page.goto(`${api.url}/web?call=${callId}`);
      await accessible(office.page);
      expect(await text(office.page, 'h1')).toBe('計畫總覽');
      // The pictures beside their tables: the one project counted in the heat map and through the funnel to approval.
      expect(await office.page.locator('#chart-state-division text', { hasText: /^1$/ }).count()).toBe(1);
      expect(await text(office.page, '#funnel tbody tr:nth-child(5) td')).toBe('1 (100%)');
      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = await office.page.screenshot({ fullPage: true });
      writeFileSync(path.join(ARTIFACTS, 'dashboard-zh-TW.png'), shot);
      expect(await inkOf(browser, shot)).toBeGreaterThan(0.01);
      expect(execFileSync('fc-list', [':lang=zh-tw', 'family']).toString()).toMatch(/CJK/);

      await viewsLanguageAndLogOut(office, api.url, callId);
      for (const session of [office, pi, ntu]) await session.context.close();

      await expiredSessionLogsInAgain(api, callId);
    } finally {
      await api.close();
    }
  });
});

it('refuses a form without its session token, or from another origin, and changes nothing', async () => {
  const api = await startApi(env, uniqueName('web-csrf'));
  try {
    const cookie = `${SESSION_COOKIE}=${await sessionFor(api, { role: 'office', id: 'office-kao' }, Date.now() + 600_000)}`;
    const callId = uniqueName('csrf-call');
    const call = compressedCall(
      alliance105,
      Date.now(),
      {
        applicationClosesIn: 3600,
        endorsementIn: 3700,
        firstYearStartsIn: 9000,
        yearLength: 'P1Y',
        progressReportDueBeforeYearEnd: 'P3M',
        closingReportGrace: 'P3M',
      },
      callId,
    );
    const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${api.url}/web/calls`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ call: JSON.stringify(call), reviewerPool: '[]', ...fields }),
      });
    const exists = () =>
      env.client.workflow
        .getHandle(`call:${callId}`)
        .describe()
        .then(
          () => true,
          () => false,
        );
    const form = await (await fetch(`${api.url}/web/calls/new`, { headers: { cookie } })).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;

    for (const [fields, headers] of [
      [{}, {}],
      [{ _csrf: 'forged' }, {}],
      [{ _csrf: token }, { origin: 'https://evil.example' }],
    ] as const) {
      const refused = await post(fields, headers);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/text\/html/);
      expect(await refused.text()).toMatch(/reload the page|重新整理頁面/);
      expect(await exists()).toBe(false);
    }
    // Pages take forms only: a JSON body is a 415, never read.
    const json = await fetch(`${api.url}/web/calls`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ _csrf: token, call: 1 }),
    });
    expect(json.status).toBe(415);
    expect(await exists()).toBe(false);
    // The language switch returns only to a page under /web, normalised, never a 5xx.
    for (const [back, location] of [
      ['/web/%7F', '/web/%7F'],
      ['/web/中文', '/web/%E4%B8%AD%E6%96%87'],
      ['/web/../auth/x', '/web'],
      ['//evil.example/web', '/web'],
      ['/web/calls/x?y=1', '/web/calls/x?y=1'],
    ]) {
      const switched = await fetch(`${api.url}/web/lang?to=en&return=${encodeURIComponent(back!)}`, { redirect: 'manual' });
      expect({ back, status: switched.status, location: switched.headers.get('location') }).toEqual({ back, status: 303, location });
    }
    const accepted = await post({ _csrf: token });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toBe(`/web/calls/${callId}`);
    expect(await exists()).toBe(true);
    await env.client.workflow.getHandle(`call:${callId}`).terminate('test over');
  } finally {
    await api.close();
  }
});

/** The share of a screenshot's pixels that are not white, measured by the browser itself. */
async function inkOf(browser: Browser, png: Buffer): Promise<number> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<img id="shot" src="data:image/png;base64,${png.toString('base64')}">`);
    return await page.evaluate(async () => {
      interface Canvas {
        width: number;
        height: number;
        getContext(kind: '2d'): {
          drawImage(image: unknown, x: number, y: number): void;
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
      }
      interface Doc {
        getElementById(id: string): { decode(): Promise<void>; naturalWidth: number; naturalHeight: number };
        createElement(tag: 'canvas'): Canvas;
      }
      const doc = (globalThis as unknown as { document: Doc }).document;
      const img = doc.getElementById('shot');
      await img.decode();
      const canvas = doc.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) ink++;
      return ink / (data.length / 4);
    });
  } finally {
    await page.close();
  }
}
