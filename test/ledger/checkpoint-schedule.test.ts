import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { openCheckpoint, parseVerifierKey } from '../../tlog/checkpoint';
import { localLogSigning } from '../../activities/ledger/log-signing';
import { rootOf } from '../../tlog/merkle';
import { sha256 } from '../../tlog/digest';
import { loopbackTransport } from '../../activities/notices/mail-sink';
import { openSqliteNoticeLog } from '../../activities/stores';
import { checkpointScheduleId, ensureCheckpointSchedule } from '../../gateway/checkpoint-schedule';
import { ProjectClient } from '../../gateway/projects';
import { createServiceWorker } from '../../worker/create-worker';
import { connectDevServer, testDataConverter, testDocumentStore, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, temporaryLedger } from '../helpers/project-harness';
import { startRecordingSmtp } from '../helpers/smtp';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const entry = (entrySeq: number) => ({
  workflowId: 'project:c:A',
  chainId: 'run-1',
  entrySeq,
  at: `2026-11-26T00:00:${String(entrySeq).padStart(2, '0')}.000Z`,
  actor: { role: 'pi' as const, id: 'PI-1' },
  event: 'application.submit',
  from: ['draft'],
  to: ['submitted'],
  payloadDigest: sha256('{}'),
});

it("writes checkpoints on a Temporal schedule when the policy says one is due, to the ledger, the witness directory and the auditors' mail, once per size", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-checkpoint-schedule-'));
  const witnessDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-witness-'));
  const signing = localLogSigning(dir, 'ledger.alliance.test');
  const { ledger } = await temporaryLedger();
  const smtp = await startRecordingSmtp();
  const log = await openSqliteNoticeLog(path.join(dir, 'notices.sqlite'));
  const taskQueue = uniqueName('checkpoints');
  const activities = createActivities({
    projects: new ProjectClient(env.client, taskQueue),
    client: env.client,
    ledger,
    documents: testDocumentStore(),
    mail: { transport: loopbackTransport(smtp.port), from: 'alliance-office@most.gov.tw', log },
    // Due after 3 new leaves (or an hour).
    checkpoints: { signing, policy: { everyEntries: 3, everyMs: 3_600_000 }, witnessDir, auditorsEmail: 'audit@nstc.gov.tw' },
  });
  const worker = await createServiceWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities,
    workflowBundle: bundle,
    dataConverter: testDataConverter(),
  });
  const schedule = env.client.schedule.getHandle(checkpointScheduleId(taskQueue));
  /** One tick, now, instead of waiting for the minute; its outcome once it has run. */
  const tick = async (): Promise<unknown> => {
    const before = (await schedule.describe()).info.recentActions.length;
    await schedule.trigger();
    for (let i = 0; ; i++) {
      const recent = (await schedule.describe()).info.recentActions;
      if (recent.length > before)
        return env.client.workflow.getHandle(recent.at(-1)!.action.workflow.workflowId, recent.at(-1)!.action.workflow.firstExecutionRunId).result();
      if (i > 100) throw new Error('the schedule did not run');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    await worker.runUntil(async () => {
      await ensureCheckpointSchedule(env.client, taskQueue);
      await ensureCheckpointSchedule(env.client, taskQueue);
      expect((await schedule.describe()).spec.intervals).toEqual([expect.objectContaining({ every: 60_000 })]);
      for (let i = 1; i <= 4; i++) await ledger.append(entry(i));
      expect(await tick()).toEqual({ size: 4, written: true });
      await ledger.append(entry(5));
      // One new leaf: not due yet.
      expect(await tick()).toEqual({ size: 4, written: false });
      for (let i = 6; i <= 7; i++) await ledger.append(entry(i));
      expect(await tick()).toEqual({ size: 7, written: true });
    });
    expect(readdirSync(witnessDir).sort()).toEqual(['checkpoint-000000000004.txt', 'checkpoint-000000000007.txt']);
    const published = openCheckpoint(readFileSync(path.join(witnessDir, 'checkpoint-000000000007.txt'), 'utf8'), parseVerifierKey(signing.verifierKey));
    expect(published.root.equals(rootOf((await ledger.leaves()).map((l) => Buffer.from(l.hash, 'hex'))))).toBe(true);
    expect(smtp.accepted.map((m) => m.subject)).toEqual([
      '[Ledger] ledger.alliance.test: checkpoint of 4 leaves',
      '[Ledger] ledger.alliance.test: checkpoint of 7 leaves',
    ]);
    expect(smtp.accepted[1]!.text).toContain(readFileSync(path.join(witnessDir, 'checkpoint-000000000007.txt'), 'utf8').trim());
  } finally {
    await schedule.delete().catch(() => undefined);
    await smtp.stop();
    await log.close();
    await ledger.close();
  }
});
