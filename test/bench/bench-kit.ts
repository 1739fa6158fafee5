// What the benchmark beside bare Temporal drives both sides with: the same 25 commands of a
// project from draft to contract, timed one by one, and how the figures are summarized.
import type { Actor } from '../../domain/actor';
import type { ProjectEventType } from '../../domain/project-events';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { generateCohort, generateReviewerPool } from '../../client/cohort';
import { alliance105 } from '../../domain/calls';
import { CallClient } from '../../gateway/calls';
import type { ProjectClient } from '../../gateway/projects';
import { actors } from '../fixtures/project-events';
import { person } from '../fixtures/people';
import { uniqueName } from '../helpers/environments';
import { compressedCall, type temporaryLedger, type temporaryMail } from '../helpers/project-harness';
import { cpuPerCommand, cpuSpent } from './cpu';

export const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2);
export const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 4);
/** Applications of the call whose written review the office starts (the 105 call had 91). */
export const REVIEW = Number(process.env.BENCH_REVIEW ?? 6);
/** The call's bulk operations send to this many projects at once (activities/project-commands.ts). */
export const LANES = 8;

/** 25 commands of a project from draft to contract: eight reviewers, each told by mail. */
export const REVIEWERS = Array.from({ length: 8 }, (_, i) => ({ reviewerId: `rev-${i + 1}`, name: `Reviewer ${i + 1}`, email: `rev${i + 1}@itri.org.tw` }));
export const COMMANDS: [ProjectEventType, Actor, Record<string, unknown>][] = [
  ['application.submit', actors.pi, {}],
  ['endorsement.record', actors.institution, { rosterId: 'NTU-R1', letterReference: 'NTU-L1' }],
  ['review.start', actors.office, {}],
  ...REVIEWERS.map((r): [ProjectEventType, Actor, Record<string, unknown>] => ['reviewer.assign', actors.office, r]),
  ...REVIEWERS.map((r, i): [ProjectEventType, Actor, Record<string, unknown>] => [
    'review.record',
    person('reviewer', r.reviewerId),
    { score: 80 + i, recommendation: 'fund', comments: 'Credible alliance plan' },
  ]),
  ['presentation.invite', actors.office, {}],
  ['presentation.schedule', actors.office, { slot: new Date(Date.now() + 3_600_000).toISOString(), venue: '科技大樓 1701' }],
  ['presentation.record', actors.office, { panelScore: 86, comments: 'Convincing' }],
  ['decision.record', actors.office, { outcome: 'approved', amountsNtd: [2_000_000, 2_000_000, 2_000_000] }],
  ['decision.announce', actors.office, {}],
  ['contract.issue', actors.office, { contractNumber: 'MOST 106-2622-E-002-001' }],
];

export const elapsedMs = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e6;
export const quantile = (samples: number[], q: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
export const spread = (samples: number[]): string =>
  `${Math.min(...samples).toFixed(1)}/${quantile(samples, 0.5).toFixed(1)}/${Math.max(...samples).toFixed(1)}`;

/** The two sides, driven the same way: create, then the same 25 commands in order. */
export interface Side {
  create(n: number): Promise<string>;
  command(id: string, index: number): Promise<void>;
}

export async function runCommands(side: Side, id: string, latencies: number[]): Promise<void> {
  for (let i = 0; i < COMMANDS.length; i++) {
    const started = process.hrtime.bigint();
    await side.command(id, i);
    latencies.push(elapsedMs(started));
  }
}

export async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** A call of `review` applications, each submitted and on its institution's roster, up to the office's review start. */
export async function startReviewOfCall(
  env: TestWorkflowEnvironment,
  projects: ProjectClient,
  projectQueue: string,
  review: number,
  lanes: number,
): Promise<{ projects: number; applied: number; ms: number }> {
  const calls = new CallClient(env.client, projectQueue);
  const cohort = generateCohort(105).slice(0, review);
  const reviewCall = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 4 + review * 0.4,
      endorsementIn: 6 + review * 0.5,
      firstYearStartsIn: 86_400,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    uniqueName('bench-review'),
  );
  await calls.open(reviewCall, generateReviewerPool(105));
  // Eight PIs at a time, as the call's own bulk operations go: a workflow takes only so many updates in flight.
  const registered: { id: string; application: (typeof cohort)[number] }[] = [];
  const waiting = [...cohort];
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let application = waiting.shift(); application; application = waiting.shift()) {
        const actor: Actor = person('pi', application.pi.id);
        const id = await calls.registerApplication(reviewCall.id, actor, application);
        await projects.send(id, 'application.submit', actor, {});
        registered.push({ id, application });
      }
    }),
  );
  const byInstitution = new Map<string, string[]>();
  for (const { application } of registered)
    byInstitution.set(application.institution.id, [...(byInstitution.get(application.institution.id) ?? []), application.id]);
  for (const [institutionId, applicationIds] of byInstitution) {
    await calls.submitRoster(reviewCall.id, person('institution', institutionId), {
      rosterId: `${institutionId}-R1`,
      letterReference: `${institutionId}-L1`,
      applicationIds,
    });
  }
  if (!(await eventually(async () => (await calls.status(reviewCall.id)).state === 'endorsementsClosed', 300_000)))
    throw new Error('the call did not close its endorsements');
  const started = process.hrtime.bigint();
  const outcome = await calls.startWrittenReview(reviewCall.id, actors.office);
  const ms = elapsedMs(started);
  expect(outcome.skipped).toEqual([]);
  expect(outcome.unreachable).toEqual([]);
  return { projects: registered.length, applied: outcome.applied, ms };
}

/** What every stage of the benchmark works with: the two sides, the service's stores and client, and where the figures go. */
export interface Bench {
  projects: ProjectClient;
  projectQueue: string;
  ledger: Awaited<ReturnType<typeof temporaryLedger>>['ledger'];
  mail: Awaited<ReturnType<typeof temporaryMail>>;
  project: Side;
  bare: Side;
  bareWithActivity: Side;
  sideOf: (client: ProjectClient) => Side;
  /** The next workflow's number: every side's workflows are numbered apart. */
  next: () => number;
  row: (what: string, p: string, b: string, ratio: number, n: number, pSpread: string, bSpread: string) => void;
  serverPid: number | undefined;
}
export type Rate = { rate: number; ids: string[]; ms: number; cpu: ReturnType<typeof cpuPerCommand> };

/** CONCURRENT workflows of a side, all their commands at once: the rate, and the CPU spent per command. */
export async function perSecond({ next, serverPid }: Bench, side: Side): Promise<Rate> {
  const created = await Promise.all(Array.from({ length: CONCURRENT }, () => side.create(next())));
  const started = process.hrtime.bigint();
  const cpuBefore = cpuSpent(serverPid);
  const each: number[] = [];
  await Promise.all(created.map((id) => runCommands(side, id, each)));
  const ms = elapsedMs(started);
  const cpu = cpuPerCommand(cpuBefore, cpuSpent(serverPid), CONCURRENT * COMMANDS.length);
  return { rate: (CONCURRENT * COMMANDS.length) / (ms / 1000), ids: created, ms, cpu };
}
export const cpuText = ({ server, here }: ReturnType<typeof cpuPerCommand>): string => `${server?.toFixed(2) ?? '?'} + ${here.toFixed(2)}`;
export const cpuTotal = ({ server, here }: ReturnType<typeof cpuPerCommand>): number => (server ?? 0) + here;
