import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startApi, type RunningApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';

let env: TestWorkflowEnvironment;
let api: RunningApi;
beforeAll(async () => {
  env = await connectDevServer();
  // Logging in reads no project: the API alone, with no worker behind its task queue.
  api = await startApi(env, uniqueName('web-login'));
});
afterAll(async () => {
  await api?.close();
  await env?.teardown();
});

/**
 * A browser's log-in through the identity provider's own form, following the API's redirects with
 * cookies (as test/server/codec.test.ts does): what the callback answers and where it sends the browser.
 */
async function logInReturningTo(returnTo: string): Promise<{ status: number; location: string | null; cookie: string }> {
  const jar = new Map<string, string>();
  const step = async (url: string, init: RequestInit = {}) => {
    const cookie = [...jar].filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join('; ');
    // A header Node refuses can leave the answer hanging rather than failing it: fail fast instead.
    const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(15_000), headers: { ...(init.headers as Record<string, string>), cookie } });
    for (const line of response.headers.getSetCookie()) {
      const [name, ...value] = line.split(';')[0]!.split('=');
      jar.set(name!.trim(), value.join('='));
    }
    return response;
  };
  const start = await step(`${api.url}/auth/login?return=${encodeURIComponent(returnTo)}`);
  expect(start.status).toBe(302);
  const page = await step(start.headers.get('location')!);
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(await page.text())?.[1]?.replace(/&amp;/g, '&');
  expect(action).toBeDefined();
  const posted = await step(action!, { method: 'POST', body: new URLSearchParams({ username: 'kao', password: 'alliance-demo' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const callback = posted.headers.get('location')!;
  expect(callback.startsWith(`${api.url}/auth/callback`)).toBe(true);
  const back = await step(callback);
  return { status: back.status, location: back.headers.get('location'), cookie: `alliance_session=${jar.get('alliance_session') ?? ''}` };
}

it('comes back to a page with a Chinese path, percent-encoded, instead of failing the callback', async () => {
  const back = await logInReturningTo('/web/網');
  expect({ status: back.status, location: back.location }).toEqual({ status: 303, location: '/web/%E7%B6%B2' });
  // The browser lands there logged in: a page of the site (here "no such page"), not a failure.
  const landed = await fetch(`${api.url}${back.location!}`, { headers: { cookie: back.cookie } });
  expect(landed.status).toBe(404);
  expect(landed.headers.get('content-type')).toMatch(/^text\/html/);

  // Query and fragment are encoded too; an address already encoded stays as it was.
  expect((await logInReturningTo('/web/網?q=網 路#網')).location).toBe('/web/%E7%B6%B2?q=%E7%B6%B2%20%E8%B7%AF#%E7%B6%B2');
  expect((await logInReturningTo('/web/%E7%B6%B2')).location).toBe('/web/%E7%B6%B2');
});

it('keeps a normalised return address on this site: dot segments that would make `//host` send the browser home', async () => {
  for (const target of ['/.//evil.example/', '/web/../..//evil.example']) {
    expect({ target, ...(await logInReturningTo(target)) }).toMatchObject({ target, status: 303, location: '/' });
  }
});

it('refuses, with a 400 that says why, a return address too long to carry once encoded', async () => {
  const response = await fetch(`${api.url}/auth/login?return=${encodeURIComponent(`/web/${'網'.repeat(300)}`)}`, { redirect: 'manual' });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { detail: string }).detail).toMatch(/^return is 2705 characters once percent-encoded, more than the 2000/);
});
