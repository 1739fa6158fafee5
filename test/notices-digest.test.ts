// The daily digest of reminders (activities/notices/digest.ts), over real SMTP on loopback: a person
// who chose it gets the reminders that may wait in one mail a day, everything else at once, each
// reminder in one digest only; someone who did not choose it notices nothing.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNoticeActivities, type DeliverNoticeInput } from '../activities/notices';
import { createDigestActivities } from '../activities/notices/digest';
import { loopbackTransport } from '../activities/notices/mail-sink';
import { openSqliteLedger, openSqliteNoticeLog } from '../activities/stores';
import { mayWaitForDigest } from '../domain/notification-policy';
import { digestScheduleId, ensureDigestSchedule, PreferencesClient } from '../gateway/preferences';
import { connectDevServer, uniqueName } from './helpers/environments';
import { bundleServiceWorkflows, withServiceWorker } from './helpers/project-harness';
import { recipientsOf, startRecordingSmtp, waitForMail } from './helpers/smtp';

const lin = { role: 'pi' as const, name: '林志明', email: 'Lin@ntu.edu.tw' };
const wang = { role: 'coPis' as const, name: '王小華', email: 'wang@ntu.edu.tw' };
const variables = { projectTitle: '5G 邊緣運算產業聯盟', year: 1, deadline: '2017-10-31T16:00:00.000Z' };
const reminder = (n: string): DeliverNoticeInput => ({
  key: `notice:project:alliance-105:TE2-0001:r-progressReportDue-${n}`,
  kind: 'progressReportDue',
  language: 'zh-TW',
  variables,
  recipients: [lin, wang],
  mayWait: true,
});

it("keeps the reminders that may wait for the chooser's daily digest, sends the rest at once, and each reminder in one digest only", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-digest-'));
  const log = await openSqliteNoticeLog(path.join(dir, 'notices.sqlite'));
  const ledger = await openSqliteLedger(path.join(dir, 'ledger.sqlite'));
  const smtp = await startRecordingSmtp();
  const transport = loopbackTransport(smtp.port);
  const mail = { transport, from: 'alliance-office@most.gov.tw', log };
  const notices = createNoticeActivities({ mail, ledger });
  const digests = createDigestActivities({ mail });
  const activity = new MockActivityEnvironment();
  const to = (address: string) => smtp.accepted.filter((m) => recipientsOf(m).some((r) => r.toLowerCase() === address));
  try {
    // The policy's default: reminders before a deadline may wait; overdue notices never do.
    expect([mayWaitForDigest({}, 'progressReportDue'), mayWaitForDigest({}, 'progressReportOverdue')]).toEqual([true, false]);
    expect(mayWaitForDigest({ mayWait: ['decision'] }, 'progressReportDue')).toBe(false);

    await activity.run(digests.recordDigestChoice, { email: 'lin@NTU.edu.tw', daily: true, at: '2017-10-01T00:00:00.000Z' });
    expect(await activity.run(notices.deliverNotice, reminder('P30D'))).toEqual({ sent: 1, alreadySent: 0, uncertain: 0, digested: 1 });
    expect(await activity.run(notices.deliverNotice, reminder('P7D'))).toMatchObject({ sent: 1, digested: 1 });
    // Sent again (a retry): kept once.
    expect(await activity.run(notices.deliverNotice, reminder('P7D'))).toMatchObject({ alreadySent: 1, digested: 1 });
    // An overdue notice goes at once, to everyone.
    const overdue = { ...reminder('after-P1D'), kind: 'progressReportOverdue' as const, variables: { ...variables, notice: 1 }, mayWait: false };
    expect(await activity.run(notices.deliverNotice, overdue)).toEqual({ sent: 2, alreadySent: 0, uncertain: 0 });
    expect(to('lin@ntu.edu.tw').map((m) => m.subject)).toEqual(['【逾期通知（第1次）】第1年度進度報告未繳']);
    expect(to('wang@ntu.edu.tw')).toHaveLength(3);

    expect(await activity.run(digests.sendDigests)).toEqual({ recipients: 1, reminders: 2 });
    const [digest, ...more] = to('lin@ntu.edu.tw').slice(1);
    expect(more).toEqual([]);
    expect(digest!.subject).toBe('【每日提醒彙整】共 2 則');
    expect(digest!.text).toContain('• 【提醒】第1年度進度報告請於 106年11月1日 前繳交：');
    expect(digest!.text!.match(/• /g)).toHaveLength(2);
    // Nothing waits any more: the next tick sends nothing, and a reminder sent again is not listed again.
    expect(await activity.run(notices.deliverNotice, reminder('P30D'))).toMatchObject({ digested: 1 });
    expect(await activity.run(digests.sendDigests)).toEqual({ recipients: 0, reminders: 0 });

    // Stopped: reminders come at once again; and retention erases what a project left waiting.
    await activity.run(digests.recordDigestChoice, { email: 'lin@ntu.edu.tw', daily: false, at: '2017-10-02T00:00:00.000Z' });
    expect(await activity.run(notices.deliverNotice, reminder('P1D'))).toEqual({ sent: 2, alreadySent: 0, uncertain: 0 });
    await activity.run(digests.recordDigestChoice, { email: 'lin@ntu.edu.tw', daily: true, at: '2017-10-03T00:00:00.000Z' });
    await activity.run(notices.deliverNotice, reminder('P2D'));
    expect((await log.waitingForDigest()).map((w) => w.items.length)).toEqual([1]);
    await log.erase('notice:project:alliance-105:TE2-0001:');
    expect(await log.waitingForDigest()).toEqual([]);
  } finally {
    transport.close();
    await smtp.stop();
    await log.close();
    await ledger.close();
  }
});

it("keeps a person's choice through their preferences workflow, and the daily schedule sends what waited", async () => {
  const [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
  const log = await openSqliteNoticeLog(path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-digest-')), 'notices.sqlite'));
  const smtp = await startRecordingSmtp();
  const transport = loopbackTransport(smtp.port);
  const taskQueue = uniqueName('digest');
  try {
    await withServiceWorker(
      env,
      bundle,
      taskQueue,
      async () => {
        const preferences = new PreferencesClient(env.client, taskQueue);
        expect(await preferences.digest('chen@ncku.edu.tw')).toEqual({ daily: false, chosenAt: null });
        expect(await preferences.chooseDigest('Chen@ncku.edu.tw', true)).toMatchObject({ daily: true });
        expect(await preferences.digest('chen@ncku.edu.tw')).toMatchObject({ daily: true });
        // The workflow's activity wrote it where the delivery activity reads it.
        expect(await log.digestChosen('chen@ncku.edu.tw')).toBe(true);
        await log.queueForDigest({
          key: 'notice:project:c:TE2-0009:r-1/chen@ncku.edu.tw',
          email: 'chen@ncku.edu.tw',
          language: 'en',
          subject: '[Reminder] Review due',
          line: 'Your review is due.',
          queuedAt: new Date().toISOString(),
        });

        await ensureDigestSchedule(env.client, taskQueue, 8);
        await ensureDigestSchedule(env.client, taskQueue, 8); // every worker may ask: the first creates it
        const schedule = env.client.schedule.getHandle(digestScheduleId(taskQueue));
        const { spec } = await schedule.describe();
        expect([spec.calendars?.[0]?.hour, spec.timezone]).toEqual([[{ start: 8, end: 8, step: 1 }], 'Asia/Taipei']);
        await schedule.trigger();
        await waitForMail(smtp, (all) => all.some((m) => recipientsOf(m).includes('chen@ncku.edu.tw')));
        expect(smtp.accepted.map((m) => m.subject)).toEqual(['[Daily reminders] 1 in all']);
        expect(smtp.accepted[0]!.text).toContain('• [Reminder] Review due: Your review is due.');
        await schedule.delete();
      },
      undefined,
      { transport, from: 'alliance-office@most.gov.tw', log },
    );
  } finally {
    transport.close();
    await smtp.stop();
    await log.close();
    await env.teardown();
  }
});
