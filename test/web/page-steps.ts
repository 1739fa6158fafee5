// What the pages' walk-through does at each step: a reviewer of the pool, the accessibility check of
// every page it visits, a text on a page, and a bulk operation run from the call page to its end.
import type { Page } from 'playwright-core';
import type { Reviewer } from '../../domain/reviewers';
import { seriousViolations } from '../helpers/browser';

export const reviewer = (id: string, institutionId: string): Reviewer => ({
  id,
  name: id,
  email: `${id}@example.tw`,
  institutionId,
  divisions: ['TE2'],
  conflicts: { applicationIds: [], institutionIds: [] },
});

/** Every page the walk visits is checked for serious accessibility problems. */
export const accessible = async (page: Page): Promise<void> => {
  expect({ url: page.url(), violations: await seriousViolations(page) }).toEqual({ url: page.url(), violations: [] });
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
