import { ApplicationFailure, CancelledFailure, Context, log } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type { Language, Localized, NoticeKind, NoticeRecipient, NoticeVariables } from '../../domain/notification-policy';
import { countNoticeDelivery } from '../metrics';
import { createNoticeDelivery, NoticeHeldError, type Attempt } from './delivery';
import type { DigestItem, NoticeLog } from './notice-log';
import type { LedgerStore } from '../ledger/store';
import { MissingTemplateVariableError, renderNotice } from './render';

/** Where the service's mail goes: an SMTP transport, the sender, and the log that makes sending idempotent. */
export interface MailDependencies {
  transport: Transporter;
  from: string;
  log: NoticeLog;
  /** A second relay (SMTP_FALLBACK_URL), used for the office's alerts when the first one fails. */
  fallback?: Transporter;
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
  /** The call's policy lets it wait for the daily digest of a recipient who chose one (absent: it goes at once). */
  mayWait?: boolean;
}

export interface UndeliveredNoticeInput extends DeliverNoticeInput {
  officeEmail: string;
}

export interface DeliveredNotice {
  sent: number;
  alreadySent: number;
  /** Recipients who chose a daily digest: kept for it instead of sent now (absent before digests). */
  digested?: number;
  /** Recipients whose copy may or may not have reached the relay: never sent again, the office told. */
  uncertain: number;
}

/** One notice's outcome in a batch: delivered (as far as it can be), or refused for good. */
export type BatchDelivery = ({ key: string; status: 'delivered' } & DeliveredNotice) | { key: string; status: 'refused'; reason: string };

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

/** This activity attempt, as the holder of a notice's lease, kept alive by heartbeats while the relay works. */
function thisAttempt(progress: () => unknown): Attempt {
  const context = Context.current();
  const { workflowExecution, activityId, attempt } = context.info;
  return {
    holder: `${workflowExecution?.workflowId ?? 'outside-a-workflow'}/${activityId}#${attempt}/${process.pid}`,
    keepAlive: () => context.heartbeat(progress()),
  };
}

/** A lease held by another attempt is an ordinary retry, not an error worth a stack. */
async function orRetryLater<T>(sending: Promise<T>): Promise<T> {
  try {
    return await sending;
  } catch (error) {
    if (error instanceof NoticeHeldError) throw ApplicationFailure.retryable(error.message, 'NoticeHeld');
    throw error;
  }
}

/** What a digest lists of a reminder: its subject and its own paragraphs (no greeting, no signature). */
const digestItem = (key: string, email: string, language: Language, notice: { subject: string; text: string }): DigestItem => ({
  key,
  email,
  language,
  subject: notice.subject,
  line: notice.text.split('\n\n').slice(1, -1).join(' '),
  queuedAt: new Date().toISOString(),
});

/** A notice for one recipient, in the notice's language; a template its data does not fit fails for good. */
function render(input: Pick<DeliverNoticeInput, 'kind' | 'language' | 'variables'>, recipient: NoticeAddress) {
  try {
    return renderNotice(input.kind, input.language, { ...input.variables, recipientName: nameIn(recipient.name, input.language) });
  } catch (error) {
    // A template and its data disagree: a bug, not an outage; retrying would not fix it.
    if (error instanceof MissingTemplateVariableError) throw ApplicationFailure.nonRetryable(error.message, 'NoticeTemplateError');
    throw error;
  }
}

/**
 * Sends the notice to every recipient not yet sent to. A relay that is down fails the attempt
 * (Temporal retries it with backoff); a relay that refuses an address for good is reported
 * after the others have had theirs; a recipient whose mail may or may not have reached the
 * relay (an attempt lost it after the end of DATA) is not sent a second copy: the office is
 * told in its alert log, to ask the recipient.
 */
function noticeSender(deps: { mail: MailDependencies; ledger: LedgerStore }, deliver: ReturnType<typeof createNoticeDelivery>) {
  async function deliverNotice(input: DeliverNoticeInput): Promise<DeliveredNotice> {
    let sent = 0;
    let alreadySent = 0;
    let uncertain = 0;
    let digested = 0;
    const refused: string[] = [];
    for (const recipient of input.recipients) {
      stillWanted({ sent, alreadySent, uncertain });
      const notice = render(input, recipient);
      // A reminder that may wait, to someone who chose a daily digest: kept for it, once.
      if (input.mayWait && (await deps.mail.log.digestChosen(recipient.email))) {
        await deps.mail.log.queueForDigest(digestItem(mailKey(input.key, recipient.email), recipient.email, input.language, notice));
        digested++;
        continue;
      }
      try {
        const attempt = thisAttempt(() => ({ sent, alreadySent, uncertain }));
        const key = mailKey(input.key, recipient.email);
        const outcome = await orRetryLater(
          deliver({ key, to: { name: nameIn(recipient.name, input.language), address: recipient.email }, notice }, attempt),
        ).catch((error: unknown) => {
          countNoticeDelivery(isRefusedRecipient(error) ? 'refused' : 'failed');
          throw error;
        });
        countNoticeDelivery(outcome.status);
        if (outcome.status === 'sent') sent++;
        else if (outcome.status === 'alreadySent') alreadySent++;
        else {
          uncertain++;
          log.warn('notice may or may not have reached the relay; not sent again', { key: input.key, kind: input.kind });
          await deps.ledger.raiseAlert({
            key: `notice-uncertain/${key}`,
            kind: 'noticeUncertain',
            at: new Date().toISOString(),
            subject: `Notice perhaps not delivered: ${notice.subject} to ${recipient.email}`,
            detail: `${outcome.reason ?? 'The relay was lost after the end of the message.'} It was not sent again, so that it cannot arrive twice: ask the recipient whether message ${outcome.messageId} arrived.`,
          });
        }
      } catch (error) {
        if (!isRefusedRecipient(error)) throw error;
        refused.push(`${recipient.email}: ${(error as Error).message}`);
      }
    }
    if (refused.length > 0) throw ApplicationFailure.nonRetryable(`the mail relay refused ${refused.join('; ')}`, 'NoticeRefused');
    return { sent, alreadySent, uncertain, ...(digested > 0 && { digested }) };
  }
  return deliverNotice;
}

/** The notice activities: render from data, send through SMTP once per (workflow, notice, recipient). */
export function createNoticeActivities(deps: { mail: MailDependencies; ledger: LedgerStore }) {
  const deliver = createNoticeDelivery(deps.mail);
  const deliverByFallback = deps.mail.fallback ? createNoticeDelivery({ ...deps.mail, transport: deps.mail.fallback }) : undefined;

  const deliverNotice = noticeSender(deps, deliver);

  return {
    deliverNotice,

    /**
     * The notices of one transition (or one instant's reminders), in one attempt: each delivered
     * as `deliverNotice` does, under its own key. A relay that is down fails the whole attempt
     * (what was sent stays sent: the retry finds it so); a notice the relay refuses for good, or
     * whose template fails, is answered as refused so that its own workflow can tell the office.
     */
    async deliverNotices(inputs: DeliverNoticeInput[]): Promise<BatchDelivery[]> {
      const outcomes: BatchDelivery[] = [];
      for (const input of inputs) {
        try {
          outcomes.push({ key: input.key, status: 'delivered', ...(await deliverNotice(input)) });
        } catch (error) {
          if (!(error instanceof ApplicationFailure && error.nonRetryable)) throw error;
          outcomes.push({ key: input.key, status: 'refused', reason: error.message });
        }
      }
      return outcomes;
    },

    /**
     * Tells the programme office which recipients of a notice have not had it, since when and why:
     * first in the office's alert log (read through the API and `alliance alerts`, whatever the
     * relay's state), then by mail through the relay, or the fallback relay when that fails.
     */
    async reportUndeliveredNotice(input: UndeliveredNoticeInput): Promise<number> {
      const office: NoticeAddress = { role: 'office', name: { 'zh-TW': '計畫辦公室', en: 'Programme office' }, email: input.officeEmail };
      const held = [];
      for (const recipient of input.recipients) {
        const state = await deps.mail.log.get(mailKey(input.key, recipient.email));
        // Sent, or uncertain (its own alert already went to the office): nothing held up here.
        if (state?.status === 'sent' || state?.status === 'uncertain') continue;
        // A notice whose template failed cannot be rendered here either: name it by its kind.
        let failedSubject: string = input.kind;
        try {
          failedSubject = render(input, recipient).subject;
        } catch {
          // keep the kind
        }
        log.warn('notice not delivered', { key: input.key, kind: input.kind, since: state?.firstAttemptAt, error: state?.lastError });
        // Every held-up recipient is in the alert log before any mail is tried: the relay may be the trouble.
        await deps.ledger.raiseAlert({
          key: `notice/${mailKey(input.key, recipient.email)}`,
          kind: 'noticeHeldUp',
          at: new Date().toISOString(),
          subject: `Notice not delivered: ${failedSubject} to ${recipient.email}`,
          detail: `Since ${state?.firstAttemptAt ?? 'its first attempt'}, ${state?.attempts ?? 0} attempt(s); last error: ${state?.lastError ?? 'none recorded (the relay did not answer in time)'}.`,
        });
        held.push({ recipient, state, failedSubject });
      }
      let reported = 0;
      for (const { recipient, state, failedSubject } of held) {
        const alert = renderNotice('deliveryFailed', input.language, {
          failedSubject,
          failedRecipient: recipient.email,
          since: state?.firstAttemptAt ?? new Date().toISOString(),
          error: state?.lastError ?? 'no attempt has succeeded yet',
          recipientName: nameIn(office.name, input.language),
        });
        const item = { key: mailKey(`${input.key}/undelivered`, recipient.email), to: input.officeEmail, notice: alert };
        try {
          await orRetryLater(
            deliver(
              item,
              thisAttempt(() => reported),
            ),
          );
        } catch (error) {
          if (!deliverByFallback) throw error;
          log.warn('the relay failed for an office alert; trying the fallback relay', { key: input.key, error: (error as Error).message });
          await orRetryLater(
            deliverByFallback(
              item,
              thisAttempt(() => reported),
            ),
          );
        }
        reported++;
      }
      return reported;
    },
  };
}
