/**
 * `make bench` (bounded in `make test`): whole three-year lives of the 105 call on the
 * time-skipping server, so many at once, beside bare workflows driven through the same phases
 * with as many commands. A fresh test server per batch: the pinned server stops skipping for good
 * once a workflow completes while an abandoned child of it still runs (a closing project's archive).
 * Prints figures; asserts only that every life closed.
 *
 *   BENCH_LIVES=1,10,50 npx jest test/bench/lives
 */
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { SqlLedgerStore } from '../../activities/ledger/sql-store';
import type { LedgerStore } from '../../activities/ledger/store';
import type { MailDependencies } from '../../activities/notices';
import { SqlNoticeLog } from '../../activities/notices/notice-log';
import { postgresDriver } from '../../activities/sql/postgres-driver';
import { fetchRunChain } from '../../activities/run-history';
import type { ProjectClient } from '../../gateway/projects';
import { alliance105 } from '../../domain/calls';
import { addDuration, subtractDuration } from '../../domain/duration';
import { rocYearOf } from '../../domain/roc-date';
import { projectYearEnd } from '../../machines/deadlines';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { startTimeSkippingServer, testSealer, uniqueName } from '../helpers/environments';
import { sharedPostgresDatabase } from '../helpers/postgres';
import { clockSkipper, phasesToFirstProjectYear, trancheYearPhases, type LifePhase } from '../helpers/life-105';
import { bundleBareWorkflow, bundleServiceWorkflows, shiftCall, temporaryMail, withServiceWorker } from '../helpers/project-harness';
import { bareCommand, bareFinish, type BareActivities } from './bare-workflow';

const BATCHES = (process.env.BENCH_LIVES ?? '1').split(',').map(Number);
/** `BENCH_STORE=postgres`: the ledger and notice log on PostgreSQL, as the workers of a deployment share them. */
const ON_POSTGRES = process.env.BENCH_STORE === 'postgres';

/** The project side's ledger and mail: SQLite files (the default), or PostgreSQL. */
async function projectStores(): Promise<{ ledger?: LedgerStore; mail?: MailDependencies; close(): Promise<void> }> {
  if (!ON_POSTGRES) return { close: () => Promise.resolve() };
  const database = await sharedPostgresDatabase('bench_lives');
  const ledger = await SqlLedgerStore.open(postgresDriver(database), { sealer: testSealer() });
  const log = await SqlNoticeLog.open(postgresDriver(database, { max: 8 }));
  const sink = await temporaryMail();
  return {
    ledger,
    mail: { ...sink.mail, log },
    close: async () => {
      await sink.stop();
      await Promise.all([ledger.close(), log.close()]);
    },
  };
}

let serviceBundle: WorkflowBundle;
let bareBundle: WorkflowBundle;
beforeAll(async () => {
  [serviceBundle, bareBundle] = await Promise.all([bundleServiceWorkflows(), bundleBareWorkflow()]);
});

/** The whole life after the first year starts: tranches, a site visit in year 2, reports, year ends, the closing report. */
function lifePhases(call: ReturnType<typeof shiftCall>): LifePhase[] {
  const { calendar, policy } = call;
  const yearEnd = (n: number) => projectYearEnd(calendar, policy.projectYearLength, n);
  const phases = phasesToFirstProjectYear(
    call,
    ['rev-1', 'rev-2', 'rev-3'].map((reviewerId) => ({ reviewerId })),
  );
  for (const year of [1, 2, 3]) {
    phases.push(...trancheYearPhases(year === 1 ? new Date(calendar.firstProjectYearStarts) : yearEnd(year - 1), year));
    if (year === 2) {
      const visitedOn = addDuration(calendar.siteVisitWindow.opens, 'P10D');
      phases.push({
        at: visitedOn,
        commands: [
          ['siteVisit.select', actors.office, {}],
          ['siteVisit.record', actors.office, { visitedOn: visitedOn.toISOString(), suggestions: 'Recruit more members' }],
        ],
      });
    }
    if (year < 3) {
      phases.push({
        at: subtractDuration(subtractDuration(yearEnd(year), policy.progressReportDueBeforeYearEnd), 'P10D'),
        commands: [
          ['progressReport.submit', actors.pi, { summary: `Year ${year}` }],
          ['progressReport.accept', actors.office, { comments: 'Accepted' }],
        ],
      });
    }
    phases.push({ at: addDuration(yearEnd(year), 'PT1H'), commands: [] });
  }
  phases.push({
    at: addDuration(yearEnd(3), 'P30D'),
    commands: [
      ['closingReport.submit', actors.pi, { summary: 'Self-sustaining' }],
      ['closingReport.accept', actors.office, { comments: 'Closed' }],
    ],
  });
  // In the order of their dates: the site visit falls between the second year's two tranches.
  return phases.sort((a, b) => a.at!.getTime() - b.at!.getTime());
}

interface BatchResult {
  ms: number;
  events: number[];
}

/** `lives` lives through the phases together: the clock moves once per phase, every life's commands in between. */
async function runBatch(side: 'project' | 'bare' | 'bareWithActivity', lives: number): Promise<BatchResult> {
  const env = await startTimeSkippingServer();
  try {
    const years = rocYearOf(new Date(await env.currentTimeMs())) - 105 + 1;
    const call = shiftCall(alliance105, years, uniqueName('bench-life'));
    const phases = lifePhases(call);
    const skipTo = clockSkipper(env);
    const taskQueue = uniqueName(`bench-${side}`);
    const drive = async (send: (id: string, command: LifePhase['commands'][number], n: number) => Promise<unknown>, ids: string[]) => {
      for (const phase of phases) {
        if (phase.at) await skipTo(phase.at);
        await Promise.all(
          ids.map(async (id, n) => {
            for (const command of phase.commands) await send(id, command, n);
          }),
        );
      }
    };
    if (side === 'project') {
      const stores = await projectStores();
      return await withServiceWorker(
        env,
        serviceBundle,
        taskQueue,
        async (projects: ProjectClient) => {
          const started = process.hrtime.bigint();
          const ids = await Promise.all(
            Array.from({ length: lives }, (_, n) => projects.create(call, anApplication({ id: `TE2-${String(n + 1).padStart(4, '0')}` }))),
          );
          await drive((id, [type, actor, payload]) => projects.send(id, type, actor, payload), ids);
          for (const id of ids) expect((await projects.handle(id).result()).lifecycle).toBe('closed');
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          // Every run of the chain, and every child it started (notices, the archive).
          const events = await Promise.all(
            ids.map(async (id) => {
              const runs = await fetchRunChain(env.client, id);
              const children = runs.flatMap((r) =>
                (r.history.events ?? []).flatMap((e) => e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId ?? []),
              );
              const childEvents = await Promise.all(
                children.map(async (child) => (await env.client.workflow.getHandle(child).fetchHistory()).events?.length ?? 0),
              );
              return runs.reduce((sum, r) => sum + (r.history.events?.length ?? 0), 0) + childEvents.reduce((a, b) => a + b, 0);
            }),
          );
          return { ms, events };
        },
        stores.ledger,
        stores.mail,
      ).finally(() => stores.close());
    }
    const activities: BareActivities = { bareAppend: () => Promise.resolve() };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: bareBundle,
      dataConverter: env.client.options.dataConverter,
      activities,
    });
    return await worker.runUntil(async () => {
      const started = process.hrtime.bigint();
      const ids = await Promise.all(
        Array.from(
          { length: lives },
          async (_, n) =>
            (await env.client.workflow.start(side === 'bare' ? 'bareWorkflow' : 'bareWorkflowWithActivity', { workflowId: `${taskQueue}-${n}`, taskQueue }))
              .workflowId,
        ),
      );
      await drive((id, [, actor, payload]) => env.client.workflow.getHandle(id).executeUpdate(bareCommand, { args: [{ actor, payload }] }), ids);
      for (const id of ids) await env.client.workflow.getHandle(id).executeUpdate(bareFinish);
      for (const id of ids) await env.client.workflow.getHandle(id).result();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const events = await Promise.all(ids.map(async (id) => (await env.client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0));
      return { ms, events };
    });
  } finally {
    await env.teardown();
  }
}

it(`prints whole 105 lives per minute on the time-skipping server beside bare (${BATCHES.join(', ')} at once)`, async () => {
  const rows: string[] = [];
  let events: { project: number[]; bare: number[]; withActivity: number[] } | undefined;
  for (const lives of BATCHES) {
    // Interleaved: bare first, then the projects, then bare with an activity, each on a fresh server.
    const bare = await runBatch('bare', lives);
    const project = await runBatch('project', lives);
    const perMinute = (r: BatchResult) => lives / (r.ms / 60_000);
    // Reference: bare with one activity per command, the floor of a durable step (a ledger append) per command.
    const withActivity = await runBatch('bareWithActivity', lives);
    rows.push(
      `| whole 105 lives, ${lives} at once, lives/min | ${perMinute(project).toFixed(1)} | ${perMinute(bare).toFixed(1)} | ${(perMinute(project) / perMinute(bare)).toFixed(2)}× | ${lives} | ${(project.ms / 1000).toFixed(1)} s | ${(bare.ms / 1000).toFixed(1)} s |`,
    );
    rows.push(
      `| the same beside bare with one activity per command (reference), lives/min | ${perMinute(project).toFixed(1)} | ${perMinute(withActivity).toFixed(1)} | ${(perMinute(project) / perMinute(withActivity)).toFixed(2)}× | ${lives} | ${(project.ms / 1000).toFixed(1)} s | ${(withActivity.ms / 1000).toFixed(1)} s |`,
    );
    events ??= { project: project.events, bare: bare.events, withActivity: withActivity.events };
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  rows.push(
    `| history events of one 105 life (all runs and children) | ${median(events!.project)} | ${median(events!.bare)} | ${(median(events!.project) / median(events!.bare)).toFixed(2)}× | ${events!.project.length} | | |`,
  );
  // Reference: the floor of one durable step (a ledger append) per command, without timers or mail.
  rows.push(
    `| the same beside bare with one activity per command (reference) | ${median(events!.project)} | ${median(events!.withActivity)} | ${(median(events!.project) / median(events!.withActivity)).toFixed(2)}× | ${events!.withActivity.length} | | |`,
  );
  console.log(
    [
      `Whole lives on the time-skipping server, a fresh server per batch, ledger and notice log on ${ON_POSTGRES ? 'PostgreSQL' : 'SQLite'}:`,
      '| what | project | bare | ratio | n | project time | bare time |',
      '|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
}, 1_800_000);
