import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { latinWordsIn } from './latin';

/** Debian's Chromium (make install puts it there); playwright-core drives it and downloads nothing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, and quiet on a machine with no internet: no background fetches that would be refused. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser (own cookies) logged in as a seeded account through the identity provider's own form. */
export async function logIn(
  browser: Browser,
  apiUrl: string,
  username: string,
  path = '/web',
  lang?: 'en' | 'zh-TW',
): Promise<{ context: BrowserContext; page: Page }> {
  // CSP is bypassed only so the accessibility checker can be injected; the pages themselves run no script.
  const context = await browser.newContext({ bypassCSP: true, locale: 'zh-TW' });
  if (lang) await context.addCookies([{ name: 'alliance_lang', value: lang, url: apiUrl }]);
  const page = await context.newPage();
  await page.goto(`${apiUrl}${path}`);
  await submitLogin(page, username);
  await page.waitForURL((url) => url.href.startsWith(apiUrl));
  return { context, page };
}

/** Fills and sends the identity provider's log-in form the page is on. */
export async function submitLogin(page: Page, username: string): Promise<void> {
  await page.waitForSelector('#username');
  await page.fill('#username', username);
  await page.fill('#password', 'alliance-demo');
  await page.click('#kc-login');
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical accessibility violations of the page as it stands (axe-core, WCAG 2.1 AA rules). */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (context: unknown, options: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    return axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}

/**
 * Fills a schema-drawn form from a value: each leaf at `prefix.path` (array items by index; a
 * union's fields under `@choice`). Selects are chosen, booleans ticked, lists joined by commas.
 */
export async function fillSchemaForm(page: Page, value: unknown, prefix = '', unions: Record<string, string> = {}): Promise<void> {
  const walk = async (node: unknown, name: string): Promise<void> => {
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      if (node.length === 0) return;
      if (node.every((item) => typeof item !== 'object')) return fill(name, node.join(', '));
      for (const [i, item] of node.entries()) await walk(item, `${name}.${i}`);
      return;
    }
    if (typeof node === 'object') {
      const record = node as Record<string, unknown>;
      const discriminator = unions[name.replace(/\.\d+(?=\.|$)/g, '.*')];
      for (const [key, child] of Object.entries(record)) {
        const inVariant = discriminator && key !== discriminator ? `${name}.@${String(record[discriminator])}` : name;
        await walk(child, inVariant ? `${inVariant}.${key}` : key);
      }
      return;
    }
    return fill(name, node);
  };
  const fill = async (name: string, leaf: unknown): Promise<void> => {
    const field = page.locator(`[name="${name}"]`).first();
    const tag = await field.evaluate((el) => `${el.tagName}:${(el as unknown as { type?: string }).type}`);
    if (tag.startsWith('SELECT')) await field.selectOption(String(leaf));
    else if (tag === 'INPUT:checkbox') await (leaf === true ? field.check() : field.uncheck());
    else await field.fill(String(leaf));
  };
  await walk(value, prefix);
}

/**
 * The Latin words a Chinese page shows a person that are not a name, id, code or unit: its text,
 * its buttons' values, what its labels say to a screen reader, the options of its lists. Passages
 * in another language (`lang="en"`, the language switch), code (`<code>`, `<kbd>`, `<samp>`) and
 * what the page marks as not to be translated (`translate="no"`: names, titles, ids people typed)
 * are left out; what counts as an id, a code or a unit is latinWordsIn's (test/helpers/latin.ts).
 */
export async function latinWords(page: Page, units: readonly string[] = ['MiB', 'KiB', 'NT$']): Promise<string[]> {
  const found = await page.evaluate(() => {
    type El = { tagName: string; lang: string; getAttribute(n: string): string | null; parentElement: El | null; closest(s: string): El | null };
    const doc = (
      globalThis as unknown as {
        document: {
          body: unknown;
          createTreeWalker(root: unknown, what: number): { nextNode(): { textContent: string; parentElement: El } | null };
          querySelectorAll(s: string): Iterable<El & { value?: string }>;
        };
      }
    ).document;
    const skip = 'script, style, code, kbd, samp, [translate="no"], [lang]:not([lang^="zh"]), [hidden]';
    const texts: string[] = [];
    const walker = doc.createTreeWalker(doc.body, 4);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) if (!node.parentElement.closest(skip)) texts.push(node.textContent);
    for (const el of doc.querySelectorAll('[aria-label], [title], [placeholder], [alt], input[type=submit], input[type=button]')) {
      if (el.closest(skip)) continue;
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) texts.push(el.getAttribute(name) ?? '');
      if (el.tagName === 'INPUT') texts.push(el.value ?? '');
    }
    texts.push((globalThis as unknown as { document: { title: string } }).document.title);
    return texts;
  });
  return latinWordsIn(found, units);
}
