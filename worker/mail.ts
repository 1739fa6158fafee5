import path from 'node:path';
import { createTransport } from 'nodemailer';
import type { Environment } from '../domain/environment';
import type { MailDependencies } from '../activities/notices';
import { loopbackTransport, relayTimeouts, startMailSink, type MailSink } from '../activities/notices/mail-sink';
import type { NoticeLog } from '../activities/notices/notice-log';

export interface ServiceMail {
  deps: MailDependencies;
  /** The try-out sink's directory, when mail goes there. */
  sinkDir?: string;
  /** Where mail goes, for the start-up banner. */
  destination: string;
  stop(): Promise<void>;
}

/**
 * The service's mail: the relay at SMTP_URL, or without it the embedded loopback sink that keeps
 * every message as an .eml file under the data directory; the fallback relay at SMTP_FALLBACK_URL
 * for the office's alerts. Either way the shared notice log remembers what was sent.
 */
export async function startServiceMail(env: Environment, log: NoticeLog): Promise<ServiceMail> {
  let sink: MailSink | undefined;
  let transport;
  let destination: string;
  if (env.SMTP_URL) {
    // A connection per mail, so no mail waits in a queue. A relay that does not answer at all fails
    // within seconds; one that takes its time over DATA is waited for (a second attempt would send twice).
    transport = createTransport({ url: env.SMTP_URL, ...relayTimeouts });
    const url = new URL(env.SMTP_URL);
    destination = `${url.protocol}//${url.host} (SMTP_URL)`;
  } else {
    sink = await startMailSink({ dir: path.resolve(env.ALLIANCE_DATA_DIR, 'mail'), port: env.SMTP_SINK_PORT });
    transport = loopbackTransport(sink.port, relayTimeouts);
    destination = `${sink.dir} (.eml files; embedded SMTP sink on 127.0.0.1:${sink.port})`;
  }
  const fallback = env.SMTP_FALLBACK_URL ? createTransport({ url: env.SMTP_FALLBACK_URL, ...relayTimeouts }) : undefined;
  if (fallback) destination += `; office alerts also through ${new URL(env.SMTP_FALLBACK_URL!).host} (SMTP_FALLBACK_URL)`;
  return {
    deps: { transport, from: env.SMTP_FROM, log, ...(fallback ? { fallback } : {}) },
    ...(sink ? { sinkDir: sink.dir } : {}),
    destination,
    async stop() {
      transport.close();
      fallback?.close();
      await sink?.stop();
    },
  };
}
