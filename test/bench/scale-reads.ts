/**
 * What people and auditors read, timed at one size of the programme (test/bench/scale.test.ts):
 * the office's dashboard and `/api/me` through HTTP, `/api/me`'s service before and after its fix
 * beside each other, the auditor's search and `verify --all`, the processes' memory and the
 * databases' sizes. Figures only; the checks are of the work, never of a speed.
 */
import type { Client } from '@temporalio/client';
import type { Actor } from '../../domain/actor';
import { callWorkflowId } from '../../domain/ids';
import { callStatusQuery } from '../../messages/call';
import { callViewFor } from '../../machines/views';
import { listCalls } from '../../server/services/calls';
import { myWork, workItems } from '../../server/services/my-work';
import type { Services } from '../../server/services/services';
import { SESSION_COOKIE } from '../../server/session';
import { identityProvider, sessionFor } from '../helpers/api';
import { parsePrometheus, sampleValue } from '../helpers/prometheus';
import { elapsedMs, quantile } from './bench-kit';
import type { CallYear } from './scale-calls';
import { postgresBytes, residentBytes, temporalDatabaseBytes, type World } from './scale-world';

/** One figure at one size: its value, and how it is printed. */
export interface Figure {
  what: string;
  value: number;
  unit: 'ms' | 's' | 'MB' | 'count';
}

/**
 * `/api/me`'s service as it was before issue 37: every call's status queried in turn, closed calls
 * replayed by their query (straight through Temporal: the call client now keeps the views read).
 */
export async function myWorkBefore(services: Services, client: Client, actor: Actor): Promise<{ projects: unknown[]; openCalls: string[] }> {
  const calls = await services.bounded('command', () => listCalls(services));
  const projects: unknown[] = [];
  for (const call of calls) {
    const status = await services.bounded('command', () => client.workflow.getHandle(callWorkflowId(call.callId)).query(callStatusQuery));
    const view = callViewFor(actor, status);
    projects.push(...workItems(call.callId, view, actor));
  }
  return { projects, openCalls: calls.filter((c) => c.state === 'open').map((c) => c.callId) };
}

/** `n` runs of `work` one after another: their times in ms, sorted. */
async function timed(n: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = process.hrtime.bigint();
    await work();
    times.push(elapsedMs(started));
  }
  return times.sort((a, b) => a - b);
}

/** An access token of a seeded account, fresh (a cached one may have expired during a long run). */
async function freshToken(username: string): Promise<string> {
  const response = await fetch(`${identityProvider().issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'alliance-cli', username, password: 'alliance-demo', scope: 'openid' }),
  });
  if (!response.ok) throw new Error(`no token for ${username}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** GETs `path` of the API `n` times after one warm-up; fails on anything but 200. */
async function getTimes(world: World, path: string, headers: Record<string, string>, n: number): Promise<{ times: number[]; body: string }> {
  let body = '';
  const get = async (): Promise<void> => {
    const response = await fetch(`${world.api.url}${path}`, { headers });
    body = await response.text();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${body.slice(0, 300)}`);
  };
  await get();
  return { times: await timed(n, get), body };
}

const p50p95 = (what: string, times: number[]): Figure[] => [
  { what: `${what}, p50`, value: quantile(times, 0.5), unit: 'ms' },
  { what: `${what}, p95`, value: quantile(times, 0.95), unit: 'ms' },
];

/** Whom `/api/me` is asked for: a PI with an application in every call, and a reviewer drawn in the current one. */
export interface People {
  pi: string;
  reviewer: string;
}

/** How the API's reads of a call's status were answered so far (its /metrics). */
async function statusReads(world: World): Promise<{ kept: number; queried: number }> {
  const samples = parsePrometheus(await (await fetch(`${world.api.url}/metrics`)).text());
  const count = (answer: string): number => sampleValue(samples, 'alliance_api_call_status_reads_total', { answer }) ?? NaN;
  return { kept: count('kept'), queried: count('queried') };
}

/** The office's dashboard (every call, and the current call's) and `/api/me` over HTTP. */
async function pages(world: World, current: CallYear, people: People, requests: number): Promise<{ figures: Figure[]; piProjects: number }> {
  const reads = await statusReads(world);
  const cookie = await sessionFor(world.api, { role: 'office', id: 'office-kao' }, Date.now() + 6 * 3600_000);
  const asOffice = { cookie: `${SESSION_COOKIE}=${cookie}` };
  const whole = await getTimes(world, '/web', asOffice, requests);
  const ofCall = await getTimes(world, `/web?call=${current.callId}`, asOffice, requests);
  const pi = await getTimes(world, '/api/me', { authorization: `Bearer ${await freshToken(people.pi)}` }, requests);
  const reviewer = await getTimes(world, '/api/me', { authorization: `Bearer ${await freshToken(people.reviewer)}` }, requests);
  const readsAfter = await statusReads(world);
  return {
    figures: [
      ...p50p95("office's dashboard, every call", whole.times),
      ...p50p95("office's dashboard of the current call", ofCall.times),
      ...p50p95(`/api/me of a PI (${people.pi})`, pi.times),
      ...p50p95(`/api/me of a reviewer (${people.reviewer})`, reviewer.times),
      // The pages read the open call's status at every request: answered from the view kept unless the call moved.
      { what: "these requests' reads of the current call's status answered from the view kept", value: readsAfter.kept - reads.kept, unit: 'count' },
      { what: "these requests' reads of the current call's status that queried the call", value: readsAfter.queried - reads.queried, unit: 'count' },
    ],
    piProjects: (JSON.parse(pi.body) as { projects: unknown[] }).projects.length,
  };
}

/** `/api/me`'s service before and after its fix, for the PI, timed alone; their answers must be the same. */
async function myWorkBeforeAfter(world: World, people: People, requests: number): Promise<Figure[]> {
  const actor: Actor = { role: 'pi', id: people.pi };
  const cold = process.hrtime.bigint();
  const after = await myWork(world.freshServices(), actor);
  const coldMs = elapsedMs(cold);
  expect(after).toEqual(await myWorkBefore(world.services, world.env.client, actor));
  // The same answer for everyone else too: a reviewer, a research office, the office.
  const others: Actor[] = [
    { role: 'reviewer', id: people.reviewer },
    { role: 'institution', id: 'NTU' },
    { role: 'office', id: 'office-kao' },
  ];
  for (const other of others) expect(await myWork(world.services, other)).toEqual(await myWorkBefore(world.services, world.env.client, other));
  // Three runs of the old service (seconds each at scale): its median is figure enough.
  const beforeTimes = await timed(3, () => myWorkBefore(world.services, world.env.client, actor));
  const afterTimes = await timed(Math.max(3, requests), () => myWork(world.services, actor));
  return [
    { what: `/api/me's service for the PI, before the fix (every call's status queried in turn), p50`, value: quantile(beforeTimes, 0.5), unit: 'ms' },
    { what: `/api/me's service for the PI, after the fix, first request of a process (closed calls read from their results)`, value: coldMs, unit: 'ms' },
    { what: `/api/me's service for the PI, after the fix, p50`, value: quantile(afterTimes, 0.5), unit: 'ms' },
  ];
}

/** The auditor's search (the current call; every project) and `verify --all`. */
async function auditorReads(world: World, current: CallYear, projects: number): Promise<Figure[]> {
  let found = 0;
  const ofCall = await timed(3, async () => (found = (await world.audit.search({ callId: current.callId })).length));
  expect(found).toBe(current.projectIds.length);
  const every = await timed(3, async () => (found = (await world.audit.search({})).length));
  expect(found).toBe(projects);
  const started = process.hrtime.bigint();
  const report = await world.audit.verify();
  const verifyMs = elapsedMs(started);
  expect(report.broken).toBeNull();
  expect(report.comparedWithTemporal).toBeGreaterThan(0);
  return [
    { what: 'audit search of the current call, p50', value: quantile(ofCall, 0.5), unit: 'ms' },
    { what: 'audit search of every project, p50', value: quantile(every, 0.5), unit: 'ms' },
    { what: 'audit verify --all', value: verifyMs / 1000, unit: 's' },
    { what: 'ledger entries checked by verify --all', value: report.checked, unit: 'count' },
  ];
}

/** Memory of the processes and the databases' sizes. */
async function footprint(world: World): Promise<Figure[]> {
  const mb = (bytes: number | undefined): number => (bytes ?? NaN) / 1024 / 1024;
  const { rss, heapUsed } = process.memoryUsage();
  return [
    { what: "this process's resident memory (worker, API, clients)", value: mb(rss), unit: 'MB' },
    { what: "this process's JavaScript heap in use", value: mb(heapUsed), unit: 'MB' },
    { what: "the Temporal server's resident memory", value: mb(residentBytes(world.serverPid)), unit: 'MB' },
    { what: 'the Temporal database (SQLite file and its log)', value: mb(temporalDatabaseBytes(world)), unit: 'MB' },
    { what: 'the ledger and notice log (PostgreSQL database)', value: mb(await postgresBytes(world)), unit: 'MB' },
  ];
}

/** Every read figure at this size. */
export async function measureReads(
  world: World,
  current: CallYear,
  people: People,
  { projects, requests }: { projects: number; requests: number },
): Promise<{ figures: Figure[]; piProjects: number }> {
  const { figures: pageFigures, piProjects } = await pages(world, current, people, requests);
  return {
    figures: [
      ...pageFigures,
      ...(await myWorkBeforeAfter(world, people, requests)),
      ...(await auditorReads(world, current, projects)),
      ...(await footprint(world)),
    ],
    piProjects,
  };
}
