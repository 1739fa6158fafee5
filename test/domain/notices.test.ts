import { NoticeKind, NotificationPolicy, remindersThatMayWait } from '../../domain/notification-policy';
import callFile from '../../domain/calls/alliance-105.json';
import { MissingTemplateVariableError, renderNotice, templateVariables } from '../../activities/notices/render';

/** A value for every variable any template uses. */
const variables = {
  callTitle: '105年度產學技術聯盟合作計畫',
  projectTitle: '5G 邊緣運算產業聯盟 <TE2>',
  applicationId: 'TE2-0001',
  recipientName: '林志明',
  deadline: '2017-10-31T16:00:00.000Z',
  rosterId: 'NTU-105-01',
  slot: '2016-12-05T01:00:00.000Z',
  venue: '科技大樓 1701',
  outcome: '核定補助',
  detail: '核定金額 NT$6,000,000。',
  contractNumber: 'MOST 106-2622-E-002-001',
  year: 1,
  tranche: 2,
  amount: 1_250_000,
  paymentReference: 'PAY-1-2',
  notice: 2,
  rank: 3,
  reason: 'KPI 未填',
  windowOpens: '2018-03-31T16:00:00.000Z',
  windowCloses: '2018-05-31T16:00:00.000Z',
  failedSubject: '進度報告提醒',
  failedRecipient: 'lin@ntu.edu.tw',
  since: '2017-10-01T00:00:00.000Z',
  error: 'ECONNREFUSED',
  count: 2,
  applications: 'TE2-0001「5G 邊緣運算產業聯盟」\nTE1-0003「智慧製造聯盟」',
};

const policyFile = callFile.notifications;

describe('the notification policy', () => {
  it("validates the 105 call's notification policy, which names recipients for every notice", () => {
    const policy = NotificationPolicy.parse(policyFile);
    expect(Object.keys(policy.notices).sort()).toEqual([...NoticeKind.options].sort());
    expect(policy.reminders.progressReport).toEqual({ before: ['P30D', 'P7D', 'P1D'], after: ['P1D', 'P14D', 'P30D'] });
    // Which reminders may wait for a daily digest is the policy's word; the code's default says the same for older calls.
    expect(policy.mayWait).toEqual([...remindersThatMayWait]);
  });

  it('refuses a policy that forgets a notice, naming it', () => {
    const { decision: _dropped, ...notices } = policyFile.notices;
    const result = NotificationPolicy.safeParse({ ...policyFile, notices });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('notices.decision');
  });
});

describe('notice templates', () => {
  it.each(
    NoticeKind.options.flatMap(
      (kind) =>
        [
          [kind, 'zh-TW'],
          [kind, 'en'],
        ] as const,
    ),
  )('renders %s in %s from data, with no placeholder left', (kind, language) => {
    const notice = renderNotice(kind, language, variables);
    for (const part of [notice.subject, notice.text, notice.html]) expect(part).not.toMatch(/\{\{|\}\}/);
    expect(notice.html).toMatch(/^<!DOCTYPE html>/);
  });

  it('writes ROC dates and NT$ amounts in Traditional Chinese, Gregorian dates in English', () => {
    expect(renderNotice('progressReportDue', 'zh-TW', variables).subject).toBe('【提醒】第1年度進度報告請於 106年11月1日 前繳交');
    expect(renderNotice('progressReportDue', 'en', variables).subject).toBe('[Reminder] Year 1 progress report due 2017-11-01 00:00 (Taipei time)');
    expect(renderNotice('tranchePaid', 'zh-TW', variables).text).toContain('第1年度第2期款 NT$1,250,000 已撥付');
  });

  it('escapes variables in HTML but not in text', () => {
    const notice = renderNotice('applicationReceived', 'en', variables);
    expect(notice.text).toContain('"5G 邊緣運算產業聯盟 <TE2>"');
    expect(notice.html).toContain('5G 邊緣運算產業聯盟 &lt;TE2&gt;');
  });

  it("lists a round's applications a line each, in the text and in the HTML", () => {
    const notice = renderNotice('reviewRoundAssigned', 'zh-TW', variables);
    expect(notice.subject).toContain('共 2 件');
    expect(notice.text).toContain('TE2-0001「5G 邊緣運算產業聯盟」\nTE1-0003「智慧製造聯盟」');
    expect(notice.html).toContain('TE2-0001「5G 邊緣運算產業聯盟」<br>\nTE1-0003「智慧製造聯盟」');
  });

  it('fails on a missing variable instead of sending a blank', () => {
    const { deadline: _missing, ...incomplete } = variables;
    expect(() => renderNotice('progressReportDue', 'zh-TW', incomplete)).toThrow(MissingTemplateVariableError);
    expect(() => renderNotice('progressReportDue', 'zh-TW', incomplete)).toThrow('the zh-TW progressReportDue notice needs {{deadline}}');
  });

  it('asks for the same variables in both languages', () => {
    for (const kind of NoticeKind.options) expect(templateVariables(kind, 'en')).toEqual(templateVariables(kind, 'zh-TW'));
  });
});
