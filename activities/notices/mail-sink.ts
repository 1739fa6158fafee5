import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { sha256 } from '../../tlog/digest';

export interface MailSink {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** How a kept message's file name ends: by its Message-ID, so retention finds a project's mail. */
export const sinkFileSuffix = (messageId: string): string => `${sha256(messageId).slice(0, 24)}.eml`;

/**
 * The embedded default when no SMTP_URL is set: a real SMTP server on loopback that keeps every
 * message it accepts as an .eml file, named by arrival and Message-ID: a message sent twice is
 * there twice, as a mailbox would have it.
 */
export function startMailSink(options: { dir: string; port?: number }): Promise<MailSink> {
  mkdirSync(options.dir, { recursive: true });
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    banner: 'alliance mail sink',
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const message = Buffer.concat(chunks);
        const head = message.subarray(0, message.indexOf('\r\n\r\n') > 0 ? message.indexOf('\r\n\r\n') : message.length).toString('utf8');
        const messageId = /^message-id:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? `${Date.now()}-${Math.random()}`;
        const arrival = `${new Date().toISOString().replace(/[:.]/g, '')}-${process.pid}-${String(++received).padStart(6, '0')}`;
        writeFileSync(path.join(options.dir, `${arrival}-${sinkFileSuffix(messageId)}`), message);
        callback();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.server.address() as { port: number };
      resolve({ port: address.port, dir: options.dir, stop: () => stopRelay(server) });
    });
  });
}

/**
 * Stops an SMTP server: the sessions carrying no message now (a client keeps connections open
 * between messages) are ended at once, a message on its way is waited for (up to the server's
 * close timeout) as before.
 */
export function stopRelay(server: SMTPServer): Promise<void> {
  const stopped = new Promise<void>((done) => server.close(() => done()));
  const sessions = (server as unknown as { connections: Set<{ session?: { envelope?: { mailFrom?: unknown } }; close(): void }> }).connections;
  for (const session of [...sessions]) if (!session.session?.envelope?.mailFrom) session.close();
  return stopped;
}

/**
 * How long the service waits for a relay: seconds to connect and greet, and the 10 minutes RFC 5321
 * (§4.5.3.2) gives a server to answer the end of DATA — the delivery activity heartbeats meanwhile,
 * since giving up early and retrying would send the message twice.
 */
export const relayTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10 * 60_000 };

/** A nodemailer transport to an SMTP server on this machine's loopback (no TLS there to negotiate). */
export function loopbackTransport(port: number, timeouts: { connectionTimeout?: number; greetingTimeout?: number; socketTimeout?: number } = {}): Transporter {
  return createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, ...timeouts });
}
