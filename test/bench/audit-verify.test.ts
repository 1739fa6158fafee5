/**
 * `make bench` (and a bounded run in `make test`): what the auditor's `verify --all` costs over
 * many closed projects, and one project's `history` and `verify` beside it. Prints figures;
 * asserts only that the ledger verified and every project was compared with Temporal.
 *
 *   BENCH_CLOSED=1000 npx jest test/bench/audit-verify
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { AuditClient } from '../../gateway/audit';
import { ProjectClient } from '../../gateway/projects';
import { alliance105 } from '../../domain/calls';
import { createServiceWorker } from '../../worker/create-worker';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, testDocumentStore, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, temporaryLedger, temporaryMail } from '../helpers/project-harness';

/** Closed projects in the ledger when the auditor verifies it. */
const CLOSED = Number(process.env.BENCH_CLOSED ?? 20);
/** Projects created this many at a time (as the call's bulk operations go). */
const LANES = 16;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const elapsedMs = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e6;
const quantile = (samples: number[], q: number): number => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
const spread = (samples: number[]): string => `${Math.min(...samples).toFixed(1)}/${quantile(samples, 0.5).toFixed(1)}/${Math.max(...samples).toFixed(1)}`;

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the projects did not close in time');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

it(`prints the auditor's verify over ${CLOSED} closed projects, and one project's history and verify`, async () => {
  const taskQueue = uniqueName('bench-audit');
  const { ledger } = await temporaryLedger();
  const mail = await temporaryMail();
  const projects = new ProjectClient(env.client, taskQueue);
  // Submitted, then withdrawn by its PI: each project closes at once (two transitions, two notices).
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 86_400,
      endorsementIn: 90_000,
      firstYearStartsIn: 180_000,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    uniqueName('bench-audit'),
  );
  const worker = await createServiceWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: bundle,
    dataConverter: env.client.options.dataConverter,
    activities: createActivities({ projects, client: env.client, ledger, documents: testDocumentStore(), mail: mail.mail }),
  });
  const rows: string[] = [];
  const body = async (): Promise<void> => {
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        for (let n = next++; n < CLOSED; n = next++) {
          const id = await projects.create(call, anApplication({ id: `TE2-${String(n + 1).padStart(4, '0')}` }));
          await projects.send(id, 'application.submit', actors.pi, {});
          await projects.send(id, 'application.withdraw', actors.pi, { reason: 'The alliance will apply next year' });
          ids.push(id);
        }
      }),
    );
    await eventually(
      async () =>
        (await env.client.workflow.count(`TaskQueue = '${taskQueue}' AND WorkflowType = 'projectWorkflow' AND ExecutionStatus = 'Completed'`)).count >=
          CLOSED && (await ledger.entries()).filter((e) => e.workflowId.startsWith('project:')).length >= 2 * CLOSED,
      120_000 + CLOSED * 500,
    );

    const audit = new AuditClient(env.client, ledger);
    const whole: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = process.hrtime.bigint();
      const report = await audit.verify();
      whole.push(elapsedMs(started));
      expect(report.broken).toBeNull();
      expect(report.comparedWithTemporal).toBeGreaterThanOrEqual(2 * CLOSED);
    }
    const entries = (await ledger.entries()).length;
    rows.push(
      `| auditor's verify --all over ${CLOSED} closed projects (${entries} ledger entries), ms | ${quantile(whole, 0.5).toFixed(0)} | — | — | 3 | ${spread(whole)} | — |`,
    );

    const history: number[] = [];
    const verifyOne: number[] = [];
    for (const id of ids.slice(0, 20)) {
      let started = process.hrtime.bigint();
      await audit.history(id);
      history.push(elapsedMs(started));
      started = process.hrtime.bigint();
      expect((await audit.verify(id)).broken).toBeNull();
      verifyOne.push(elapsedMs(started));
    }
    rows.push(
      `| auditor's history of one project at ${entries} entries, p50 / p99 ms | ${quantile(history, 0.5).toFixed(1)} / ${quantile(history, 0.99).toFixed(1)} | — | — | ${history.length} | ${spread(history)} | — |`,
    );
    rows.push(
      `| auditor's verify of one closed project at ${entries} entries, p50 / p99 ms | ${quantile(verifyOne, 0.5).toFixed(1)} / ${quantile(verifyOne, 0.99).toFixed(1)} | — | — | ${verifyOne.length} | ${spread(verifyOne)} | — |`,
    );
  };
  try {
    await worker.runUntil(body());
  } finally {
    await ledger.close();
    await mail.stop();
  }
  console.log(['| what | project | bare | ratio | n | project min/median/max | bare min/median/max |', '|---|---|---|---|---|---|---|', ...rows].join('\n'));
}, 1_800_000);
