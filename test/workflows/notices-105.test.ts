import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { loopbackTransport } from '../../activities/notices/mail-sink';
import { openSqliteNoticeLog } from '../../activities/stores';
import type { ProjectClient } from '../../gateway/projects';
import { alliance105 } from '../../domain/calls';
import { addDuration, subtractDuration } from '../../domain/duration';
import { formatRocDateChinese, rocYearOf } from '../../domain/roc-date';
import { projectYearEnd } from '../../machines/deadlines';
import { projectNoticesQuery } from '../../messages/project';
import { actors } from '../fixtures/project-events';
import { startTimeSkippingServer, uniqueName } from '../helpers/environments';
import { recordHistories } from '../helpers/histories';
import { clockSkipper, runToFirstProjectYear } from '../helpers/life-105';
import { bundleServiceWorkflows, shiftCall, withServiceWorker } from '../helpers/project-harness';
import { recipientsOf, startRecordingSmtp, waitForMail, type RecordingSmtp } from '../helpers/smtp';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** Waits (in real time) until the project has no delivery (nor notice workflow) in flight, so a skip cannot outrun a delivery. */
async function noticesSettled(projects: ProjectClient, id: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const { raw } = await projects.handle(id).describe();
    if ((raw.pendingChildren?.length ?? 0) === 0 && (raw.pendingActivities?.length ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${id} still has notices in flight`);
}

const subjects = (smtp: RecordingSmtp, to: string) => smtp.accepted.filter((m) => recipientsOf(m).includes(to)).map((m) => m.subject ?? '');
const reportMail = (smtp: RecordingSmtp) => subjects(smtp, 'lin@ntu.edu.tw').filter((s) => s.includes('進度報告'));

it("reminds of the year-1 progress report at the 105 policy's instants, follows with overdue notices, and withholds year 2's tranche until the report is accepted", async () => {
  const years = rocYearOf(new Date(await env.currentTimeMs())) - 105 + 1;
  const call = shiftCall(alliance105, years, uniqueName('alliance-105'));
  const { calendar, policy } = call;
  const { progressReport: schedule } = call.notifications!.reminders;
  const due = subtractDuration(projectYearEnd(calendar, policy.projectYearLength, 1), policy.progressReportDueBeforeYearEnd);
  const smtp = await startRecordingSmtp();
  const log = await openSqliteNoticeLog(path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-notices-105-')), 'notices.sqlite'));
  const mail = { transport: loopbackTransport(smtp.port), from: 'alliance-office@most.gov.tw', log };
  const coPi = {
    id: 'copi-wang',
    name: '王美華',
    email: 'wang@ntu.edu.tw',
    institutionId: 'NTU',
    employment: 'fullTimeMonthly' as const,
    qualification: { category: 'professor' as const, rank: 'professor' as const },
  };

  await withServiceWorker(
    env,
    bundle,
    uniqueName('notices-105'),
    async (projects) => {
      let id = '';
      const skipTo = clockSkipper(env, () => (id ? noticesSettled(projects, id) : Promise.resolve()));
      id = await runToFirstProjectYear(projects, call, skipTo, [{ reviewerId: 'rev-chen', name: '陳委員', email: 'chen@itri.org.tw' }], { coPis: [coPi] });
      const send = projects.send.bind(projects, id);
      await skipTo(addDuration(calendar.firstProjectYearStarts, 'P10D'));
      await send('tranche.request', actors.institution, { amountNtd: 1_000_000 });
      await send('tranche.pay', actors.office, { paymentReference: 'PAY-1-1' });

      // Each reminder goes out when the clock reaches it: a minute before, nothing; a minute after, the mail.
      const expected: string[] = [];
      const reminders = [
        ...schedule.before.map((offset) => ({
          at: subtractDuration(due, offset),
          id: `r-progressReportDue-${due.toISOString()}--${offset}`,
          subject: `【提醒】第1年度進度報告請於 ${formatRocDateChinese(due)} 前繳交`,
        })),
        ...schedule.after.map((offset, i) => ({
          at: addDuration(due, offset),
          id: `r-progressReportOverdue-${due.toISOString()}-+${offset}`,
          subject: `【逾期通知（第${i + 1}次）】第1年度進度報告未繳`,
        })),
      ];
      for (const reminder of reminders) {
        await skipTo(new Date(reminder.at.getTime() - 60_000));
        expect(reportMail(smtp)).toEqual(expected);
        await skipTo(new Date(reminder.at.getTime() + 60_000));
        expected.push(reminder.subject);
        await waitForMail(smtp, () => reportMail(smtp).length === expected.length);
        // The project delivered it itself, at the instant it fell due.
        const sent = (await projects.handle(id).query(projectNoticesQuery)).find((n) => n.noticeId === reminder.id);
        expect(sent).toMatchObject({ status: 'delivered', uncertain: 0 });
        const started = Date.parse(sent!.at);
        expect(started).toBeGreaterThanOrEqual(reminder.at.getTime());
        expect(started).toBeLessThan(reminder.at.getTime() + 60_000);
      }
      expect((await projects.view(id)).overdue).toBe(true);

      // Year 2: its first tranche waits for the year-1 report.
      const yearTwo = projectYearEnd(calendar, policy.projectYearLength, 1);
      await skipTo(addDuration(yearTwo, 'P10D'));
      expect((await projects.view(id)).projectYear).toBe(2);
      await expect(send('tranche.request', actors.institution, { amountNtd: 1_000_000 })).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
      await send('progressReport.submit', actors.pi, { summary: 'Year 1: members and fees as planned, late' });
      await send('progressReport.accept', actors.office, { comments: 'Accepted late' });
      await send('tranche.request', actors.institution, { amountNtd: 1_000_000 });
      await send('tranche.pay', actors.office, { paymentReference: 'PAY-2-1' });
      await noticesSettled(projects, id);
      await projects.handle(id).terminate('test finished');
      await recordHistories(env.client, id, 'project-notices-105');
    },
    undefined,
    mail,
  );
  await smtp.stop();
  await log.close();

  expect(reportMail(smtp)).toEqual([
    ...schedule.before.map(() => `【提醒】第1年度進度報告請於 ${formatRocDateChinese(due)} 前繳交`),
    ...schedule.after.map((_, i) => `【逾期通知（第${i + 1}次）】第1年度進度報告未繳`),
    '【審查通過】第1年度進度報告',
  ]);
  // Overdue notices also reach the co-PI, the research office and the programme office; each mail once.
  for (const to of ['wang@ntu.edu.tw', 'rd@ntu.edu.tw', 'alliance-office@most.gov.tw']) {
    expect(subjects(smtp, to).filter((s) => s.startsWith('【逾期通知'))).toHaveLength(schedule.after.length);
  }
  const keys = smtp.accepted.flatMap((m) => recipientsOf(m).map((to) => `${m.messageId} ${to}`));
  expect(new Set(keys).size).toBe(keys.length);
  expect(subjects(smtp, 'chen@itri.org.tw')).toEqual(['【審查邀請】5G 邊緣運算產業聯盟']);
  const paid = smtp.accepted.filter((m) => m.subject?.startsWith('【撥款通知】') && recipientsOf(m).includes('lin@ntu.edu.tw'));
  expect(paid.map((m) => m.subject)).toEqual(['【撥款通知】5G 邊緣運算產業聯盟 第1年度第1期款', '【撥款通知】5G 邊緣運算產業聯盟 第2年度第1期款']);
  expect(paid[0]!.text).toContain('第1年度第1期款 NT$1,000,000 已撥付（PAY-1-1）');
  expect(smtp.accepted.some((m) => m.subject?.includes('郵件無法送達'))).toBe(false);
});
