// The daily digest of reminders: a person may choose to have the reminders that may wait (the
// call's policy says which: domain/notification-policy.ts) in one mail a day instead of one each.
// The delivery activity keeps such a reminder in the notice log instead of sending it; once a day
// the digest's schedule sends each person one mail listing what waited, through the same
// idempotent delivery as every notice (a digest is sent once, even if its activity runs twice).
import { createHash } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import type { Language } from '../../domain/notification-policy';
import { createNoticeDelivery } from './delivery';
import type { MailDependencies } from './index';
import { renderTemplate } from './render';
import { sign, type NoticeTemplate } from './templates';

const digestTemplates: Record<Language, NoticeTemplate> = {
  'zh-TW': {
    subject: '【每日提醒彙整】共 {{count}} 則',
    lines: ['您好：', '依您的選擇，以下提醒彙整於今日一併寄送（各項期限不變）：', '{{items}}', '如欲改回逐則即時寄送，請登入系統，於首頁變更。', sign['zh-TW']],
  },
  en: {
    subject: '[Daily reminders] {{count}} in all',
    lines: [
      'Hello,',
      'As you chose, these reminders come together today (every deadline stays as it was):',
      '{{items}}',
      'To have each reminder at once again, log in and change it on your home page.',
      sign.en,
    ],
  },
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function createDigestActivities(deps: { mail: MailDependencies }) {
  const deliver = createNoticeDelivery(deps.mail);
  return {
    /** A person's choice, from their preferences workflow: its only writer. */
    async recordDigestChoice(input: { email: string; daily: boolean; at: string }): Promise<void> {
      await deps.mail.log.chooseDigest(input.email, input.daily, new Date(input.at));
    },

    /** One tick of the digest's schedule: every person with reminders waiting gets one mail listing them. */
    async sendDigests(): Promise<{ recipients: number; reminders: number }> {
      let recipients = 0;
      let reminders = 0;
      for (const { email, items } of await deps.mail.log.waitingForDigest()) {
        Context.current().heartbeat({ recipients });
        const language: Language = items[0]!.language === 'en' ? 'en' : 'zh-TW';
        // The same reminders make the same digest: a second run of this tick finds it sent.
        const key = `digest/${email}/${sha256(items.map((i) => i.key).join('\n')).slice(0, 32)}`;
        const notice = renderTemplate(
          digestTemplates[language],
          language,
          { count: items.length, items: items.map((i) => `• ${i.subject}${language === 'zh-TW' ? '：' : ': '}${i.line}`).join('\n') },
          `the ${language} daily digest`,
        );
        const outcome = await deliver(
          { key, to: { name: email, address: email }, notice },
          { holder: `${key}#${Context.current().info.attempt}`, keepAlive: () => Context.current().heartbeat({ recipients }) },
        );
        if (outcome.status === 'uncertain') log.warn('a daily digest may or may not have reached the relay; not sent again', { key });
        await deps.mail.log.digested(
          items.map((i) => i.key),
          key,
        );
        recipients++;
        reminders += items.length;
      }
      return { recipients, reminders };
    },
  };
}
