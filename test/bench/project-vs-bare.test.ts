/**
 * `make bench` (and a bounded run in `make test`): what a project's command costs beside bare
 * Temporal, on the same dev server, in one run, interleaved. Prints figures; asserts only that
 * both sides did all their work, never a speed.
 *
 *   BENCH_SEQUENTIAL=6 BENCH_CONCURRENT=50 BENCH_REVIEW=91 npx jest test/bench/project-vs-bare
 */
import { type WorkflowBundle, Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { ProjectClient } from '../../gateway/projects';
import { alliance105 } from '../../domain/calls';
import { createServiceWorker } from '../../worker/create-worker';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { SqlLedgerStore } from '../../activities/ledger/sql-store';
import { SqlNoticeLog } from '../../activities/notices/notice-log';
import { postgresDriver } from '../../activities/sql/postgres-driver';
import { connectDevServer, testDocumentStore, testSealer, uniqueName } from '../helpers/environments';
import { sharedPostgresDatabase } from '../helpers/postgres';
import { bundleBareWorkflow, bundleServiceWorkflows, compressedCall, temporaryLedger, temporaryMail } from '../helpers/project-harness';
import { bareCommand, bareFinish, type BareActivities } from './bare-workflow';
import { devServerPid } from './cpu';
import {
  COMMANDS,
  elapsedMs,
  eventually,
  quantile,
  runCommands,
  spread,
  startReviewOfCall,
  type Side,
  type Bench,
  type Rate,
  perSecond,
  cpuText,
  cpuTotal,
  SEQUENTIAL,
  CONCURRENT,
  REVIEW,
  LANES,
} from './bench-kit';

let env: TestWorkflowEnvironment;
let serviceBundle: WorkflowBundle;
let bareBundle: WorkflowBundle;
beforeAll(async () => {
  [env, serviceBundle, bareBundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows(), bundleBareWorkflow()]);
});
afterAll(() => env?.teardown());

/** History events of a workflow, its children's (a project's notices) included. */
async function eventsOf(id: string): Promise<number> {
  const history = await env.client.workflow.getHandle(id).fetchHistory();
  const children = (history.events ?? []).flatMap((e) =>
    e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId
      ? [e.childWorkflowExecutionStartedEventAttributes.workflowExecution.workflowId]
      : [],
  );
  const childEvents = await Promise.all(children.map(async (child) => (await env.client.workflow.getHandle(child).fetchHistory()).events?.length ?? 0));
  return (history.events?.length ?? 0) + childEvents.reduce((a, b) => a + b, 0);
}

/** Sequential: one project, one bare workflow and one bare with an activity, taking turns at going first. */
async function sequentialStage(b: Bench) {
  const { project, bare, bareWithActivity, next, row } = b;
  const latency = { project: [] as number[], bare: [] as number[], bareWithActivity: [] as number[] };
  const ids = { project: [] as string[], bare: [] as string[], bareWithActivity: [] as string[] };
  const sides: ['project' | 'bare' | 'bareWithActivity', Side][] = [
    ['project', project],
    ['bare', bare],
    ['bareWithActivity', bareWithActivity],
  ];
  for (let round = 0; round < SEQUENTIAL; round++) {
    const order = [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)];
    for (const [name, side] of order) {
      const id = await side.create(next());
      ids[name].push(id);
      await runCommands(side, id, latency[name]);
    }
  }
  const p50 = { project: quantile(latency.project, 0.5), bare: quantile(latency.bare, 0.5) };
  const p99 = { project: quantile(latency.project, 0.99), bare: quantile(latency.bare, 0.99) };
  row(
    `${COMMANDS.length} commands in sequence (${SEQUENTIAL} projects), latency p50 / p99 ms`,
    `${p50.project.toFixed(1)} / ${p99.project.toFixed(1)}`,
    `${p50.bare.toFixed(1)} / ${p99.bare.toFixed(1)}`,
    p50.project / p50.bare,
    latency.project.length,
    spread(latency.project),
    spread(latency.bare),
  );
  const withActivity = { p50: quantile(latency.bareWithActivity, 0.5), p99: quantile(latency.bareWithActivity, 0.99) };
  row(
    `the same beside bare with one activity per command (reference: a durable step per command), p50 / p99 ms`,
    `${p50.project.toFixed(1)} / ${p99.project.toFixed(1)}`,
    `${withActivity.p50.toFixed(1)} / ${withActivity.p99.toFixed(1)}`,
    p50.project / withActivity.p50,
    latency.project.length,
    spread(latency.project),
    spread(latency.bareWithActivity),
  );
  return ids;
}

/** At once: every project's commands in order, all projects together; then the same for bare. */
async function atOnceStage(b: Bench) {
  const { project, bare, bareWithActivity, ledger, projectQueue, row } = b;
  // At once: every project's commands in order, all projects together; then the same for bare.
  // CPU spent while the commands went through: by the server, and by this process (clients, the
  // worker with its workflow threads, the mail sink). Two cores: at once, CPU per command bounds the rate.
  const concurrentStart = process.hrtime.bigint();
  const atOnce = await perSecond(b, project);
  // Settled: every transition in the ledger, every delivery done, every notice workflow closed.
  const expected = (SEQUENTIAL + CONCURRENT) * COMMANDS.length;
  const deliveriesDone = async (): Promise<boolean> =>
    (await Promise.all(atOnce.ids.map(async (id) => (await env.client.workflow.getHandle(id).describe()).raw.pendingActivities?.length ?? 0))).every(
      (n) => n === 0,
    );
  const settled = await eventually(
    async () =>
      (await ledger.entries()).length >= expected &&
      (await deliveriesDone()) &&
      (await env.client.workflow.count(`TaskQueue = '${projectQueue}' AND ExecutionStatus = 'Running' AND WorkflowType = 'noticeWorkflow'`)).count === 0,
    120_000,
  );
  const settledRate = (CONCURRENT * COMMANDS.length) / (elapsedMs(concurrentStart) / 1000);
  const bareAtOnce = await perSecond(b, bare);
  row(
    `${CONCURRENT} projects × ${COMMANDS.length} commands at once, commands/s`,
    `${atOnce.rate.toFixed(1)} (${settled ? settledRate.toFixed(1) : 'not'} settled with mail and ledger)`,
    bareAtOnce.rate.toFixed(1),
    atOnce.rate / bareAtOnce.rate,
    CONCURRENT * COMMANDS.length,
    `${(atOnce.ms / 1000).toFixed(1)} s`,
    `${(bareAtOnce.ms / 1000).toFixed(1)} s`,
  );
  const withActivityAtOnce = await perSecond(b, bareWithActivity);
  row(
    `the same beside bare with one activity per command (reference), commands/s`,
    atOnce.rate.toFixed(1),
    withActivityAtOnce.rate.toFixed(1),
    atOnce.rate / withActivityAtOnce.rate,
    CONCURRENT * COMMANDS.length,
    `${(atOnce.ms / 1000).toFixed(1)} s`,
    `${(withActivityAtOnce.ms / 1000).toFixed(1)} s`,
  );
  row(
    `CPU per command while ${CONCURRENT} at once, ms: Temporal server + this process (clients, worker, mail sink)`,
    cpuText(atOnce.cpu),
    cpuText(bareAtOnce.cpu),
    cpuTotal(atOnce.cpu) / cpuTotal(bareAtOnce.cpu),
    CONCURRENT * COMMANDS.length,
    '',
    '',
  );
  row(
    `the same beside bare with one activity per command (reference), ms`,
    cpuText(atOnce.cpu),
    cpuText(withActivityAtOnce.cpu),
    cpuTotal(atOnce.cpu) / cpuTotal(withActivityAtOnce.cpu),
    CONCURRENT * COMMANDS.length,
    '',
    '',
  );
  return { atOnce, bareAtOnce, withActivityAtOnce, settled };
}

/** The attempts each activity took while at once, beside bare with one activity per command. */
async function retriesStage({ row }: Bench, atOnce: Rate, withActivityAtOnce: Rate): Promise<void> {
  // The attempts each activity took while at once (its started event names the last): one that
  // failed and was retried costs the server and the worker slots again, and holds up settling.
  const attemptsOf = async (ids: string[]): Promise<number[]> =>
    (
      await Promise.all(
        ids.map(async (id) =>
          ((await env.client.workflow.getHandle(id).fetchHistory()).events ?? []).flatMap((e) =>
            e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : [],
          ),
        ),
      )
    ).flat();
  const meanOf = (attempts: number[]): number => attempts.reduce((a, b) => a + b, 0) / Math.max(1, attempts.length);
  const attemptsText = (attempts: number[]): string => `${attempts.filter((a) => a > 1).length} of ${attempts.length}, mean ${meanOf(attempts).toFixed(2)}`;
  const [projectAttempts, referenceAttempts] = await Promise.all([attemptsOf(atOnce.ids), attemptsOf(withActivityAtOnce.ids)]);
  row(
    `activities retried while ${CONCURRENT} at once, beside bare with one activity per command (reference)`,
    attemptsText(projectAttempts),
    attemptsText(referenceAttempts),
    meanOf(projectAttempts) / meanOf(referenceAttempts),
    projectAttempts.length,
    spread(projectAttempts),
    spread(referenceAttempts),
  );
}

/** The same at once with the ledger and the notice log on PostgreSQL. */
async function postgresStage(b: Bench, bareAtOnce: Rate): Promise<void> {
  const { sideOf, mail, row } = b;
  // The ledger and the notice log on PostgreSQL, as a deployment's workers share them (activities/stores.ts): writes wait on the network, not the main thread.
  const documents = testDocumentStore();
  const database = await sharedPostgresDatabase('bench');
  const pgLedger = await SqlLedgerStore.open(postgresDriver(database), { sealer: testSealer() });
  const pgNotices = await SqlNoticeLog.open(postgresDriver(database, { max: 8 }));
  const pgQueue = uniqueName('bench-project-pg');
  const pgProjects = new ProjectClient(env.client, pgQueue);
  const pgWorker = await createServiceWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: pgQueue,
    workflowBundle: serviceBundle,
    dataConverter: env.client.options.dataConverter,
    activities: createActivities({ projects: pgProjects, client: env.client, ledger: pgLedger, documents, mail: { ...mail.mail, log: pgNotices } }),
  });
  const pgAtOnce = await pgWorker.runUntil(async () => {
    const measured = await perSecond(b, sideOf(pgProjects));
    // Settled before the worker stops, so no append is cut short.
    await eventually(async () => (await pgLedger.entries()).length >= CONCURRENT * COMMANDS.length, 120_000);
    return measured;
  });
  await Promise.all([pgLedger.close(), pgNotices.close()]);
  row(
    `${CONCURRENT} projects × ${COMMANDS.length} commands at once, ledger and notice log on PostgreSQL, commands/s`,
    pgAtOnce.rate.toFixed(1),
    bareAtOnce.rate.toFixed(1),
    pgAtOnce.rate / bareAtOnce.rate,
    CONCURRENT * COMMANDS.length,
    `${(pgAtOnce.ms / 1000).toFixed(1)} s`,
    `${(bareAtOnce.ms / 1000).toFixed(1)} s`,
  );
}

/** History events of one project's commands, beside bare's and bare with an activity's. */
async function eventsStage({ row }: Bench, ids: Awaited<ReturnType<typeof sequentialStage>>, withActivityAtOnce: Rate): Promise<void> {
  // History events of one project's 25 commands, its notices' histories included.
  const projectEvents = await Promise.all(ids.project.map(eventsOf));
  const bareEvents = await Promise.all(ids.bare.map(eventsOf));
  row(
    `history events of ${COMMANDS.length} commands (notices' histories included)`,
    String(quantile(projectEvents, 0.5)),
    String(quantile(bareEvents, 0.5)),
    quantile(projectEvents, 0.5) / quantile(bareEvents, 0.5),
    ids.project.length,
    spread(projectEvents),
    spread(bareEvents),
  );
  for (const id of [...ids.bareWithActivity, ...withActivityAtOnce.ids]) await env.client.workflow.getHandle(id).executeUpdate(bareFinish);
  const withActivityEvents = await Promise.all(
    ids.bareWithActivity.map(async (id) => {
      await env.client.workflow.getHandle(id).result();
      return eventsOf(id);
    }),
  );
  row(
    `the same beside bare with one activity per command (reference)`,
    String(quantile(projectEvents, 0.5)),
    String(quantile(withActivityEvents, 0.5)),
    quantile(projectEvents, 0.5) / quantile(withActivityEvents, 0.5),
    ids.project.length,
    spread(projectEvents),
    spread(withActivityEvents),
  );
}

/** The office's review start over a whole call, beside bare driven the same way. */
async function reviewStage({ projects, projectQueue, bare, next, row }: Bench): Promise<void> {
  // The office starts the written review over a whole call: the call sends each endorsed project
  // its review.start and assignments in one batch, eight projects at a time. Bare, driven the same
  // way: one update per workflow carrying as many commands, the same lanes.
  const review = await startReviewOfCall(env, projects, projectQueue, REVIEW, LANES);
  const bareWorkflows = await Promise.all(Array.from({ length: review.projects }, () => bare.create(next())));
  const perWorkflow = Math.ceil(review.applied / review.projects);
  const bareStarted = process.hrtime.bigint();
  const queue = [...bareWorkflows];
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const batch = Array.from({ length: perWorkflow }, (_, i) => ({
          actor: COMMANDS[i % COMMANDS.length]![1],
          payload: COMMANDS[i % COMMANDS.length]![2],
        }));
        await env.client.workflow.getHandle(id).executeUpdate(bareCommand, { args: [{ actor: actors.office, payload: batch }] });
      }
    }),
  );
  const bareReviewMs = elapsedMs(bareStarted);
  const bareCommands = perWorkflow * review.projects;
  row(
    `the office's review start over ${review.projects} applications (${review.applied} commands, a batch per project), s (commands/s)`,
    `${(review.ms / 1000).toFixed(2)} (${(review.applied / (review.ms / 1000)).toFixed(0)})`,
    `${(bareReviewMs / 1000).toFixed(2)} (${(bareCommands / (bareReviewMs / 1000)).toFixed(0)})`,
    review.ms / review.applied / (bareReviewMs / bareCommands),
    review.applied,
    '',
    '',
  );
  for (const id of bareWorkflows) await env.client.workflow.getHandle(id).executeUpdate(bareFinish);
}

it(`prints a project's commands beside bare Temporal's (${SEQUENTIAL} in sequence, ${CONCURRENT} at once, a review start over ${REVIEW})`, async () => {
  const projectQueue = uniqueName('bench-project');
  const bareQueue = uniqueName('bench-bare');
  const { ledger } = await temporaryLedger();
  const mail = await temporaryMail();
  const projects = new ProjectClient(env.client, projectQueue);
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 3_600,
      endorsementIn: 7_200,
      firstYearStartsIn: 86_400,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    uniqueName('bench'),
  );
  const sideOf = (client: ProjectClient): Side => ({
    create: (n) => client.create(call, anApplication({ id: `TE2-${String(n).padStart(4, '0')}` })),
    command: async (id, i) => {
      const [type, actor, payload] = COMMANDS[i]!;
      await client.send(id, type, actor, payload);
    },
  });
  const project = sideOf(projects);
  const bareOf = (workflowType: 'bareWorkflow' | 'bareWorkflowWithActivity'): Side => ({
    create: async (n) => (await env.client.workflow.start(workflowType, { workflowId: `${bareQueue}-${n}`, taskQueue: bareQueue })).workflowId,
    command: async (id, i) => {
      const [, actor, payload] = COMMANDS[i]!;
      await env.client.workflow.getHandle(id).executeUpdate(bareCommand, { args: [{ actor, payload }] });
    },
  });
  const bare = bareOf('bareWorkflow');
  // The floor of a design with one durable step (a ledger append) per command: not a target, a reference.
  const bareWithActivity = bareOf('bareWorkflowWithActivity');

  const serviceWorker = await createServiceWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: projectQueue,
    workflowBundle: serviceBundle,
    dataConverter: env.client.options.dataConverter,
    activities: createActivities({ projects, client: env.client, ledger, documents: testDocumentStore(), mail: mail.mail }),
  });
  const bareActivities: BareActivities = { bareAppend: () => Promise.resolve() };
  const bareWorker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: bareQueue,
    workflowBundle: bareBundle,
    dataConverter: env.client.options.dataConverter,
    activities: bareActivities,
  });
  const rows: string[] = [];
  const row = (what: string, p: string, b: string, ratio: number, n: number, pSpread: string, bSpread: string) =>
    rows.push(`| ${what} | ${p} | ${b} | ${ratio.toFixed(2)}× | ${n} | ${pSpread} | ${bSpread} |`);
  let n = 0;
  const bench: Bench = {
    projects,
    projectQueue,
    ledger,
    mail,
    project,
    bare,
    bareWithActivity,
    sideOf,
    row,
    next: () => ++n,
    serverPid: devServerPid(process.env.TEST_DEV_SERVER_ADDRESS ?? ''),
  };

  const body = async (): Promise<void> => {
    const ids = await sequentialStage(bench);
    const { atOnce, bareAtOnce, withActivityAtOnce, settled } = await atOnceStage(bench);
    await retriesStage(bench, atOnce, withActivityAtOnce);
    await postgresStage(bench, bareAtOnce);
    await eventsStage(bench, ids, withActivityAtOnce);
    await reviewStage(bench);

    for (const id of [...ids.bare, ...bareAtOnce.ids]) expect(await env.client.workflow.getHandle(id).executeUpdate(bareFinish)).toBe(COMMANDS.length);
    for (const id of [...ids.project, ...atOnce.ids]) expect((await projects.view(id)).lifecycle).toBe('contracting');
    expect(settled).toBe(true);
  };

  try {
    await bareWorker.runUntil(serviceWorker.runUntil(body()));
  } finally {
    await mail.stop();
    await ledger.close();
  }
  console.log(
    [
      `Project beside bare Temporal, one dev server, one worker process each (${new Date().toISOString()}):`,
      '| what | project | bare | ratio | n | project min/median/max | bare min/median/max |',
      '|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
}, 900_000);
