import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { stopRelay } from '../../activities/notices/mail-sink';

export interface RecordingSmtp {
  port: number;
  /** Every message the server accepted (replied 250 to), in order; a copy sent twice is here twice. */
  accepted: ParsedMail[];
  stop(): Promise<void>;
}

/** Decides whether a message is accepted (true), refused with 451 (false, or the refusal's text); may wait (to hold a sender mid-send). */
export type Gate = (message: ParsedMail) => Promise<boolean | string> | boolean | string;

/**
 * A real SMTP server on loopback for tests: it records what it accepts so a test can count
 * deliveries exactly, and a gate can hold or refuse a message.
 */
export function startRecordingSmtp(options: { port?: number; gate?: Gate; accepted?: ParsedMail[] } = {}): Promise<RecordingSmtp> {
  const accepted = options.accepted ?? [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          const verdict = options.gate ? await options.gate(mail) : true;
          if (verdict !== true) return callback(Object.assign(new Error(verdict === false ? 'try again later' : verdict), { responseCode: 451 }));
          accepted.push(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.server.address() as { port: number };
      resolve({ port, accepted, stop: () => stopRelay(server) });
    });
  });
}

export const recipientsOf = (mail: ParsedMail): string[] =>
  (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));

/** Polls until `predicate` holds of the accepted messages; fails with what arrived. */
export async function waitForMail(smtp: { accepted: ParsedMail[] }, predicate: (accepted: ParsedMail[]) => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(smtp.accepted)) {
    if (Date.now() > deadline)
      throw new Error(`mail did not arrive; accepted so far: ${smtp.accepted.map((m) => `${recipientsOf(m).join(',')} "${m.subject}"`).join('; ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
