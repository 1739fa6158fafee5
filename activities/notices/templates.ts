import type { Language, NoticeKind } from '../../domain/notification-policy';

/**
 * The words of every notice, per language. `{{name}}` is a variable, `{{name:date}}` an instant
 * (ROC date for zh-TW), `{{name:ntd}}` an amount in NT$. Each line becomes a paragraph.
 */
export interface NoticeTemplate {
  subject: string;
  lines: string[];
}

/** The signature every notice ends with, the daily digest's too. */
export const sign = { 'zh-TW': '科技部產學技術聯盟合作計畫辦公室', en: 'Industry–Academia Technology Alliance programme office' } as const;

export const templates: Record<NoticeKind, Record<Language, NoticeTemplate>> = {
  applicationReceived: {
    'zh-TW': {
      subject: '【{{callTitle}}】已收到計畫申請：{{projectTitle}}',
      lines: [
        '{{recipientName}} 您好：',
        '本部已收到「{{projectTitle}}」（{{applicationId}}）之申請。請於 {{deadline:date}} 前由申請機構完成造冊並函送本部。',
        sign['zh-TW'],
      ],
    },
    en: {
      subject: '[{{callTitle}}] Application received: {{projectTitle}}',
      lines: [
        'Dear {{recipientName}},',
        'We have received the application "{{projectTitle}}" ({{applicationId}}). Your institution must endorse it in its roster by {{deadline:date}}.',
        sign.en,
      ],
    },
  },
  endorsementReceived: {
    'zh-TW': {
      subject: '【{{callTitle}}】申請機構已完成造冊：{{projectTitle}}',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」已列入申請機構造冊（{{rosterId}}），將進入審查程序。', sign['zh-TW']],
    },
    en: {
      subject: '[{{callTitle}}] Endorsed by your institution: {{projectTitle}}',
      lines: ['Dear {{recipientName}},', '"{{projectTitle}}" is on your institution\'s roster ({{rosterId}}) and goes on to review.', sign.en],
    },
  },
  endorsementMissing: {
    'zh-TW': {
      subject: '【提醒】{{projectTitle}} 尚未完成機構造冊',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」尚未列入申請機構造冊。機構造冊及函送期限為 {{deadline:date}}，逾期恕不受理。', sign['zh-TW']],
    },
    en: {
      subject: '[Reminder] {{projectTitle}} is not yet endorsed',
      lines: [
        'Dear {{recipientName}},',
        '"{{projectTitle}}" is not on your institution\'s roster yet. The endorsement deadline is {{deadline:date}}; late endorsements are not accepted.',
        sign.en,
      ],
    },
  },
  reviewAssigned: {
    'zh-TW': {
      subject: '【審查邀請】{{projectTitle}}',
      lines: [
        '{{recipientName}} 委員您好：',
        '敬邀您擔任「{{projectTitle}}」（{{applicationId}}）之線上書面審查委員，請於 {{deadline:date}} 前完成審查。',
        sign['zh-TW'],
      ],
    },
    en: {
      subject: '[Review] {{projectTitle}}',
      lines: ['Dear {{recipientName}},', 'You are invited to review "{{projectTitle}}" ({{applicationId}}) online by {{deadline:date}}.', sign.en],
    },
  },
  reviewRoundAssigned: {
    'zh-TW': {
      subject: '【{{callTitle}}】書面審查邀請：共 {{count}} 件',
      lines: [
        '{{recipientName}} 委員您好：',
        '敬邀您擔任下列 {{count}} 件申請案之線上書面審查委員，請於 {{deadline:date}} 前完成審查：',
        '{{applications}}',
        '登入系統後，首頁「待辦事項」列有各案之審查期限。',
        sign['zh-TW'],
      ],
    },
    en: {
      subject: '[{{callTitle}}] Written review: {{count}} application(s)',
      lines: [
        'Dear {{recipientName}},',
        'You are invited to review the following {{count}} application(s) online by {{deadline:date}}:',
        '{{applications}}',
        'Your home page lists each review and its deadline under "To do" once you log in.',
        sign.en,
      ],
    },
  },
  reviewReminder: {
    'zh-TW': {
      subject: '【提醒】請於 {{deadline:date}} 前完成審查：{{projectTitle}}',
      lines: ['{{recipientName}} 委員您好：', '「{{projectTitle}}」之書面審查期限為 {{deadline:date}}，敬請撥冗完成。', sign['zh-TW']],
    },
    en: {
      subject: '[Reminder] Review due {{deadline:date}}: {{projectTitle}}',
      lines: ['Dear {{recipientName}},', 'Your review of "{{projectTitle}}" is due by {{deadline:date}}.', sign.en],
    },
  },
  presentationInvitation: {
    'zh-TW': {
      subject: '【簡報審查邀請】{{projectTitle}}',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」獲邀出席簡報審查，時間 {{slot:date}}，地點 {{venue}}。', sign['zh-TW']],
    },
    en: {
      subject: '[Presentation review] {{projectTitle}}',
      lines: ['Dear {{recipientName}},', '"{{projectTitle}}" is invited to present at {{slot:date}}, {{venue}}.', sign.en],
    },
  },
  decision: {
    'zh-TW': {
      subject: '【審查結果】{{projectTitle}}：{{outcome}}',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」審查結果：{{outcome}}。{{detail}}', sign['zh-TW']],
    },
    en: {
      subject: '[Decision] {{projectTitle}}: {{outcome}}',
      lines: ['Dear {{recipientName}},', 'The decision on "{{projectTitle}}": {{outcome}}. {{detail}}', sign.en],
    },
  },
  contractReady: {
    'zh-TW': {
      subject: '【補助合約】{{projectTitle}}（{{contractNumber}}）',
      lines: [
        '{{recipientName}} 您好：',
        '「{{projectTitle}}」補助合約（{{contractNumber}}）已備妥，請機構簽約並由計畫主持人簽署計畫執行同意書。',
        sign['zh-TW'],
      ],
    },
    en: {
      subject: '[Grant contract] {{projectTitle}} ({{contractNumber}})',
      lines: [
        'Dear {{recipientName}},',
        'The grant contract {{contractNumber}} for "{{projectTitle}}" is ready: the institution signs it and the PI signs the execution consent.',
        sign.en,
      ],
    },
  },
  tranchePaid: {
    'zh-TW': {
      subject: '【撥款通知】{{projectTitle}} 第{{year}}年度第{{tranche}}期款',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」第{{year}}年度第{{tranche}}期款 {{amount:ntd}} 已撥付（{{paymentReference}}）。', sign['zh-TW']],
    },
    en: {
      subject: '[Payment] {{projectTitle}}, year {{year}} tranche {{tranche}}',
      lines: [
        'Dear {{recipientName}},',
        'Tranche {{tranche}} of year {{year}} for "{{projectTitle}}", {{amount:ntd}}, has been paid ({{paymentReference}}).',
        sign.en,
      ],
    },
  },
  progressReportDue: {
    'zh-TW': {
      subject: '【提醒】第{{year}}年度進度報告請於 {{deadline:date}} 前繳交',
      lines: [
        '{{recipientName}} 您好：',
        '「{{projectTitle}}」第{{year}}年度進度報告（精簡報告及完整報告）繳交期限為 {{deadline:date}}，為次年度經費撥付之依據。',
        sign['zh-TW'],
      ],
    },
    en: {
      subject: '[Reminder] Year {{year}} progress report due {{deadline:date}}',
      lines: [
        'Dear {{recipientName}},',
        'The year {{year}} progress report of "{{projectTitle}}" is due by {{deadline:date}}; next year\'s funding depends on it.',
        sign.en,
      ],
    },
  },
  progressReportOverdue: {
    'zh-TW': {
      subject: '【逾期通知（第{{notice}}次）】第{{year}}年度進度報告未繳',
      lines: [
        '{{recipientName}} 您好：',
        '「{{projectTitle}}」第{{year}}年度進度報告已逾期（期限 {{deadline:date}}）。報告經審查通過前，次年度經費暫停撥付。',
        sign['zh-TW'],
      ],
    },
    en: {
      subject: '[Overdue notice {{notice}}] Year {{year}} progress report',
      lines: [
        'Dear {{recipientName}},',
        'The year {{year}} progress report of "{{projectTitle}}" is overdue (due {{deadline:date}}). Next year\'s tranches are withheld until it is accepted.',
        sign.en,
      ],
    },
  },
  progressReportAccepted: {
    'zh-TW': {
      subject: '【審查通過】第{{year}}年度進度報告',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」第{{year}}年度進度報告已審查通過。', sign['zh-TW']],
    },
    en: {
      subject: '[Accepted] Year {{year}} progress report',
      lines: ['Dear {{recipientName}},', 'The year {{year}} progress report of "{{projectTitle}}" has been accepted.', sign.en],
    },
  },
  progressReportReturned: {
    'zh-TW': {
      subject: '【退回修正】第{{year}}年度進度報告',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」第{{year}}年度進度報告退回修正：{{reason}}', sign['zh-TW']],
    },
    en: {
      subject: '[Returned] Year {{year}} progress report',
      lines: ['Dear {{recipientName}},', 'The year {{year}} progress report of "{{projectTitle}}" was returned: {{reason}}', sign.en],
    },
  },
  siteVisitSelected: {
    'zh-TW': {
      subject: '【實地訪視】{{projectTitle}}',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」獲選為實地訪視計畫，訪視期間為 {{windowOpens:date}} 至 {{windowCloses:date}}。', sign['zh-TW']],
    },
    en: {
      subject: '[Site visit] {{projectTitle}}',
      lines: [
        'Dear {{recipientName}},',
        '"{{projectTitle}}" has been selected for a site visit between {{windowOpens:date}} and {{windowCloses:date}}.',
        sign.en,
      ],
    },
  },
  closingReportDue: {
    'zh-TW': {
      subject: '【提醒】結案報告請於 {{deadline:date}} 前繳交',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」結案報告（精簡成果報告及完整結案報告）繳交期限為 {{deadline:date}}。', sign['zh-TW']],
    },
    en: {
      subject: '[Reminder] Closing report due {{deadline:date}}',
      lines: ['Dear {{recipientName}},', 'The closing report of "{{projectTitle}}" is due by {{deadline:date}}.', sign.en],
    },
  },
  closingReportOverdue: {
    'zh-TW': {
      subject: '【逾期通知（第{{notice}}次）】結案報告未繳',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」結案報告已逾期（期限 {{deadline:date}}），請儘速繳交。', sign['zh-TW']],
    },
    en: {
      subject: '[Overdue notice {{notice}}] Closing report',
      lines: ['Dear {{recipientName}},', 'The closing report of "{{projectTitle}}" is overdue (due {{deadline:date}}); please submit it now.', sign.en],
    },
  },
  projectClosed: {
    'zh-TW': {
      subject: '【結案】{{projectTitle}}',
      lines: ['{{recipientName}} 您好：', '「{{projectTitle}}」結案報告已審查通過，計畫正式結案。', sign['zh-TW']],
    },
    en: {
      subject: '[Closed] {{projectTitle}}',
      lines: ['Dear {{recipientName}},', 'The closing report of "{{projectTitle}}" has been accepted; the project is closed.', sign.en],
    },
  },
  trancheUnpaidAtYearEnd: {
    'zh-TW': {
      subject: '【撥款通知】{{projectTitle}} 第{{year}}年度請款未於年度結束前撥付',
      lines: [
        '{{recipientName}} 您好：',
        '「{{projectTitle}}」第{{year}}年度請款 {{amount:ntd}}（{{deadline:date}} 年度結束時尚未撥付）：{{outcome}}。',
        sign['zh-TW'],
      ],
    },
    en: {
      subject: '[Payment] {{projectTitle}}: year {{year}} request unpaid at year end',
      lines: [
        'Dear {{recipientName}},',
        'The year {{year}} request of {{amount:ntd}} for "{{projectTitle}}" was still unpaid when the year ended ({{deadline:date}}): {{outcome}}.',
        sign.en,
      ],
    },
  },
  exhibitionSelected: {
    'zh-TW': {
      subject: '【成果發表】{{projectTitle}} 獲選參加成果發表',
      lines: [
        '{{recipientName}} 您好：',
        '「{{projectTitle}}」依第{{year}}年度績效獲選參加{{callTitle}}成果發表（第{{rank}}名），發表期間為 {{windowOpens:date}} 至 {{windowCloses:date}}。',
        sign['zh-TW'],
      ],
    },
    en: {
      subject: '[Results exhibition] {{projectTitle}} is selected',
      lines: [
        'Dear {{recipientName}},',
        '"{{projectTitle}}" is selected for the results exhibition of {{callTitle}} on its year {{year}} results (rank {{rank}}); the exhibition runs from {{windowOpens:date}} to {{windowCloses:date}}.',
        sign.en,
      ],
    },
  },
  deliveryFailed: {
    'zh-TW': {
      subject: '【系統通知】郵件無法送達：{{failedSubject}}',
      lines: [
        '計畫辦公室您好：',
        '寄給 {{failedRecipient}} 的通知「{{failedSubject}}」自 {{since:date}} 起無法送達，系統持續重試中。最近錯誤：{{error}}',
        sign['zh-TW'],
      ],
    },
    en: {
      subject: '[System] Notice not delivered: {{failedSubject}}',
      lines: [
        'Programme office,',
        'The notice "{{failedSubject}}" to {{failedRecipient}} has not been delivered since {{since:date}}; it is still being retried. Last error: {{error}}',
        sign.en,
      ],
    },
  },
};
