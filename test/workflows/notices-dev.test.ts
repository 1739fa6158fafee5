import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import type { ParsedMail } from 'mailparser';
import { loopbackTransport, relayTimeouts } from '../../activities/notices/mail-sink';
import { openSqliteLedger, openSqliteNoticeLog } from '../../activities/stores';
import { NoticeClient } from '../../gateway/notices';
import type { NoticeSummary } from '../../messages/notices';
import { ProjectClient } from '../../gateway/projects';
import { alliance105 } from '../../domain/calls';
import { noticeWorkflowId } from '../../domain/ids';
import type { Call } from '../../domain/call';
import type { NoticeOutcome } from '../../messages/notices';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { startApi } from '../helpers/api';
import { allianceAs } from '../helpers/cli';
import { connectDevServer, freePort, testSealer, uniqueName } from '../helpers/environments';
import { recordHistories } from '../helpers/histories';
import { bundleServiceWorkflows, compressedCall, withServiceWorker } from '../helpers/project-harness';
import { recipientsOf, startRecordingSmtp, waitForMail } from '../helpers/smtp';
import { startWorkerProcess } from '../helpers/worker-process';
import { parsePrometheus, sampleValue } from '../helpers/prometheus';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** The 105 call, far from its deadlines, in the given language, telling the office after `alertAfter`. */
function callFor(language: 'zh-TW' | 'en', alertAfter: string): Call {
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 600,
      endorsementIn: 700,
      firstYearStartsIn: 800,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
      undeliveredAlertAfter: alertAfter,
    },
    uniqueName('notices'),
  );
  return { ...call, notifications: { ...call.notifications!, language } };
}

/** Polls `read` until `done` holds of its answer (visibility catches up within seconds). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const coPi = { ...anApplication().pi, id: 'copi-wang', name: '王美華', email: 'wang@ntu.edu.tw' };
const noticeResult = (id: string) => env.client.workflow.getHandle(id).result() as Promise<NoticeOutcome>;
/** A notice as the office's list shows it, once it is no longer pending (delivered by the project itself or by its own workflow). */
const settledNotice = (projectId: string, noticeId: string, timeoutMs: number) =>
  eventually(
    async () => (await new NoticeClient(env.client).forProject(projectId)).find((n) => n.noticeId === noticeId),
    (found) => found !== undefined && found.status !== 'pending',
    timeoutMs,
  );
const copiesOf = (accepted: ParsedMail[]) => {
  const counts = new Map<string, number>();
  for (const mail of accepted) for (const to of recipientsOf(mail)) counts.set(`${mail.messageId} ${to}`, (counts.get(`${mail.messageId} ${to}`) ?? 0) + 1);
  return [...counts.values()];
};

/** What an e-mail address looks like in a log line. */
const EMAIL_ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

it('delivers every notice exactly once across an SMTP outage, in English, and tells the office of those held up', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-outage-'));
  let smtp = await startRecordingSmtp();
  const { port, accepted: relayed } = smtp;
  // The office's alerts go out through the fallback relay while the first one is down.
  const fallbackSmtp = await startRecordingSmtp();
  const log = await openSqliteNoticeLog(path.join(dir, 'notices.sqlite'));
  const transport = loopbackTransport(port, { connectionTimeout: 2_000 });
  const fallback = loopbackTransport(fallbackSmtp.port, { connectionTimeout: 2_000 });
  const call = callFor('en', 'PT4S');
  const taskQueue = uniqueName('outage');
  const notices = new NoticeClient(env.client);

  await withServiceWorker(
    env,
    bundle,
    taskQueue,
    async (projects, ledger) => {
      const id = await projects.create(call, anApplication({ coPis: [coPi] }));
      await projects.send(id, 'application.submit', actors.pi, {});
      await waitForMail(smtp, (all) => all.length === 1);

      await smtp.stop();
      await projects.send(id, 'endorsement.record', actors.institution, { rosterId: 'NTU-R1', letterReference: 'NTU-L1' });
      await projects.send(id, 'review.start', actors.office, {});
      await projects.send(id, 'reviewer.assign', actors.office, { reviewerId: 'rev-chen', name: 'Dr. Chen', email: 'chen@itri.org.tw' });
      // Long enough for failed attempts and for the office's alert to fall due.
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      expect((await log.undelivered()).length).toBeGreaterThanOrEqual(1);
      // The office sees what is held up, and why.
      const heldUp = await eventually(
        async () => (await notices.undelivered()).filter((n) => n.workflowId.startsWith(noticeWorkflowId(id, ''))),
        (found) => found.length === 2,
      );
      expect(heldUp.map((n) => [n.noticeId, n.kind, n.status])).toEqual([
        ['t2-endorsementReceived', 'endorsementReceived', 'pending'],
        ['t4-reviewAssigned', 'reviewAssigned', 'pending'],
      ]);
      expect(heldUp[0]!.detail).toMatch(/attempt\(s\), last error: .*ECONNREFUSED/);
      // The second channel: the office's alert log has them while the relay is still down.
      const alerts = await eventually(
        async () => (await ledger.alerts()).filter((a) => a.kind === 'noticeHeldUp'),
        (found) => found.length === 3,
      );
      expect(alerts.map((a) => a.subject.replace(/:.*? to /, ' to ')).sort()).toEqual([
        'Notice not delivered to chen@itri.org.tw',
        'Notice not delivered to lin@ntu.edu.tw',
        'Notice not delivered to wang@ntu.edu.tw',
      ]);
      expect(alerts[0]!.detail).toMatch(/ECONNREFUSED/);
      smtp = await startRecordingSmtp({ port, accepted: relayed });

      // Sent before the outage by the project itself; the two held up were handed to their own workflows.
      expect(await settledNotice(id, 't1-applicationReceived', 5_000)).toMatchObject({ status: 'delivered', detail: '1 recipient(s)', officeAlerted: false });
      const [endorsed, assigned] = await Promise.all(['t2-endorsementReceived', 't4-reviewAssigned'].map((n) => noticeResult(noticeWorkflowId(id, n))));
      expect(endorsed).toMatchObject({ status: 'delivered', sent: 2, officeAlerted: true });
      expect(assigned).toMatchObject({ status: 'delivered', sent: 1, officeAlerted: true });
      const api = await startApi(env, taskQueue);
      const listed = await eventually(
        async () => {
          const run = await allianceAs('kao', api.url, ['--json', 'notices', 'list', id]);
          if (run.status !== 0) throw new Error(`alliance notices list exited ${run.status}: ${run.stderr}`);
          return JSON.parse(run.stdout) as NoticeSummary[];
        },
        (found) => found.every((n) => n.status === 'delivered') && found.length === 3,
      );
      expect(listed.map((n) => `${n.noticeId} ${n.status} ${n.officeAlerted}`)).toEqual([
        't1-applicationReceived delivered false',
        't2-endorsementReceived delivered true',
        't4-reviewAssigned delivered true',
      ]);
      await api.close();
      await projects.handle(id).terminate('test finished');
      await recordHistories(env.client, noticeWorkflowId(id, 't4-reviewAssigned'), 'notice-held-up');
      // The project's side: notices delivered by itself, and two handed to their own workflows.
      await recordHistories(env.client, id, 'project-notices-outage');
    },
    undefined,
    { transport, from: 'alliance-office@most.gov.tw', log, fallback },
  );
  await smtp.stop();
  await fallbackSmtp.stop();
  await log.close();

  const accepted = [...relayed, ...fallbackSmtp.accepted];
  expect(copiesOf(accepted).every((n) => n === 1)).toBe(true);
  const byRecipient = accepted.map((m) => `${recipientsOf(m).join(',')}: ${m.subject}`).sort();
  expect(byRecipient).toEqual(
    [
      'alliance-office@most.gov.tw: [System] Notice not delivered: [Review] 5G 邊緣運算產業聯盟',
      'alliance-office@most.gov.tw: [System] Notice not delivered: [105年度產學技術聯盟合作計畫] Endorsed by your institution: 5G 邊緣運算產業聯盟',
      'alliance-office@most.gov.tw: [System] Notice not delivered: [105年度產學技術聯盟合作計畫] Endorsed by your institution: 5G 邊緣運算產業聯盟',
      'chen@itri.org.tw: [Review] 5G 邊緣運算產業聯盟',
      'lin@ntu.edu.tw: [105年度產學技術聯盟合作計畫] Application received: 5G 邊緣運算產業聯盟',
      'lin@ntu.edu.tw: [105年度產學技術聯盟合作計畫] Endorsed by your institution: 5G 邊緣運算產業聯盟',
      'wang@ntu.edu.tw: [105年度產學技術聯盟合作計畫] Endorsed by your institution: 5G 邊緣運算產業聯盟',
    ].sort(),
  );
  const receivedMail = accepted.find((m) => m.subject?.includes('Application received'))!;
  expect(receivedMail.text).toContain('Dear 林志明,');
  // English dates are Gregorian, in Taipei time.
  expect(receivedMail.text).toMatch(/by \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Taipei time\)/);
  const review = accepted.find((m) => recipientsOf(m).includes('chen@itri.org.tw'))!;
  expect(review.text).toContain('Dear Dr. Chen,');
  const alert = accepted.find((m) => m.subject?.includes('[System]') && m.text?.includes('chen@itri.org.tw'))!;
  expect(alert.text).toMatch(/has not been delivered since .* Last error: .*ECONNREFUSED/s);
});

it('sends no notice twice when the worker is killed after the end of DATA: the notice is uncertain and the office told', async () => {
  let holding: (() => void) | undefined;
  let held = 0;
  const smtp = await startRecordingSmtp({
    // The first message waits at the end of DATA, unanswered, until the test has killed its sender; then the relay keeps it.
    gate: () => (held++ > 0 ? true : new Promise<boolean>((resolve) => (holding = () => resolve(true)))),
  });
  const taskQueue = uniqueName('killed-mail');
  const workerOptions = {
    taskQueue,
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'alliance-killed-mail-')),
    env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, SMTP_SINK_PORT: String(await freePort()) },
  };
  const projects = new ProjectClient(env.client, taskQueue);
  let worker = await startWorkerProcess(workerOptions);
  const id = await projects.create(callFor('zh-TW', 'PT10M'), anApplication());
  await projects.send(id, 'application.submit', actors.pi, {});
  for (let waited = 0; !holding; waited += 100) {
    if (waited > 30_000) throw new Error('the notice never reached the SMTP server');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  worker.kill('SIGKILL');
  holding();
  const killed = worker;
  worker = await startWorkerProcess(workerOptions);
  // The killed attempt times out (30 s); the retry finds it ended DATA unanswered and does not send a second copy.
  const outcome = await settledNotice(id, 't1-applicationReceived', 90_000);
  expect(outcome).toMatchObject({ status: 'uncertain', officeAlerted: true, detail: expect.stringMatching(/^0 recipient\(s\); 1 perhaps not/) });
  expect(smtp.accepted.map((m) => `${recipientsOf(m).join(',')}: ${m.subject}`)).toEqual([
    'lin@ntu.edu.tw: 【105年度產學技術聯盟合作計畫】已收到計畫申請：5G 邊緣運算產業聯盟',
  ]);
  await projects.handle(id).terminate('test finished');
  worker.kill('SIGTERM');
  await smtp.stop();
  const ledger = await openSqliteLedger(path.join(workerOptions.dataDir, 'ledger.sqlite'), { readOnly: true, sealer: testSealer() });
  const alerts = await ledger.alerts().finally(() => ledger.close());
  expect(alerts).toEqual([
    expect.objectContaining({
      kind: 'noticeUncertain',
      subject: expect.stringContaining('lin@ntu.edu.tw'),
      detail: expect.stringContaining('ask the recipient'),
    }),
  ]);
  // Neither worker's log names the recipient, though the uncertain notice was logged.
  for (const each of [killed, worker]) expect(each.output()).not.toMatch(EMAIL_ADDRESS);
}, 120_000);

it("logs the worker's events as JSON lines without an e-mail address, even when the relay's refusal quotes one", async () => {
  let refused = 0;
  const smtp = await startRecordingSmtp({ gate: (mail) => (refused++ === 0 ? `4.2.0 <${recipientsOf(mail)[0]}>: mailbox busy, try again later` : true) });
  const taskQueue = uniqueName('logged-mail');
  const [metricsPort, apiPort] = [await freePort(), await freePort()];
  const worker = await startWorkerProcess({
    taskQueue,
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'alliance-logged-mail-')),
    env: {
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      SMTP_SINK_PORT: String(await freePort()),
      WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      API_PORT: String(apiPort),
    },
  });
  const projects = new ProjectClient(env.client, taskQueue);
  try {
    const id = await projects.create(callFor('zh-TW', 'PT10M'), anApplication());
    await projects.send(id, 'application.submit', actors.pi, {});
    // The busy mailbox failed the first attempt; the project's own retry delivered it.
    expect(await settledNotice(id, 't1-applicationReceived', 90_000)).toMatchObject({ status: 'delivered', detail: '1 recipient(s)' });
    expect(smtp.accepted.flatMap(recipientsOf)).toEqual(['lin@ntu.edu.tw']);
    await expectWorkerMetrics(metricsPort, apiPort);
    await projects.handle(id).terminate('test finished');
  } finally {
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
    await smtp.stop();
  }
  const events = worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; message: string; trace?: string });
  expect(events.some((e) => e.message === 'project transition' && e.trace?.startsWith('project:'))).toBe(true);
  // The refusal was logged (the attempt failed and was retried), its address masked.
  expect(worker.output()).toContain('<e-mail at ntu.edu.tw>');
  expect(worker.output()).not.toMatch(EMAIL_ADDRESS);
}, 120_000);

/** The worker's exporter: the SDK's worker metrics and the activities' own (one failed delivery, one sent, the ledger's appends); its process ready, worker included. */
async function expectWorkerMetrics(metricsPort: number, apiPort: number): Promise<void> {
  const samples = parsePrometheus(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
  expect(sampleValue(samples, 'alliance_notice_deliveries_total', { outcome: 'sent' })).toBe(1);
  expect(sampleValue(samples, 'alliance_notice_deliveries_total', { outcome: 'failed' })).toBe(1);
  expect(sampleValue(samples, 'alliance_ledger_append_count', { outcome: 'appended' })).toBeGreaterThanOrEqual(1);
  expect(samples.some((s) => s.name.startsWith('temporal_workflow_task_execution_latency'))).toBe(true);
  const ready = await fetch(`http://127.0.0.1:${apiPort}/readyz`);
  expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', checks: { temporal: 'ok', ledger: 'ok', worker: 'ok' } }]);
}

it('sends one copy per recipient through a relay that answers the end of DATA only after 45 s', async () => {
  const smtp = await startRecordingSmtp({
    // Longer than the delivery activity's 30 s heartbeat timeout: only heartbeats during the SMTP conversation keep the attempt alive.
    gate: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 45_000)),
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-slow-relay-'));
  const log = await openSqliteNoticeLog(path.join(dir, 'notices.sqlite'));
  const transport = loopbackTransport(smtp.port, relayTimeouts);
  await withServiceWorker(
    env,
    bundle,
    uniqueName('slow-relay'),
    async (projects) => {
      const id = await projects.create(callFor('zh-TW', 'PT10M'), anApplication());
      await projects.send(id, 'application.submit', actors.pi, {});
      expect(await settledNotice(id, 't1-applicationReceived', 120_000)).toMatchObject({ status: 'delivered', detail: '1 recipient(s)' });
      await projects.handle(id).terminate('test finished');
    },
    undefined,
    { transport, from: 'alliance-office@most.gov.tw', log },
  );
  await smtp.stop();
  await log.close();
  expect(smtp.accepted.flatMap(recipientsOf)).toEqual(['lin@ntu.edu.tw']);
}, 180_000);
