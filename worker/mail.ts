import path from 'node:path';
import { createTransport } from 'nodemailer';
import type { Environment } from '../domain/environment';
import type { MailDependencies } from '../activities/notices';
import { loopbackTransport, startMailSink, type MailSink } from '../activities/notices/mail-sink';
import { SqliteNoticeLog } from '../activities/notices/notice-log';

export interface ServiceMail {
  deps: MailDependencies;
  /** Where mail goes, for the start-up banner. */
  destination: string;
  noticeLog: string;
  stop(): Promise<void>;
}

/**
 * The service's mail: the relay at SMTP_URL, or without it the embedded loopback sink that keeps
 * every message as an .eml file under the data directory. Either way a notice log in the data
 * directory remembers what was sent, so nothing is sent twice.
 */
export async function startServiceMail(env: Environment): Promise<ServiceMail> {
  const noticeLog = path.resolve(env.ALLIANCE_DATA_DIR, 'notices.sqlite');
  const log = new SqliteNoticeLog(noticeLog);
  let sink: MailSink | undefined;
  let transport;
  let destination: string;
  if (env.SMTP_URL) {
    // A connection per mail, so no mail waits in a queue; timeouts well inside the delivery
    // activity's 30 s heartbeat, so a stuck relay fails the attempt and it is retried.
    transport = createTransport({ url: env.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
    const url = new URL(env.SMTP_URL);
    destination = `${url.protocol}//${url.host} (SMTP_URL)`;
  } else {
    sink = await startMailSink({ dir: path.resolve(env.ALLIANCE_DATA_DIR, 'mail'), port: env.SMTP_SINK_PORT });
    transport = loopbackTransport(sink.port, { connectionTimeout: 10_000, socketTimeout: 20_000 });
    destination = `${sink.dir} (.eml files; embedded SMTP sink on 127.0.0.1:${sink.port})`;
  }
  return {
    deps: { transport, from: env.SMTP_FROM, log },
    destination,
    noticeLog,
    async stop() {
      transport.close();
      await sink?.stop();
      log.close();
    },
  };
}
