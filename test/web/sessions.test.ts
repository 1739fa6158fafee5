// Browser sessions the server keeps: log-out ends them wherever the cookie was copied, the
// provider's back-channel log-out ends them, a role changed at the provider is refused within the
// refresh interval, a disabled account is sent to log in, and rotating the payload keys logs
// nobody out. Each test logs in as an account of its own, made at the provider for it.
import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser } from 'playwright-core';
import { readKeyRing, textSealer } from '../../activities/crypto/key-ring';
import { SqlSessionStore } from '../../activities/sessions/session-store';
import { postgresDriver } from '../../activities/sql/postgres-driver';
import { rotateKeyFile } from '../../tlog/key-file';
import { adminToken, formLogin, identityProvider, sessionFor, startApi, temporarySessionStore, type RunningApi } from '../helpers/api';
import { launchBrowser, logIn } from '../helpers/browser';
import { connectDevServer, testPayloadKeysFile, uniqueName } from '../helpers/environments';
import { sharedPostgresDatabase } from '../helpers/postgres';

jest.setTimeout(3 * 60_000);

let env: TestWorkflowEnvironment;
let browser: Browser;
beforeAll(async () => {
  [env, browser] = await Promise.all([connectDevServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await env?.teardown();
});

/** The realm's admin API, as the provider's administrator. */
async function admin(method: string, resource: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${identityProvider().url}/admin/realms/alliance${resource}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${resource}: ${response.status} ${await response.text()}`);
  return response;
}

interface Account {
  username: string;
  userId: string;
}

/** A fresh office account at the provider (password alliance-demo), so no other test's account changes. */
async function officeAccount(): Promise<Account> {
  const username = uniqueName('sess').toLowerCase();
  const created = await admin('POST', '/users', {
    username,
    enabled: true,
    emailVerified: true,
    firstName: 'Session',
    lastName: 'Test',
    email: `${username}@example.test`,
    attributes: { alliance_role: ['office'], alliance_id: [`office-${username}`] },
    credentials: [{ type: 'password', value: 'alliance-demo', temporary: false }],
  });
  const userId = created.headers.get('location')!.split('/').pop()!;
  return { username, userId };
}

/** Changes the account at the provider (the whole representation goes back, as its admin API expects). */
async function changeAccount(account: Account, change: (user: Record<string, unknown>) => void): Promise<void> {
  const user = (await (await admin('GET', `/users/${account.userId}`)).json()) as Record<string, unknown>;
  change(user);
  await admin('PUT', `/users/${account.userId}`, user);
}

/** A public PKCE client like alliance-web whose back-channel log-out reaches this test's API. */
async function webClientFor(api: RunningApi, clientId: string): Promise<void> {
  await admin('POST', '/clients', {
    clientId,
    publicClient: true,
    standardFlowEnabled: true,
    directAccessGrantsEnabled: false,
    frontchannelLogout: false,
    redirectUris: [`${api.url}/*`],
    webOrigins: ['+'],
    attributes: {
      'pkce.code.challenge.method': 'S256',
      'post.logout.redirect.uris': '+',
      'backchannel.logout.url': `${api.url}/auth/backchannel-logout`,
      'backchannel.logout.session.required': 'true',
    },
    defaultClientScopes: ['alliance', 'basic', 'profile', 'email'],
  });
}

/** A browser log-in by the provider's form (no browser needed): the session cookie, `name=value`. */
async function sessionCookie(api: RunningApi, username: string): Promise<string> {
  const back = await formLogin(api.url, username, '/web');
  const cookie = back.setCookies.find((c) => c.startsWith('alliance_session='));
  if (!cookie) throw new Error(`no session cookie after the log-in: ${back.status} ${back.setCookies.join(' | ')}`);
  return cookie.split(';')[0]!;
}

/** What the office's page to open a call answers this cookie: 200, 403 (another role) or 303 (to log in). */
async function openCallPage(api: RunningApi, cookie: string): Promise<{ status: number; location: string | null }> {
  const response = await fetch(`${api.url}/web/calls/new`, { headers: { cookie }, redirect: 'manual' });
  await response.text();
  return { status: response.status, location: response.headers.get('location') };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('ends a session at log-out: its cookie copied into another browser is refused there', async () => {
  const account = await officeAccount();
  const api = await startApi(env, uniqueName('sessions'));
  try {
    const first = await logIn(browser, api.url, account.username, '/web/calls/new');
    const [cookie] = (await first.context.cookies(api.url)).filter((c) => c.name === 'alliance_session');
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const copied = await browser.newContext();
    await copied.addCookies([{ name: 'alliance_session', value: cookie!.value, url: api.url }]);
    const other = await copied.newPage();
    expect((await other.goto(`${api.url}/web/calls/new`))?.status()).toBe(200);

    await first.page.click('header form[action="/web/logout"] button');
    await first.page.waitForURL((url) => !url.href.startsWith(`${api.url}/web/calls`));
    await other.goto(`${api.url}/web/calls/new`);
    // Sent to the provider's log-in form, not shown the page.
    expect(other.url().startsWith(identityProvider().issuer)).toBe(true);
    expect(await other.locator('#username').count()).toBe(1);
    await copied.close();
    await first.context.close();
  } finally {
    await api.close();
  }
});

it("ends every session of the provider's session at its back-channel log-out", async () => {
  const account = await officeAccount();
  const clientId = uniqueName('web-bcl');
  const api = await startApi(env, uniqueName('sessions'), null, undefined, { webClientId: clientId });
  try {
    await webClientFor(api, clientId);
    const cookie = await sessionCookie(api, account.username);
    expect((await openCallPage(api, cookie)).status).toBe(200);
    // The administrator ends the person's sessions at the provider; it tells this API at once.
    await admin('POST', `/users/${account.userId}/logout`);
    const refused = await openCallPage(api, cookie);
    expect(refused.status).toBe(303);
    expect(refused.location).toMatch(/^\/auth\/login\?return=/);
    expect((await api.sessions.get(decodeURIComponent(cookie.split('=')[1]!)))?.endedWhy).toMatch(/back-channel/);
    // A logout token not signed by the provider ends nothing.
    const forged = await fetch(`${api.url}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }),
    });
    expect(forged.status).toBe(400);
  } finally {
    await api.close();
  }
});

it('re-derives role and id from the provider each refresh interval: a changed role is refused, a disabled account logged out', async () => {
  const account = await officeAccount();
  const api = await startApi(env, uniqueName('sessions'), null, undefined, { sessionRefreshMs: 1_500 });
  try {
    const cookie = await sessionCookie(api, account.username);
    expect((await openCallPage(api, cookie)).status).toBe(200);
    await changeAccount(account, (user) => {
      user.attributes = { alliance_role: ['pi'], alliance_id: [`pi-${account.username}`] };
    });
    await sleep(2_000);
    // The office's page is refused: the provider now says this is a PI.
    expect((await openCallPage(api, cookie)).status).toBe(403);

    await changeAccount(account, (user) => {
      user.enabled = false;
    });
    await sleep(2_000);
    const refused = await openCallPage(api, cookie);
    expect(refused.status).toBe(303);
    expect(refused.location).toMatch(/^\/auth\/login\?return=/);
    // Ended for good, not merely refused once.
    const id = decodeURIComponent(cookie.split('=')[1]!);
    const session = await api.sessions.get(id);
    expect(session?.endedAt).not.toBeNull();
    expect(session?.endedWhy).toMatch(/did not refresh/);
  } finally {
    await api.close();
  }
});

it('keeps sessions across a payload-key rotation (no key is derived from the payload keys)', async () => {
  const account = await officeAccount();
  const keys = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-keys-')), 'payload-keys.json');
  copyFileSync(testPayloadKeysFile, keys);
  const store = await temporarySessionStore(readKeyRing(keys));
  const taskQueue = uniqueName('sessions');
  const before = await startApi(env, taskQueue, null, undefined, { ring: readKeyRing(keys), sessions: store });
  let cookie: string;
  try {
    cookie = await sessionCookie(before, account.username);
    expect((await openCallPage(before, cookie)).status).toBe(200);
  } finally {
    await before.close();
  }
  // The operators rotate the payload keys and restart the API: the old keys stay to open what they sealed.
  rotateKeyFile(keys);
  const after = await startApi(env, taskQueue, null, undefined, { ring: readKeyRing(keys), sessions: store, sessionRefreshMs: 500 });
  try {
    await sleep(600);
    // Still logged in, and refreshed with the refresh token sealed under the old key.
    expect((await openCallPage(after, cookie)).status).toBe(200);
    const session = await store.get(decodeURIComponent(cookie.split('=')[1]!));
    expect(session?.refreshedAt).toBeGreaterThan(session!.createdAt);
  } finally {
    await after.close();
    await store.close();
  }
});

it('names the cookie __Host- when served over TLS (Secure, Path=/, no Domain), and reads only that name there', async () => {
  const api = await startApi(env, uniqueName('sessions'), null, undefined, { publicUrl: 'https://alliance.example' });
  try {
    const id = await sessionFor(api, { role: 'office', id: 'office-kao' });
    expect((await openCallPage(api, `__Host-alliance_session=${id}`)).status).toBe(200);
    expect((await openCallPage(api, `alliance_session=${id}`)).status).toBe(303);
    const out = await fetch(`${api.url}/auth/logout`, { method: 'POST', headers: { cookie: `__Host-alliance_session=${id}` } });
    expect(out.status).toBe(204);
    const [cleared] = out.headers.getSetCookie();
    expect(cleared).toMatch(/^__Host-alliance_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax; Secure$/);
    expect((await api.sessions.get(id))?.endedWhy).toBe('logged out');
  } finally {
    await api.close();
  }
});

it('keeps sessions by the hash of their id, on PostgreSQL as on SQLite: refreshed, ended one by one or by the provider session, purged', async () => {
  const sqlite = await temporarySessionStore();
  const postgres = await SqlSessionStore.open(postgresDriver(await sharedPostgresDatabase('sessions')), {
    sealer: textSealer(readKeyRing(testPayloadKeysFile)),
  });
  for (const store of [sqlite, postgres]) {
    const actor = { role: 'office' as const, id: 'office-kao' };
    const made = await store.create({ subject: 'sub-1', providerSession: 'sid-1', actor, refreshToken: 'refresh-1', expiresAt: Date.now() + 60_000 });
    const other = await store.create({ subject: 'sub-1', providerSession: 'sid-2', actor, refreshToken: null, expiresAt: Date.now() + 60_000 });
    expect(made.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // An id one character off (the last one changed; one in sixteen ids already ends in A) finds nothing.
    const offByOne = `${made.id.slice(0, -1)}${made.id.endsWith('A') ? 'E' : 'A'}`;
    expect(await store.get(offByOne)).toBeNull();
    expect(await store.get('not-a-session')).toBeNull();
    expect(await store.get(made.id)).toMatchObject({ actor, refreshToken: 'refresh-1', csrf: made.csrf, endedAt: null });
    await store.refreshed(made.id, { actor: { role: 'pi', id: 'pi-lin' }, refreshToken: 'refresh-2', expiresAt: Date.now() + 60_000 });
    expect(await store.get(made.id)).toMatchObject({ actor: { role: 'pi', id: 'pi-lin' }, refreshToken: 'refresh-2' });
    expect(await store.endAt({ sid: 'sid-1', sub: 'sub-1' }, 'back-channel')).toBe(1);
    expect((await store.get(made.id))?.endedAt).not.toBeNull();
    expect((await store.get(other.id))?.endedAt).toBeNull();
    expect(await store.endAt({ sub: 'sub-1' }, 'back-channel')).toBe(1);
    await store.end(other.id, 'logged out');
    expect((await store.get(other.id))?.endedWhy).toBe('back-channel');
    const live = await store.create({ subject: 'sub-2', providerSession: null, actor, refreshToken: null, expiresAt: Date.now() + 60_000 });
    expect(await store.purge(Date.now() + 1_000)).toBe(2);
    expect(await store.get(made.id)).toBeNull();
    expect(await store.get(live.id)).not.toBeNull();
    await store.close();
  }
});
