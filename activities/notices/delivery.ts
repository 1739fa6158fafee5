import type { Transporter } from 'nodemailer';
import { sha256 } from '../ledger/digest';
import type { SqliteNoticeLog } from './notice-log';
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

/**
 * Sends a rendered notice once. The Message-ID is derived from the key, so a copy sent again
 * after a crash between the relay's acceptance and our record carries the same id (the embedded
 * sink keeps one copy; mail clients thread it as one). An SMTP failure is thrown, to be retried.
 */
export function createNoticeDelivery(deps: { transport: Transporter; from: string; log: SqliteNoticeLog; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return async function deliver(item: NoticeToSend): Promise<DeliveryOutcome> {
    const messageId = `<${sha256(item.key).slice(0, 32)}@alliance.notices>`;
    const known = deps.log.get(item.key);
    if (known?.status === 'sent') return { status: 'alreadySent', messageId: known.messageId };
    deps.log.attempt(item.key, messageId, now().toISOString());
    try {
      await deps.transport.sendMail({ from: deps.from, to: item.to, subject: item.notice.subject, text: item.notice.text, html: item.notice.html, messageId });
    } catch (error) {
      deps.log.failed(item.key, (error as Error).message);
      throw error;
    }
    deps.log.sent(item.key, now().toISOString());
    return { status: 'sent', messageId };
  };
}
