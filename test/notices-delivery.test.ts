import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { createNoticeDelivery } from '../activities/notices/delivery';
import { startMailSink } from '../activities/notices/mail-sink';
import { SqliteNoticeLog } from '../activities/notices/notice-log';
import { renderNotice } from '../activities/notices/render';

const variables = { recipientName: '林志明', projectTitle: '5G 邊緣運算產業聯盟', year: 1, deadline: '2017-10-31T16:00:00.000Z' };

function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-mail-'));
  const log = new SqliteNoticeLog(path.join(dir, 'notices.sqlite'));
  return { dir, log, mailDir: path.join(dir, 'mail') };
}

const messages = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(path.join(dir, f)));

describe('notice delivery over real SMTP on loopback', () => {
  it('sends a notice once per key, readable in zh-TW with its ROC date', async () => {
    const { log, mailDir } = setup();
    const sink = await startMailSink({ dir: mailDir });
    const deliver = createNoticeDelivery({ transport: createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true }), from: 'alliance-office@most.gov.tw', log });
    const item = { key: 'project:alliance-105:TE2-0001/progressReportDue-1-P30D/lin@ntu.edu.tw', to: '林志明 <lin@ntu.edu.tw>', notice: renderNotice('progressReportDue', 'zh-TW', variables) };
    expect((await deliver(item)).status).toBe('sent');
    expect((await deliver(item)).status).toBe('alreadySent');
    await sink.stop();
    log.close();
    const stored = messages(mailDir);
    expect(stored).toHaveLength(1);
    const mail = await simpleParser(stored[0]!);
    expect(mail.subject).toBe('【提醒】第1年度進度報告請於 106年11月1日 前繳交');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe('lin@ntu.edu.tw');
    expect(mail.text).toContain('林志明 您好');
    expect(mail.html).toContain('<p>');
  });

  it('fails while the SMTP server is down and delivers exactly once when it is back', async () => {
    const { log, mailDir } = setup();
    const sink = await startMailSink({ dir: mailDir });
    const port = sink.port;
    await sink.stop();
    const deliver = createNoticeDelivery({ transport: createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 2_000 }), from: 'office@example.tw', log });
    const item = { key: 'k-outage', to: 'lin@ntu.edu.tw', notice: renderNotice('progressReportOverdue', 'en', { ...variables, notice: 1 }) };
    await expect(deliver(item)).rejects.toThrow();
    await expect(deliver(item)).rejects.toThrow();
    expect(log.undelivered().map((n) => [n.key, n.attempts])).toEqual([['k-outage', 2]]);
    const again = await startMailSink({ dir: mailDir, port });
    expect((await deliver(item)).status).toBe('sent');
    expect((await deliver(item)).status).toBe('alreadySent');
    await again.stop();
    expect(log.undelivered()).toEqual([]);
    log.close();
    expect(messages(mailDir)).toHaveLength(1);
  });

  it('keeps one copy when the same notice reaches the sink twice (a crash between sending and recording)', async () => {
    const { dir, mailDir } = setup();
    const sink = await startMailSink({ dir: mailDir });
    const transport = createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
    const item = { key: 'k-crash', to: 'lin@ntu.edu.tw', notice: renderNotice('tranchePaid', 'zh-TW', { ...variables, tranche: 1, amount: 1_000_000, paymentReference: 'PAY-1' }) };
    // Two workers, two logs: the second never learnt that the first had sent it.
    for (const file of ['a.sqlite', 'b.sqlite']) {
      const log = new SqliteNoticeLog(path.join(dir, file));
      await createNoticeDelivery({ transport, from: 'office@example.tw', log })(item);
      log.close();
    }
    await sink.stop();
    const stored = messages(mailDir);
    expect(stored).toHaveLength(1);
    expect((await simpleParser(stored[0]!)).text).toContain('NT$1,000,000');
  });
});
