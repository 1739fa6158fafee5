import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createNoticeActivities } from '../activities/notices';
import { createNoticeDelivery } from '../activities/notices/delivery';
import { loopbackTransport, startMailSink, stopRelay } from '../activities/notices/mail-sink';
import { SqlNoticeLog, type NoticeLog } from '../activities/notices/notice-log';
import { openSqliteLedger, openSqliteNoticeLog } from '../activities/stores';
import { postgresDriver } from '../activities/sql/postgres-driver';
import { startCuttingProxy } from './helpers/cutting-proxy';
import { sharedPostgresDatabase } from './helpers/postgres';
import { startRecordingSmtp } from './helpers/smtp';
import { renderNotice } from '../activities/notices/render';

const variables = { recipientName: '林志明', projectTitle: '5G 邊緣運算產業聯盟', year: 1, deadline: '2017-10-31T16:00:00.000Z' };

async function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-mail-'));
  const log = await openSqliteNoticeLog(path.join(dir, 'notices.sqlite'));
  const ledger = await openSqliteLedger(path.join(dir, 'ledger.sqlite'));
  return { dir, log, ledger, mailDir: path.join(dir, 'mail') };
}

const messages = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => readFileSync(path.join(dir, f)));

describe('notice delivery over real SMTP on loopback', () => {
  it('sends a notice once per key, readable in zh-TW with its ROC date', async () => {
    const { log, mailDir } = await setup();
    const sink = await startMailSink({ dir: mailDir });
    const deliver = createNoticeDelivery({ transport: loopbackTransport(sink.port), from: 'alliance-office@most.gov.tw', log });
    const item = {
      key: 'project:alliance-105:TE2-0001/progressReportDue-1-P30D/lin@ntu.edu.tw',
      to: '林志明 <lin@ntu.edu.tw>',
      notice: renderNotice('progressReportDue', 'zh-TW', variables),
    };
    expect((await deliver(item)).status).toBe('sent');
    expect((await deliver(item)).status).toBe('alreadySent');
    await sink.stop();
    await log.close();
    const stored = messages(mailDir);
    expect(stored).toHaveLength(1);
    const mail = await simpleParser(stored[0]!);
    expect(mail.subject).toBe('【提醒】第1年度進度報告請於 106年11月1日 前繳交');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe('lin@ntu.edu.tw');
    expect(mail.text).toContain('林志明 您好');
    expect(mail.html).toContain('<p>');
  });

  it('fails while the SMTP server is down and delivers exactly once when it is back', async () => {
    const { log, mailDir } = await setup();
    const sink = await startMailSink({ dir: mailDir });
    const port = sink.port;
    await sink.stop();
    const deliver = createNoticeDelivery({ transport: loopbackTransport(port, { connectionTimeout: 2_000 }), from: 'office@example.tw', log });
    const item = { key: 'k-outage', to: 'lin@ntu.edu.tw', notice: renderNotice('progressReportOverdue', 'en', { ...variables, notice: 1 }) };
    await expect(deliver(item)).rejects.toThrow();
    await expect(deliver(item)).rejects.toThrow();
    expect((await log.undelivered()).map((n) => [n.key, n.attempts])).toEqual([['k-outage', 2]]);
    const again = await startMailSink({ dir: mailDir, port });
    expect((await deliver(item)).status).toBe('sent');
    expect((await deliver(item)).status).toBe('alreadySent');
    await again.stop();
    expect(await log.undelivered()).toEqual([]);
    await log.close();
    expect(messages(mailDir)).toHaveLength(1);
  });

  it('sends once when two workers sharing one notice log (PostgreSQL) deliver the same notice at the same moment', async () => {
    const { mailDir } = await setup();
    const sink = await startMailSink({ dir: mailDir });
    const url = await sharedPostgresDatabase('notices_two_workers');
    const logs = await Promise.all(['a', 'b'].map(() => SqlNoticeLog.open(postgresDriver(url))));
    const workers = logs.map((log) => createNoticeDelivery({ transport: loopbackTransport(sink.port), from: 'office@example.tw', log }));
    const item = {
      key: 'k-both',
      to: 'lin@ntu.edu.tw',
      notice: renderNotice('tranchePaid', 'zh-TW', { ...variables, tranche: 1, amount: 1_000_000, paymentReference: 'PAY-1' }),
    };
    const outcomes = await Promise.allSettled(workers.map((deliver, i) => deliver(item, { holder: `worker-${i}` })));
    // One sent it; the other found it sent, or found the first one's lease and was told to retry.
    const sent = outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 'sent');
    expect(sent).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as Error).name).toBe('NoticeHeldError');
    expect((await workers[1]!(item, { holder: 'worker-1-retry' })).status).toBe('alreadySent');
    await sink.stop();
    await Promise.all(logs.map((l) => l.close()));
    expect(messages(mailDir)).toHaveLength(1);
  });
});

describe('notice delivery over real SMTP on loopback: a relay lost mid-message', () => {
  it('never sends a second copy when the relay is lost after the end of DATA: the key is uncertain and stays so', async () => {
    const { log } = await setup();
    const relay = await startRecordingSmtp();
    const proxy = await startCuttingProxy(relay.port);
    const deliver = createNoticeDelivery({ transport: loopbackTransport(proxy.port), from: 'office@example.tw', log });
    const item = {
      key: 'k-cut',
      to: 'lin@ntu.edu.tw',
      notice: renderNotice('tranchePaid', 'zh-TW', { ...variables, tranche: 1, amount: 1_000_000, paymentReference: 'PAY-1' }),
    };
    const first = await deliver(item, { holder: 'attempt-1' });
    expect(first).toMatchObject({ status: 'uncertain', reason: expect.stringContaining('after the end of DATA') });
    // A retry through a relay that works now: still not sent again.
    expect((await deliver(item, { holder: 'attempt-2' })).status).toBe('uncertain');
    expect(proxy.cuts).toBe(1);
    expect(relay.accepted).toHaveLength(1);
    expect(relay.accepted[0]!.text).toContain('NT$1,000,000');
    expect(await log.get('k-cut')).toMatchObject({ status: 'uncertain', leaseHolder: null });
    await Promise.all([proxy.stop(), relay.stop(), log.close()]);
  });

  it('sends exactly one copy when an attempt stops before the end of DATA (the relay drops what it had)', async () => {
    const { log } = await setup();
    const relay = await startRecordingSmtp();
    // The log is away at the moment the attempt would record `committing`: DATA is aborted.
    let away = true;
    const flaky: NoticeLog = Object.assign(Object.create(log) as NoticeLog, {
      committing: (key: string, holder: string) => (away ? ((away = false), Promise.reject(new Error('database unavailable'))) : log.committing(key, holder)),
    });
    const deliver = createNoticeDelivery({ transport: loopbackTransport(relay.port), from: 'office@example.tw', log: flaky });
    const item = {
      key: 'k-aborted',
      to: 'lin@ntu.edu.tw',
      notice: renderNotice('tranchePaid', 'en', { ...variables, tranche: 1, amount: 1_000_000, paymentReference: 'PAY-1' }),
    };
    await expect(deliver(item, { holder: 'attempt-1' })).rejects.toThrow('database unavailable');
    expect(relay.accepted).toHaveLength(0);
    expect((await deliver(item, { holder: 'attempt-2' })).status).toBe('sent');
    expect(relay.accepted).toHaveLength(1);
    await Promise.all([relay.stop(), log.close()]);
  });

  it('keeps its connection to the relay between messages; one the relay ended while idle is replaced, each message sent once', async () => {
    const { log } = await setup();
    let connections = 0;
    const accepted: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      onConnect: (_session, callback) => ((connections += 1), callback()),
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => (accepted.push(String(session.envelope.rcptTo[0]?.address)), callback()));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const deliver = createNoticeDelivery({ transport: loopbackTransport((server.server.address() as { port: number }).port), from: 'office@example.tw', log });
    const item = (n: number) => ({
      key: `k-kept-${n}`,
      to: `pi${n}@ntu.edu.tw`,
      notice: renderNotice('tranchePaid', 'en', { ...variables, tranche: 1, amount: 1_000_000, paymentReference: `PAY-${n}` }),
    });
    for (const n of [1, 2, 3]) expect((await deliver(item(n))).status).toBe('sent');
    expect(connections).toBe(1);
    // The relay ends the idle session (its own timeout, a restart); the next message goes over a new one.
    for (const session of (server as unknown as { connections: Set<{ close(): void }> }).connections) session.close();
    expect((await deliver(item(4))).status).toBe('sent');
    expect((await deliver(item(4))).status).toBe('alreadySent');
    expect(accepted).toEqual(['pi1@ntu.edu.tw', 'pi2@ntu.edu.tw', 'pi3@ntu.edu.tw', 'pi4@ntu.edu.tw']);
    expect(connections).toBe(2);
    await Promise.all([stopRelay(server), log.close()]);
  });
});

describe('a relay that refuses', () => {
  /** A real SMTP server that refuses one mailbox at RCPT TO, or every sender at MAIL FROM. */
  async function refusingRelay(refuse: { mailbox?: string; sender?: boolean }) {
    const accepted: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      onMailFrom: (_address, _session, callback) => callback(refuse.sender ? Object.assign(new Error('sender not allowed'), { responseCode: 550 }) : undefined),
      onRcptTo: (address, _session, callback) =>
        callback(address.address === refuse.mailbox ? Object.assign(new Error('no such mailbox'), { responseCode: 550 }) : undefined),
      onData(stream, session, callback) {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          accepted.push(...session.envelope.rcptTo.map((r) => r.address));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as { port: number };
    return { port, accepted, stop: () => new Promise<void>((done) => server.close(() => done())) };
  }

  const input = (key: string) => ({
    key,
    kind: 'applicationReceived' as const,
    language: 'zh-TW' as const,
    variables: {
      callTitle: '105年度產學技術聯盟合作計畫',
      projectTitle: '5G 邊緣運算產業聯盟',
      applicationId: 'TE2-0001',
      deadline: '2016-09-19T09:00:00.000Z',
    },
    recipients: [
      { role: 'pi' as const, name: '林志明', email: 'gone@ntu.edu.tw' },
      { role: 'coPis' as const, name: '王美華', email: 'wang@ntu.edu.tw' },
    ],
  });

  it('gives up on a mailbox refused for good, after the others have had theirs', async () => {
    const relay = await refusingRelay({ mailbox: 'gone@ntu.edu.tw' });
    const { log, ledger } = await setup();
    const { deliverNotice } = createNoticeActivities({ mail: { transport: loopbackTransport(relay.port), from: 'office@example.tw', log }, ledger });
    const failure = await new MockActivityEnvironment().run(deliverNotice, input('k-refused')).catch((e: unknown) => e);
    await relay.stop();
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'NoticeRefused', nonRetryable: true });
    expect((failure as Error).message).toContain('gone@ntu.edu.tw');
    expect(relay.accepted).toEqual(['wang@ntu.edu.tw']);
  });

  it('keeps retrying when the relay refuses the sender: the relay is at fault, not the address', async () => {
    const relay = await refusingRelay({ sender: true });
    const { log, ledger } = await setup();
    const { deliverNotice } = createNoticeActivities({ mail: { transport: loopbackTransport(relay.port), from: 'office@example.tw', log }, ledger });
    const failure = await new MockActivityEnvironment().run(deliverNotice, input('k-sender')).catch((e: unknown) => e);
    await relay.stop();
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect((failure as Error).message).toContain('sender not allowed');
    expect((await log.undelivered()).map((n) => n.key)).toEqual(['k-sender/gone@ntu.edu.tw']);
  });
});
