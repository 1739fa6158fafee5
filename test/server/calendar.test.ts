// Everyone's calendar: a secret, revocable address of their to-do list as iCalendar, read by a real
// iCalendar parser (ical.js) with the same deadlines /api/me/todo lists; a revoked or replaced
// address answers 404, and nobody else's list is reachable through it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import ICAL from 'ical.js';
import { alliance105 } from '../../domain/calls';
import { anApplication } from '../fixtures/applications';
import { call, tokenFor, withApi, type RunningApi } from '../helpers/api';
import { allianceAs } from '../helpers/cli';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall as calendar } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

jest.setTimeout(3 * 60_000);

type Todo = { projectId: string; command: string; deadline: string; due: string };
/** iCalendar's times are to the second (the try-out calendars' deadlines carry milliseconds). */
const toSecond = (instant: string): string => new Date(Math.floor(Date.parse(instant) / 1000) * 1000).toISOString();

/** The feed as a calendar program fetches it: no log-in, only the address. */
async function fetchFeed(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

/** Each event of the feed, as ical.js reads it: its uid, instant and summary. */
function eventsOf(ics: string): { uid: string; at: string; summary: string; url: string }[] {
  const root = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  expect(root.name).toBe('vcalendar');
  return root.getAllSubcomponents('vevent').map((v) => {
    const event = new ICAL.Event(v);
    return { uid: event.uid, at: event.startDate.toJSDate().toISOString(), summary: event.summary, url: String(v.getFirstPropertyValue('url')) };
  });
}

async function twoSubmitted(api: RunningApi): Promise<string> {
  const [office, lin] = await Promise.all([tokenFor('kao'), tokenFor('pi-lin')]);
  const callFile = compressedCall(alliance105, Date.now(), calendar, uniqueName('calendar'));
  expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: [] })).status).toBe(201);
  for (const id of ['TE2-0001', 'TE2-0002']) {
    const application = anApplication({ id, title: `智慧製造聯盟，第 ${id.slice(-1)} 案；「測試」` });
    expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application })).status).toBe(201);
    expect((await call(api, 'POST', `/api/projects/${callFile.id}/${id}/application.submit`, lin, {})).status).toBe(200);
  }
  return callFile.id;
}

it('serves a research office its endorsements to record as iCalendar at a secret address, until it is revoked or replaced', async () => {
  await withApi(env, bundle, async (api) => {
    const callId = await twoSubmitted(api);
    const ntu = await tokenFor('ntu-rd');
    const made = await call<{ url: string }>(api, 'POST', '/api/me/calendar', ntu);
    expect(made.status).toBe(201);
    expect(made.body.url).toMatch(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);

    const feed = await fetchFeed(made.body.url);
    expect([feed.status, feed.type]).toEqual([200, 'text/calendar; charset=utf-8']);
    expect(feed.body.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    const todo = (await call<Todo[]>(api, 'GET', '/api/me/todo?limit=1000', ntu)).body;
    const events = eventsOf(feed.body);
    expect(events.map((e) => [e.uid, e.at]).sort()).toEqual(todo.map((t) => [`${t.projectId}/${t.deadline}@alliance`, toSecond(t.due)]).sort());
    const ours = events.filter((e) => e.uid.startsWith(`project:${callId}:`));
    expect(ours).toHaveLength(2);
    // Escaped commas, semicolons and long Chinese lines come back whole; each event links to its project's page.
    expect(ours.map((e) => e.summary).sort()).toEqual(['TE2-0001', 'TE2-0002'].map((id) => `機構推薦：${id} 智慧製造聯盟，第 ${id.slice(-1)} 案；「測試」`));
    expect(ours.map((e) => e.url).sort()).toEqual(['TE2-0001', 'TE2-0002'].map((id) => `${api.url}/web/projects/${callId}/${id}`));

    // A new address replaces the old; a revoked one and one never made answer 404.
    const again = await call<{ url: string }>(api, 'POST', '/api/me/calendar?lang=en', ntu);
    expect((await fetchFeed(made.body.url)).status).toBe(404);
    expect(eventsOf((await fetchFeed(again.body.url)).body).some((e) => e.summary.startsWith('endorsement.record:'))).toBe(true);
    expect((await call(api, 'DELETE', '/api/me/calendar', ntu)).body).toEqual({ revoked: true });
    expect((await fetchFeed(again.body.url)).status).toBe(404);
    expect((await call(api, 'DELETE', '/api/me/calendar', ntu)).status).toBe(404);
    expect((await fetchFeed(`${api.url}/calendar/${'A'.repeat(43)}.ics`)).status).toBe(404);
    expect((await fetchFeed(`${api.url}/calendar/..%2F..%2Fetc.ics`)).status).toBe(404);
    // Without a log-in no feed is made.
    expect((await call(api, 'POST', '/api/me/calendar')).status).toBe(401);

    // The command line: the to-do list, and an address made and revoked.
    expect((await allianceAs('ntu-rd', api.url, ['todo'])).stdout).toContain(`project:${callId}:TE2-0002`);
    const { url } = JSON.parse((await allianceAs('ntu-rd', api.url, ['calendar', 'create', '--json'])).stdout) as { url: string };
    expect((await fetchFeed(url)).status).toBe(200);
    expect((await allianceAs('ntu-rd', api.url, ['calendar', 'revoke'])).stdout).toBe('calendar address revoked\n');
    expect((await fetchFeed(url)).status).toBe(404);
  });
});

it('keeps a daily digest of reminders as the person chose it, by the address their account verified', async () => {
  await withApi(env, bundle, async (api) => {
    const lin = await tokenFor('pi-lin');
    const before = await call<{ daily: boolean; chosenAt: string | null; email: string }>(api, 'GET', '/api/me/digest', lin);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ daily: false, chosenAt: null });
    const email = before.body.email;
    const chosen = await call<{ daily: boolean; chosenAt: string | null }>(api, 'PUT', '/api/me/digest', lin, { daily: true });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({ daily: true, email });
    expect((await call(api, 'GET', '/api/me/digest', lin)).body).toEqual(chosen.body);
    expect((await call(api, 'PUT', '/api/me/digest', lin, { daily: 'yes' })).status).toBe(400);
    // The command line, as the same person: stopped, and said so.
    expect((await allianceAs('pi-lin', api.url, ['digest', 'off'])).stdout).toMatch(
      new RegExp(`^each reminder at once to ${email.replace('.', '\\.')} \\(since `),
    );
    expect((await allianceAs('pi-lin', api.url, ['digest'])).stdout).toMatch(/^each reminder at once/);
  });
});
