import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { sha256 } from '../../tlog/digest';
import type { NoticeLog } from './notice-log';
import { relayConnections } from './relay-connections';
import type { RenderedNotice } from './render';

export interface NoticeToSend {
  /** (workflow, notice, recipient): the same key is sent at most once. */
  key: string;
  to: string | { name: string; address: string };
  notice: RenderedNotice;
}

export interface DeliveryOutcome {
  /** `uncertain`: an attempt lost the relay after ending DATA; not sent again (see the notice log). */
  status: 'sent' | 'alreadySent' | 'uncertain';
  messageId: string;
  /** Why it is uncertain, for the office. */
  reason?: string;
}

/** Another attempt holds the key's lease and may be talking to the relay right now: retry later. */
export class NoticeHeldError extends Error {
  override readonly name = 'NoticeHeldError';
}

/** How one attempt identifies itself and shows it is alive while the relay takes its time. */
export interface Attempt {
  holder: string;
  /** Called every few seconds while the relay has the message (e.g. the activity's heartbeat). */
  keepAlive?: () => void;
}

/**
 * How long a lease holds without renewal: a worker that died mid-send frees the key after this.
 * Shorter than the delivery activity's 30 s heartbeat timeout, so the retry Temporal starts for
 * a dead attempt finds the key free; renewed every 5 s while an attempt lives.
 */
export const NOTICE_LEASE_MS = 20_000;
const RENEW_EVERY_MS = 5_000;
const RECORD_RETRY_MS = 1_000;
const RECORD_FOR_MS = 5 * 60_000;

/** The bare address of `Name <address>` or `{ name, address }`, as the envelope wants it. */
function addressOf(who: string | { name: string; address: string }): string {
  if (typeof who !== 'string') return who.address;
  return /<([^<>]+)>\s*$/.exec(who)?.[1]?.trim() ?? who.trim();
}

/**
 * A relay's answer (a reply code) means it did not take the message; no answer after the end of
 * DATA (connection lost, timed out) means nobody knows.
 */
const relayAnswered = (error: unknown): boolean => typeof (error as { responseCode?: unknown }).responseCode === 'number';

/**
 * The message as a stream that holds back its own end until `beforeEnd` settles: the SMTP client
 * writes the final `.` of DATA only when the stream ends, and a relay keeps nothing of a message
 * whose DATA never ended. A `beforeEnd` that fails aborts the message instead.
 */
function endingOnlyAfter(message: Buffer, beforeEnd: () => Promise<void>, onEnd: () => void): Readable {
  let pushed = false;
  const stream = new Readable({
    read() {
      if (pushed) return;
      pushed = true;
      this.push(message);
      beforeEnd().then(
        () => {
          onEnd();
          stream.push(null);
        },
        (error: Error) => stream.destroy(error),
      );
    },
  });
  return stream;
}

/**
 * One message over a connection to the transport's relay (host, port, TLS, credentials), driven
 * step by step: unlike the transport's sendMail, the connection reads the message only once the
 * relay has said "go ahead" (354) to DATA, so the hold on the message's end holds exactly between
 * that and the final dot. Connections are kept open between messages (`relay-connections.ts`); one
 * the relay dropped while it was idle is noticed before a byte of the message went out, and the
 * message goes over a new connection instead.
 */
async function relaySend(transport: Transporter, envelope: { from: string; to: string }, message: Readable): Promise<void> {
  const relay = relayConnections(transport);
  for (;;) {
    const { connection, reused } = await relay.take();
    let onError: ((error: Error) => void) | undefined;
    const failed = new Promise<never>((_resolve, reject) => connection.once('error', (onError = reject)));
    failed.catch(() => undefined);
    try {
      await Promise.race([failed, new Promise<void>((resolve, reject) => connection.send(envelope, message, (error) => (error ? reject(error) : resolve())))]);
      connection.off('error', onError!);
      relay.give(connection);
      return;
    } catch (error) {
      connection.off('error', onError!);
      connection.close();
      if (reused && !message.readableDidRead && !relayAnswered(error)) continue;
      throw error;
    }
  }
}

/**
 * Sends a rendered notice once. The attempt first takes the key's lease in the shared notice log,
 * so no two workers send it at the same time, and renews it (with a heartbeat) for as long as the
 * relay takes; a key already sent is not sent again. The relay has the whole message before the
 * log records `committing`, and only then is DATA ended: an attempt that dies before that sends
 * nothing (the relay drops an unfinished message) and its retry sends the one copy; an attempt that
 * dies after it, before the answer is recorded, leaves the key `uncertain` — the retry does not
 * send a second copy but reports it, so the office can ask the recipient. Never twice.
 */
export function createNoticeDelivery(deps: { transport: Transporter; from: string; log: NoticeLog; now?: () => Date; leaseMs?: number }) {
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? NOTICE_LEASE_MS;
  return async function deliver(item: NoticeToSend, attempt: Attempt = { holder: randomUUID() }): Promise<DeliveryOutcome> {
    const messageId = `<${sha256(item.key).slice(0, 32)}@alliance.notices>`;
    const claim = await deps.log.claim(item.key, messageId, attempt.holder, now(), leaseMs);
    if (claim.status === 'sent') return { status: 'alreadySent', messageId: claim.state.messageId };
    if (claim.status === 'uncertain') return { status: 'uncertain', messageId: claim.state.messageId, reason: claim.state.lastError ?? 'unknown' };
    if (claim.status === 'held')
      throw new NoticeHeldError(`${item.key} is being sent by another attempt (its lease holds until ${claim.until}); retrying after it`);
    const renewing = setInterval(
      () => {
        attempt.keepAlive?.();
        deps.log.renew(item.key, attempt.holder, new Date(now().getTime() + leaseMs)).catch(() => undefined);
      },
      Math.min(RENEW_EVERY_MS, leaseMs / 3),
    );
    let dataEnded = false;
    try {
      const message = await new MailComposer({
        from: deps.from,
        to: item.to,
        subject: item.notice.subject,
        text: item.notice.text,
        html: item.notice.html,
        messageId,
      })
        .compile()
        .build();
      const committing = async () => {
        if (!(await deps.log.committing(item.key, attempt.holder)))
          throw new NoticeHeldError(`${item.key}: this attempt's lease ran out before the end of DATA; another attempt takes over`);
      };
      await relaySend(
        deps.transport,
        { from: addressOf(deps.from), to: addressOf(item.to) },
        endingOnlyAfter(message, committing, () => (dataEnded = true)),
      );
    } catch (error) {
      clearInterval(renewing);
      if (dataEnded && !relayAnswered(error)) {
        const reason = `the relay was lost after the end of DATA, before its answer: ${(error as Error).message}`;
        await deps.log.uncertain(item.key, attempt.holder, reason);
        return { status: 'uncertain', messageId, reason };
      }
      await deps.log.failed(item.key, attempt.holder, (error as Error).message);
      throw error;
    } finally {
      clearInterval(renewing);
    }
    // The relay has it: recording that must not fail for a database that is briefly away (a retry
    // would find the key `committing` and report it uncertain). Kept trying, alive all the while.
    for (let tries = 1; ; tries++) {
      try {
        await deps.log.sent(item.key, now());
        break;
      } catch (error) {
        if (tries * RECORD_RETRY_MS >= RECORD_FOR_MS) throw error;
        attempt.keepAlive?.();
        await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS));
      }
    }
    return { status: 'sent', messageId };
  };
}
