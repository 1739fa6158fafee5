import { randomUUID } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { sha256 } from '../ledger/digest';
import type { NoticeLog } from './notice-log';
import type { RenderedNotice } from './render';

export interface NoticeToSend {
  /** (workflow, notice, recipient): the same key is sent at most once. */
  key: string;
  to: string | { name: string; address: string };
  notice: RenderedNotice;
}

export interface DeliveryOutcome {
  status: 'sent' | 'alreadySent';
  messageId: string;
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

/**
 * Sends a rendered notice once. The attempt first takes the key's lease in the shared notice log,
 * so no two workers send it at the same time, and renews it (with a heartbeat) for as long as the
 * relay takes; a key already sent is not sent again. The one window left: a worker that dies after
 * the relay accepted the message and before the log records it — the retry sends a second copy,
 * with the same Message-ID (derived from the key), which mail clients thread as one.
 */
export function createNoticeDelivery(deps: { transport: Transporter; from: string; log: NoticeLog; now?: () => Date; leaseMs?: number }) {
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? NOTICE_LEASE_MS;
  return async function deliver(item: NoticeToSend, attempt: Attempt = { holder: randomUUID() }): Promise<DeliveryOutcome> {
    const messageId = `<${sha256(item.key).slice(0, 32)}@alliance.notices>`;
    const claim = await deps.log.claim(item.key, messageId, attempt.holder, now(), leaseMs);
    if (claim.status === 'sent') return { status: 'alreadySent', messageId: claim.state.messageId };
    if (claim.status === 'held') throw new NoticeHeldError(`${item.key} is being sent by another attempt (its lease holds until ${claim.until}); retrying after it`);
    const renewing = setInterval(() => {
      attempt.keepAlive?.();
      deps.log.renew(item.key, attempt.holder, new Date(now().getTime() + leaseMs)).catch(() => undefined);
    }, Math.min(RENEW_EVERY_MS, leaseMs / 3));
    try {
      await deps.transport.sendMail({ from: deps.from, to: item.to, subject: item.notice.subject, text: item.notice.text, html: item.notice.html, messageId });
    } catch (error) {
      await deps.log.failed(item.key, attempt.holder, (error as Error).message);
      throw error;
    } finally {
      clearInterval(renewing);
    }
    // The relay has it: recording that must not fail for a database that is briefly away, or the
    // retry would send it again. Kept trying (alive all the while) for as long as the lease would hold, and more.
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
