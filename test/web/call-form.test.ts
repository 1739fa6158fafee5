import { Call } from '../../domain/call';
import { alliance105 } from '../../domain/calls';
import { CallForm, callFormFrom, callFromForm } from '../../server/web/call-form';
import { parseFor } from '../../server/web/messages';

describe('opening a call from the form', () => {
  it("shows the template's calendar as ROC dates that read back as the same instants", () => {
    const shown = callFormFrom(alliance105);
    expect(shown.calendar.applicationWindow.closes).toBe('105.09.12 17:00');
    const read = CallForm.parse({ ...shown, callId: 'alliance-106', callTitle: '106年度產學技術聯盟合作計畫' });
    expect(read.calendar).toEqual(alliance105.calendar);
  });

  it("makes a call of the form's facts and the template's policy and notices, which the Call schema takes", () => {
    const form = CallForm.parse({ ...callFormFrom(alliance105), callId: 'alliance-116', rocYear: 116, callTitle: '116年度產學技術聯盟合作計畫' });
    const call = callFromForm(form);
    expect(Call.parse(call)).toMatchObject({ id: 'alliance-116', rocYear: 116, policy: alliance105.policy, notifications: alliance105.notifications });
  });

  it('names what is wrong at its field, in Chinese', () => {
    const shown = callFormFrom(alliance105);
    const parsed = parseFor('zh-TW', CallForm, {
      ...shown,
      callId: 'alliance 116',
      template: 'no-such-call',
      calendar: { ...shown.calendar, endorsementDeadline: '105.13.40' },
    });
    const at = Object.fromEntries(parsed.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(Object.keys(at).sort()).toEqual(['calendar.endorsementDeadline', 'callId', 'callTitle', 'template']);
    expect(at.template).toMatch(/^無效的輸入值/);
  });
});
