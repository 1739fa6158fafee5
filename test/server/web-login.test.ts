import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { formLogin, startApi, type RunningApi } from '../helpers/api';
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
 * cookies (`formLogin`, as test/server/codec.test.ts logs in): what the callback answers and where it sends the browser.
 */
async function logInReturningTo(returnTo: string): Promise<{ status: number; location: string | null; cookie: string }> {
  const back = await formLogin(api.url, 'kao', returnTo);
  const session = back.setCookies.find((c) => c.startsWith('alliance_session='));
  return { status: back.status, location: back.location, cookie: session?.split(';')[0] ?? 'alliance_session=' };
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
