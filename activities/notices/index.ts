import { ApplicationFailure, CancelledFailure, Context, log } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type { Language, Localized, NoticeKind, NoticeRecipient, NoticeVariables } from '../../domain/notification-policy';
import { createNoticeDelivery } from './delivery';
import type { SqliteNoticeLog } from './notice-log';
import { MissingTemplateVariableError, renderNotice } from './render';

/** Where the service's mail goes: an SMTP transport, the sender, and the log that makes sending idempotent. */
export interface MailDependencies {
  transport: Transporter;
  from: string;
  log: SqliteNoticeLog;
}

export interface NoticeAddress {
  role: NoticeRecipient;
  name: string | Localized;
  email: string;
}

export interface DeliverNoticeInput {
  /** (workflow, notice): with each recipient's address, the idempotency key of one e-mail. */
  key: string;
  kind: NoticeKind;
  language: Language;
  variables: NoticeVariables;
  recipients: NoticeAddress[];
}

export interface UndeliveredNoticeInput extends DeliverNoticeInput {
  officeEmail: string;
}

const nameIn = (name: string | Localized, language: Language): string => (typeof name === 'string' ? name : name[language]);
const mailKey = (key: string, email: string): string => `${key}/${email.toLowerCase()}`;

/**
 * The relay refused this recipient for good (a 5xx answer to RCPT TO: no such mailbox). A 5xx
 * anywhere else (login, sender, greeting) is the relay's problem, not the address's: retried.
 */
const isRefusedRecipient = (error: unknown): boolean => {
  const { responseCode, command } = error as { responseCode?: number; command?: string };
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600 && command === 'RCPT TO';
};

/** Tells the server the attempt is alive; stops an attempt the server has already given up on. */
function stillWanted(progress: unknown): void {
  const context = Context.current();
  context.heartbeat(progress);
  if (context.cancellationSignal.aborted) throw new CancelledFailure('the delivery attempt was cancelled (timed out); a retry takes over');
}

/** The notice activities: render from data, send through SMTP once per (workflow, notice, recipient). */
export function createNoticeActivities(deps: { mail: MailDependencies }) {
  const deliver = createNoticeDelivery(deps.mail);

  function render(input: DeliverNoticeInput, recipient: NoticeAddress) {
    try {
      return renderNotice(input.kind, input.language, { ...input.variables, recipientName: nameIn(recipient.name, input.language) });
    } catch (error) {
      // A template and its data disagree: a bug, not an outage; retrying would not fix it.
      if (error instanceof MissingTemplateVariableError) throw ApplicationFailure.nonRetryable(error.message, 'NoticeTemplateError');
      throw error;
    }
  }

  return {
    /**
     * Sends the notice to every recipient not yet sent to. A relay that is down fails the attempt
     * (Temporal retries it with backoff); a relay that refuses an address for good is reported
     * after the others have had theirs.
     */
    async deliverNotice(input: DeliverNoticeInput): Promise<{ sent: number; alreadySent: number }> {
      let sent = 0;
      let alreadySent = 0;
      const refused: string[] = [];
      for (const recipient of input.recipients) {
        stillWanted({ sent, alreadySent });
        const notice = render(input, recipient);
        try {
          const outcome = await deliver({ key: mailKey(input.key, recipient.email), to: { name: nameIn(recipient.name, input.language), address: recipient.email }, notice });
          if (outcome.status === 'sent') sent++;
          else alreadySent++;
        } catch (error) {
          if (!isRefusedRecipient(error)) throw error;
          refused.push(`${recipient.email}: ${(error as Error).message}`);
        }
      }
      if (refused.length > 0) throw ApplicationFailure.nonRetryable(`the mail relay refused ${refused.join('; ')}`, 'NoticeRefused');
      return { sent, alreadySent };
    },

    /** Tells the programme office which recipients of a notice have not had it, since when and why. */
    async reportUndeliveredNotice(input: UndeliveredNoticeInput): Promise<number> {
      let reported = 0;
      for (const recipient of input.recipients) {
        const state = deps.mail.log.get(mailKey(input.key, recipient.email));
        if (state?.status === 'sent') continue;
        // A notice whose template failed cannot be rendered here either: name it by its kind.
        let failedSubject: string = input.kind;
        try {
          failedSubject = render(input, recipient).subject;
        } catch {
          // keep the kind
        }
        log.warn('notice not delivered', { key: input.key, recipient: recipient.email, since: state?.firstAttemptAt, error: state?.lastError });
        const office: NoticeAddress = { role: 'office', name: { 'zh-TW': '計畫辦公室', en: 'Programme office' }, email: input.officeEmail };
        const alert = renderNotice('deliveryFailed', input.language, {
          failedSubject, failedRecipient: recipient.email, since: state?.firstAttemptAt ?? new Date().toISOString(),
          error: state?.lastError ?? 'no attempt has succeeded yet', recipientName: nameIn(office.name, input.language),
        });
        await deliver({ key: mailKey(`${input.key}/undelivered`, recipient.email), to: input.officeEmail, notice: alert });
        reported++;
      }
      return reported;
    },
  };
}
