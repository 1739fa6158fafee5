import { initialTransition } from 'xstate';
import { renderNotice } from '../../activities/notices/render';
import { noticeIdOf } from '../../gateway/notices';
import { NewApplication } from '../../domain/application';
import { alliance105 } from '../../domain/calls';
import type { ProjectEventType } from '../../domain/project-events';
import { projectYearEnd } from '../../machines/deadlines';
import { apply, judge, type ProjectSnapshot } from '../../machines/judge';
import { dueReminders, nextReminderAt, noticesForTransition, reminderSchedule, type PlannedNotice } from '../../machines/notices';
import { projectMachine } from '../../machines/project-machine';
import { projectInput } from '../fixtures/project-input';
import { anApplication } from '../fixtures/applications';
import { anEvent } from '../fixtures/project-events';

const call = alliance105;
const start = (): ProjectSnapshot => initialTransition(projectMachine, projectInput())[0];

/** Drives the machine through `types`, collecting the notices each transition plans. */
function drive(types: ProjectEventType[], reviewStartedAt = '2016-11-01T00:00:00.000Z') {
  const notices: PlannedNotice[] = [];
  let snapshot = start();
  types.forEach((type, i) => {
    const { type: t, actor, at, ...payload } = anEvent(type);
    const verdict = judge(snapshot, { type: t, actor, payload }, at);
    if (!verdict.ok) throw new Error(`${type} refused: ${verdict.message}`);
    snapshot = apply(snapshot, verdict.event);
    notices.push(...noticesForTransition(i + 1, verdict.event, snapshot, call, reviewStartedAt));
  });
  return { snapshot, notices };
}

const toExecution: ProjectEventType[] = [
  'application.submit',
  'endorsement.record',
  'review.start',
  'reviewer.assign',
  'review.record',
  'presentation.invite',
  'presentation.schedule',
  'presentation.record',
  'decision.record',
  'decision.announce',
  'contract.issue',
  'contract.sign',
  'consent.sign',
];
const fundYear: ProjectEventType[] = ['tranche.request', 'tranche.pay', 'tranche.request', 'tranche.pay'];
const year: ProjectEventType[] = [...fundYear, 'progressReport.submit', 'progressReport.accept', 'year.end'];
const wholeLife: ProjectEventType[] = [
  ...toExecution,
  ...year,
  'siteVisit.select',
  'siteVisit.record',
  ...year,
  ...fundYear,
  'year.end',
  'closingReport.submit',
  'closingReport.accept',
];

describe("the notices of a project's transitions", () => {
  it('plans one notice per notable transition of a whole life, each with a stable id', () => {
    const { notices } = drive(wholeLife);
    expect(notices.map((n) => n.kind)).toEqual([
      'applicationReceived',
      'endorsementReceived',
      'reviewAssigned',
      'presentationInvitation',
      'decision',
      'contractReady',
      'tranchePaid',
      'tranchePaid',
      'progressReportAccepted',
      'siteVisitSelected',
      'tranchePaid',
      'tranchePaid',
      'progressReportAccepted',
      'tranchePaid',
      'tranchePaid',
      'projectClosed',
    ]);
    expect(new Set(notices.map((n) => n.id)).size).toBe(notices.length);
    expect(notices[0]).toMatchObject({ id: 't1-applicationReceived', variables: { deadline: call.calendar.endorsementDeadline } });
  });

  it.each(['zh-TW', 'en'] as const)('gives every template what it asks for, in %s', (language) => {
    const { notices } = drive(wholeLife);
    const common = { callTitle: call.title, projectTitle: '5G 邊緣運算產業聯盟', applicationId: 'TE2-0001', recipientName: '林志明' };
    for (const notice of notices) expect(() => renderNotice(notice.kind, language, { ...common, ...notice.variables })).not.toThrow();
    const decision = notices.find((n) => n.kind === 'decision')!;
    expect(renderNotice('decision', language, { ...common, ...decision.variables }).text).toContain('NT$');
  });
});

describe('reminders', () => {
  const yearEnd = projectYearEnd(call.calendar, call.policy.projectYearLength, 1);
  const dueAt = '2017-10-31T16:00:00.000Z'; // 106.11.01 00:00 Taipei: three months before year 1 ends

  it("falls at the policy's offsets around the progress report's due date, numbering the overdue notices", () => {
    expect(yearEnd.toISOString()).toBe('2018-01-31T16:00:00.000Z');
    const { snapshot } = drive([...toExecution, ...fundYear]);
    const schedule = reminderSchedule(snapshot, call, undefined);
    expect(schedule.map((r) => `${r.kind} ${r.at}${typeof r.variables.notice === 'number' ? ` ${r.variables.notice}` : ''}`)).toEqual([
      'progressReportDue 2017-10-01T16:00:00.000Z',
      'progressReportDue 2017-10-24T16:00:00.000Z',
      'progressReportDue 2017-10-30T16:00:00.000Z',
      'progressReportOverdue 2017-11-01T16:00:00.000Z 1',
      'progressReportOverdue 2017-11-14T16:00:00.000Z 2',
      'progressReportOverdue 2017-11-30T16:00:00.000Z 3',
    ]);
    expect(schedule.every((r) => r.deadline === dueAt)).toBe(true);
  });

  it('stops once the report is in, and sends only the latest of several that fell due together', () => {
    const { snapshot } = drive([...toExecution, ...fundYear, 'progressReport.submit']);
    expect(reminderSchedule(snapshot, call, undefined)).toEqual([]);
    const awaiting = reminderSchedule(drive([...toExecution]).snapshot, call, undefined);
    const late = dueReminders(awaiting, new Set(), '2017-10-25T00:00:00.000Z');
    expect(late.send.map((r) => r.at)).toEqual(['2017-10-24T16:00:00.000Z']);
    expect(late.handled).toHaveLength(2);
    expect(nextReminderAt(awaiting, new Set(late.handled))).toBe('2017-10-30T16:00:00.000Z');
  });

  it('reminds only the reviewers who still owe a review', () => {
    const { snapshot } = drive(['application.submit', 'endorsement.record', 'review.start', 'reviewer.assign']);
    const schedule = reminderSchedule(snapshot, call, '2016-11-01T00:00:00.000Z');
    expect(schedule.length).toBeGreaterThan(0);
    expect(schedule.every((r) => r.kind === 'reviewReminder' && r.reviewerIds?.join() === 'rev-1')).toBe(true);
  });
});

it("asks every new application for its research office's address, and says how to give it", () => {
  const { institution, ...rest } = anApplication();
  const result = NewApplication.safeParse({ ...rest, institution: { id: institution.id, name: institution.name, type: institution.type } });
  expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
    'institution.researchOfficeEmail: expected the research office e-mail address, e.g. rd@ntu.edu.tw',
  ]);
});

it('names a notice workflow by its notice and kind, reminders (whose ids hold an instant) included', () => {
  expect(noticeIdOf('notice:project:alliance-105:TE2-0001:t12-tranchePaid')).toEqual({ noticeId: 't12-tranchePaid', kind: 'tranchePaid' });
  expect(noticeIdOf('notice:project:alliance-105:TE2-0001:r-progressReportDue-2017-10-31T16:00:00.000Z--P30D')).toEqual({
    noticeId: 'r-progressReportDue-2017-10-31T16:00:00.000Z--P30D',
    kind: 'progressReportDue',
  });
});
