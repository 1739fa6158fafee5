/**
 * `make bench-scale` (and a bounded run in `make test`): the programme at scale. Calls of
 * BENCH_SCALE_CALL applications, one a year, each through its whole year (registration,
 * endorsement, written review, presentations, decision, announcement, close), until the service
 * holds BENCH_SCALE_PROJECTS projects; the last call is measured in its written review. Every
 * figure is read at a tenth of the projects and at all of them, and printed beside its growth
 * ratio (the work grew tenfold). Prints figures; asserts only that the work was done.
 *
 *   BENCH_SCALE_PROJECTS=10000 BENCH_SCALE_CALL=1000 npx jest test/bench/scale --runInBand
 */
import os from 'node:os';
import type { WorkflowBundle } from '@temporalio/worker';
import { bundleServiceWorkflows } from '../helpers/project-harness';
import { uniqueName } from '../helpers/environments';
import { eventually } from './bench-kit';
import { cohortOf, Programme, progress, type CallYear } from './scale-calls';
import { measureReads, type Figure } from './scale-reads';
import { withWorld, type World } from './scale-world';

/** `make test`'s bounded run: two calls of ten, the second measured with the first closed. */
const PROJECTS = Number(process.env.BENCH_SCALE_PROJECTS ?? 20);
/** A call is a tenth of the projects (ten years of calls), at least ten applications. */
const CALL = Number(process.env.BENCH_SCALE_CALL ?? Math.max(10, Math.round(PROJECTS / 10)));
/** Requests of each page and of `/api/me` per size. */
const REQUESTS = Number(process.env.BENCH_SCALE_REQUESTS ?? 5);
const CALLS = Math.max(2, Math.round(PROJECTS / CALL));
/** The first measurement: a tenth of the calls (at least one). */
const FIRST_CALLS = Math.max(1, Math.round(CALLS / 10));
jest.setTimeout(Math.max(10 * 60_000, PROJECTS * 3_000));

let bundle: WorkflowBundle;
beforeAll(async () => {
  bundle = await bundleServiceWorkflows();
});

/** One size of the programme: its figures, and what the checks read. */
interface Size {
  projects: number;
  calls: number;
  figures: Figure[];
  piProjects: number;
}

/** The reviewer with the most applications of the call: whose `/api/me` is read. */
async function busiestReviewer(world: World, current: CallYear): Promise<string> {
  const load = new Map<string, number>();
  for (const ids of Object.values((await world.calls.status(current.callId)).assignments)) for (const id of ids) load.set(id, (load.get(id) ?? 0) + 1);
  return [...load].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
}

/** `newCalls` more years of the programme, the last call measured in its written review, then decided and closed. */
async function growTo(world: World, programme: Programme, newCalls: number, calls: number): Promise<Size> {
  const { current, review } = await programme.years(newCalls);
  expect(review.applied).toBeGreaterThanOrEqual(CALL);
  const projects = calls * CALL;
  // A PI who applies every year (the cohort numbers each division's applications from 001).
  const people = { pi: 'pi-te2-001', reviewer: await busiestReviewer(world, current) };
  progress(`${projects} projects in ${calls} calls: reading`);
  const reads = await measureReads(world, current, people, { projects, requests: REQUESTS });
  progress(`read: ${reads.figures.map((f) => `${f.what} ${f.value.toFixed(1)}`).join('; ')}`);
  const announcement = await programme.decideAndClose(current);
  expect(announcement.applied).toBe(CALL);
  return {
    projects,
    calls,
    figures: [
      { what: `the office's review start over the current call's ${CALL} applications`, value: review.ms / 1000, unit: 's' },
      { what: `the announcement over the current call's ${CALL} applications`, value: announcement.ms / 1000, unit: 's' },
      ...reads.figures,
    ],
    piProjects: reads.piProjects,
  };
}

const shown = (f: Figure): string =>
  Number.isNaN(f.value) ? '?' : f.unit === 'count' ? String(f.value) : `${f.value.toFixed(f.value < 10 ? 2 : 1)} ${f.unit}`;

function table(small: Size, large: Size, took: number): string {
  const work = large.projects / small.projects;
  const rows = small.figures.map((f, i) => {
    const g = large.figures[i]!;
    const ratio = g.value / f.value;
    const flag = f.unit !== 'count' && ratio > work * 1.25 ? ' ⚠ faster than the work' : '';
    return `| ${f.what} | ${shown(f)} | ${shown(g)} | ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}×${flag}` : '—'} |`;
  });
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    `The programme at scale (${new Date().toISOString()}), ${os.availableParallelism()} cores (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB:`,
    `calls of ${CALL} applications, one a year; ${small.calls} call(s) = ${small.projects} projects, then ${large.calls} calls = ${large.projects} projects (${work.toFixed(0)}× the work); built and measured in ${(took / 60_000).toFixed(1)} min.`,
    `| figure | at ${small.projects} projects | at ${large.projects} projects | growth |`,
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

it("gives the PI who applies every year a new institution each year, from the first year's", () => {
  const at = Array.from({ length: 10 }, (_, year) => cohortOf(1000, 105 + year).find((a) => a.id === 'TE2-001')!.institution.id);
  expect(new Set(at).size).toBe(10);
});

it(`prints the programme's figures at ${FIRST_CALLS * CALL} and ${CALLS * CALL} projects (calls of ${CALL})`, async () => {
  const started = Date.now();
  const [small, large] = await withWorld(bundle, async (world) => {
    const programme = new Programme(world, CALL, uniqueName('scale'));
    const first = await growTo(world, programme, FIRST_CALLS, FIRST_CALLS);
    const second = await growTo(world, programme, CALLS - FIRST_CALLS, CALLS);
    // The work was done: every project a workflow, every call closed, the PI's work one project a year.
    const count = async (query: string): Promise<number> => (await world.env.client.workflow.count(query)).count;
    expect(await count(`WorkflowType = 'projectWorkflow'`)).toBe(CALLS * CALL);
    // A closed call completes once its last ledger append is in: a moment after the office's close.
    expect(await eventually(async () => (await count(`WorkflowType = 'callWorkflow' AND ExecutionStatus = 'Completed'`)) === CALLS, 60_000)).toBe(true);
    expect(first.piProjects).toBe(FIRST_CALLS);
    expect(second.piProjects).toBe(CALLS);
    return [first, second];
  });
  for (const size of [small, large]) {
    expect(size.figures.length).toBeGreaterThan(15);
    for (const f of size.figures.filter((x) => !x.what.includes('resident'))) expect(Number.isFinite(f.value)).toBe(true);
  }
  console.log(table(small, large, Date.now() - started));
});
