import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { repositoryRoot } from '../../worker/temporal-binaries';
import { withApi } from '../helpers/api';
import { runAlliance } from '../helpers/cli';
import { connectDevServer } from '../helpers/environments';
import { bundleServiceWorkflows } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/**
 * A person in a browser, as far as the provider's pages ask: follows redirects with cookies,
 * fills the log-in form, confirms the device code and grants access. Plain HTML forms, no script.
 */
async function confirmInBrowser(startUrl: string, username: string, password: string): Promise<string> {
  const cookies = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}): Promise<{ url: string; html: string }> => {
    let current = url;
    let options = init;
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(current, {
        ...options,
        redirect: 'manual',
        headers: { ...(options.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, ...value] = pair!.split('=');
        cookies.set(name!.trim(), value.join('='));
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).toString();
        options = {};
        continue;
      }
      return { url: current, html: await response.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  };
  const decode = (text: string): string =>
    text
      .replace(/&amp;/g, '&')
      .replace(/&#x2F;/gi, '/')
      .replace(/&#x3D;/gi, '=')
      .replace(/&quot;/g, '"');
  let page = await request(startUrl);
  for (let step = 0; step < 6; step++) {
    if (/successful|成功|You may close this window/i.test(page.html) && !/<form/i.test(page.html)) return page.html;
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.html);
    if (!form) return page.html;
    const fields = new URLSearchParams();
    for (const input of form[2]!.matchAll(/<input[^>]*>/gi)) {
      const name = /name="([^"]+)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      const type = /type="([^"]+)"/.exec(input[0])?.[1] ?? 'text';
      if (!name || type === 'submit' || type === 'checkbox') continue;
      fields.set(name, name === 'username' ? username : name === 'password' ? password : decode(value));
    }
    // A consent page asks to grant: press its "accept" (Yes) button.
    if (/name="accept"/.test(form[2]!)) fields.set('accept', 'Yes');
    page = await request(new URL(decode(form[1]!), page.url).toString(), {
      method: 'POST',
      body: fields,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }
  return page.html;
}

it('logs in with the device authorization grant, keeps the token privately, and acts as that person', async () => {
  await withApi(env, bundle, async (api) => {
    const credentials = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-login-')), 'login.json');
    const login = spawn(process.execPath, [path.join(repositoryRoot, 'dist/client/cli/alliance.js'), 'login'], {
      env: { PATH: process.env.PATH ?? '', ALLIANCE_API_URL: api.url, ALLIANCE_CREDENTIALS: credentials },
    });
    let stdout = '';
    let stderr = '';
    login.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    login.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => login.on('close', resolve));
    for (let i = 0; !/open (\S+)/.test(stderr); i++) {
      if (i > 100) throw new Error(`alliance login printed no address: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stderr).toMatch(/confirm the code [A-Z]{4}-[A-Z]{4}/);
    const page = await confirmInBrowser(/open (\S+)/.exec(stderr)![1]!, 'ncku-rd', 'alliance-demo');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/logged in to http:\/\/127\.0\.0\.1:\d+ as institution NCKU/);
    expect(page).toBeTruthy();
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(credentials, 'utf8'))).toMatchObject({
      apiUrl: api.url,
      clientId: 'alliance-cli',
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });

    const whoami = await runAlliance(['whoami', '--json'], { ALLIANCE_API_URL: api.url, ALLIANCE_CREDENTIALS: credentials });
    expect(whoami.status).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ actor: { role: 'institution', id: 'NCKU' }, principal: { subject: expect.any(String) } });
    const logout = await runAlliance(['logout'], { ALLIANCE_CREDENTIALS: credentials });
    expect(logout.stdout).toMatch(/logged out/);
    const after = await runAlliance(['whoami'], { ALLIANCE_API_URL: api.url, ALLIANCE_CREDENTIALS: credentials });
    expect(after.stderr).toMatch(/^UNAUTHENTICATED: Not logged in: run `alliance login` first/);
  });
});
