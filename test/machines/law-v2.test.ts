import { initialTransition } from 'xstate';
import { alliance105 } from '../../domain/calls';
import type { ProjectEventType } from '../../domain/project-events';
import type { ProgrammePolicy } from '../../domain/policy';
import { fireDueDeadlines, pendingDeadlines } from '../../machines/deadlines';
import { apply, judge, type ProjectSnapshot } from '../../machines/judge';
import { lawOf, migrateSnapshot, persistSnapshot, restoreSnapshot } from '../../machines/law';
import { reminderSchedule } from '../../machines/notices';
import { ownershipProblem } from '../../machines/ownership';
import { currentLaw, projectMachines, type LawVersion } from '../../machines/project-machine';
import { anApplication } from '../fixtures/applications';
import { actors, anEvent } from '../fixtures/project-events';

/**
 * Law v2 closes holes law v1 has. Each test shows the hole under v1 (where the project still runs
 * until its next year boundary) and the rule under v2 (what new projects start on).
 */
const { calendar } = alliance105;
const start = (law: LawVersion, policy: ProgrammePolicy = alliance105.policy): ProjectSnapshot =>
  initialTransition(projectMachines[law], { projectId: 'p', callId: 'alliance-105', policy, application: anApplication() })[0];

function send(s: ProjectSnapshot, type: ProjectEventType, payload?: Record<string, unknown>, at?: string) {
  const { type: t, actor, at: defaultAt, ...defaults } = anEvent(type);
  return judge(s, { type: t, actor, payload: payload ?? defaults }, at ?? defaultAt);
}
function drive(s: ProjectSnapshot, steps: (ProjectEventType | [ProjectEventType, Record<string, unknown>, string?])[]): ProjectSnapshot {
  return steps.reduce((current, step) => {
    const [type, payload, at] = typeof step === 'string' ? [step, undefined, undefined] : step;
    const verdict = send(current, type, payload, at);
    if (!verdict.ok) throw new Error(`${type} refused: ${verdict.message}`);
    return apply(current, verdict.event);
  }, s);
}

const toWrittenReview: ProjectEventType[] = ['application.submit', 'endorsement.record', 'review.start', 'reviewer.assign'];
const rejectAtWrittenReview: [ProjectEventType, Record<string, unknown>] = ['decision.record', { outcome: 'rejected', reason: 'Weak industry demand' }];
const approve: [ProjectEventType, Record<string, unknown>] = ['decision.record', { outcome: 'approved', amountsNtd: [1_000_000, 1_000_000, 1_000_000] }];
const toExecution: ProjectEventType[] = [
  ...toWrittenReview, 'review.record', 'presentation.invite', 'presentation.schedule', 'presentation.record', 'decision.record', 'decision.announce',
  'contract.issue', 'contract.sign', 'consent.sign',
];

it('new projects start on the current law, which is v2', () => {
  expect(currentLaw).toBe(2);
  expect(lawOf(start(2).context)).toBe(2);
  expect(lawOf(start(1).context)).toBe(1);
});

describe('endorsement lost: a roster that arrives before the PI submits', () => {
  it('v1 refuses the early endorsement, so the project lapses at the endorsement deadline although endorsed', () => {
    expect(send(start(1), 'endorsement.record')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
  });

  it('v2 keeps the endorsement and applies it when the project is submitted', () => {
    const early = drive(start(2), ['endorsement.record']);
    expect(early.value).toBe('draft');
    expect(early.context.endorsement).toMatchObject({ rosterId: 'NTU-105-01', by: actors.institution });
    const submitted = drive(early, ['application.submit']);
    expect(submitted.value).toBe('endorsed');
    expect(pendingDeadlines(submitted, calendar).map((d) => d.event)).not.toContain('deadline.endorsement');
  });

  it('v2 takes an amended roster that lists an endorsed project again: the latest letter counts', () => {
    const endorsed = drive(start(2), ['application.submit', 'endorsement.record']);
    const amended = drive(endorsed, [['endorsement.record', { rosterId: 'NTU-105-02', letterReference: '臺大研字第1050012399號' }]]);
    expect(amended.value).toBe('endorsed');
    expect(amended.context.endorsement?.rosterId).toBe('NTU-105-02');
  });
});

describe('approval without a presentation', () => {
  const rejected = (law: LawVersion) => drive(start(law), [...toWrittenReview, 'review.record', rejectAtWrittenReview]);

  it('v1 lets a project rejected at written review be approved afterwards', () => {
    expect(send(rejected(1), ...approve).ok).toBe(true);
  });

  it('v2 refuses it and says how an approval comes about', () => {
    const verdict = send(rejected(2), ...approve);
    expect(verdict).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(!verdict.ok && verdict.message).toMatch(/follows the presentation review, or the office's recorded waiver/);
  });

  it('v2 approves without a presentation only after a waiver recorded with its reason', () => {
    const waived = drive(start(2), [...toWrittenReview, 'review.record', 'presentation.waive', approve, 'decision.announce']);
    expect(waived.value).toBe('approved');
    expect(waived.context.presentationWaiver).toMatchObject({ by: actors.office, reason: 'Presented in the same call last year' });
  });
});

describe('the announcement decides every remaining project', () => {
  it('v1 leaves a project neither invited nor rejected in written review', () => {
    expect(send(drive(start(1), toWrittenReview), 'decision.announce')).toMatchObject({ ok: false });
  });

  it.each([
    ['neither invited nor rejected', toWrittenReview, 'not invited to the presentation review'],
    ['invited, never presented', [...toWrittenReview, 'presentation.invite'], 'no presentation recorded before the announcement'],
    ['presented, never decided', [...toWrittenReview, 'presentation.invite', 'presentation.schedule', 'presentation.record'], 'no decision recorded before the announcement'],
    ['endorsed, never reviewed', ['application.submit', 'endorsement.record'], 'not reviewed before the announcement'],
  ] as [string, ProjectEventType[], string][])('v2 rejects a project %s, with its reason for the PI', (_, steps, reason) => {
    const announced = drive(drive(start(2), steps), ['decision.announce']);
    expect(announced.value).toBe('rejected');
    expect(announced.context.decision).toMatchObject({ outcome: 'rejected', reason });
    expect(announced.context.endReason).toBe(reason);
  });
});

describe('closing a review round binds', () => {
  it('v1 has no closing: a late review still lands', () => {
    expect(send(drive(start(1), toWrittenReview), 'review.close')).toMatchObject({ ok: false });
  });

  it('v2 refuses a review and an assignment after the round closed, and says so', () => {
    const closed = drive(start(2), [...toWrittenReview, ['review.close', {}, '2016-11-20T00:00:00.000Z']]);
    const late = send(closed, 'review.record');
    expect(late).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(!late.ok && late.message).toMatch(/closed at 2016-11-20T00:00:00.000Z; late reviews are not recorded/);
    expect(send(closed, 'reviewer.assign', { reviewerId: 'rev-2' })).toMatchObject({ ok: false });
    expect(send(closed, 'review.close')).toMatchObject({ ok: false });
  });
});

describe('stale facts: the application keeps what identifies it', () => {
  it('refuses an update that moves the application to another division, PI or institution', () => {
    const context = start(2).context;
    const moved = { ...anApplication(), division: 'TE3' as const };
    expect(ownershipProblem(context, 'application.update', actors.pi, { application: moved })).toMatch(/registered in division TE2/);
    expect(ownershipProblem(context, 'application.update', actors.pi, { application: anApplication() })).toBeNull();
  });
});

describe('deadline amendments', () => {
  const typhoon = { deadline: 'application', until: '2016-09-13T09:00:00.000Z', reason: 'Typhoon day: offices closed on 105.09.12' };

  it('v1 cannot move a deadline', () => {
    expect(send(start(1), 'deadline.amend', typhoon)).toMatchObject({ ok: false });
  });

  it('v2 moves the application deadline of one project, recorded with who and why; the timer follows', () => {
    const before = start(2);
    expect(pendingDeadlines(before, calendar)[0]?.at).toBe(calendar.applicationWindow.closes);
    const amended = drive(before, [['deadline.amend', typhoon]]);
    expect(amended.context.deadlineAmendments).toEqual([{ by: actors.office, at: anEvent('deadline.amend').at, deadline: 'application', until: typhoon.until, reason: typhoon.reason }]);
    expect(pendingDeadlines(amended, calendar)[0]).toMatchObject({ event: 'deadline.application', at: typhoon.until });
    expect(fireDueDeadlines(amended, calendar, calendar.applicationWindow.closes)).toEqual([]);
    expect(fireDueDeadlines(amended, calendar, typhoon.until)[0]?.after.value).toBe('lapsed');
  });

  it('v2 moves a progress report deadline and its reminders with it', () => {
    const year1 = drive(start(2), toExecution);
    const due = pendingDeadlines(year1, calendar).find((d) => d.event === 'deadline.progressReport')!.at;
    const later = new Date(Date.parse(due) + 30 * 86_400_000).toISOString();
    const amended = drive(year1, [['deadline.amend', { deadline: 'progressReport', until: later, reason: 'Extension granted on request' }]]);
    expect(amended.context.deadlineAmendments?.[0]).toMatchObject({ deadline: 'progressReport', year: 1, until: later });
    expect(pendingDeadlines(amended, calendar).find((d) => d.event === 'deadline.progressReport')?.at).toBe(later);
    const reminders = reminderSchedule(amended, alliance105, undefined);
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((r) => r.deadline === later)).toBe(true);
  });

  it('v2 refuses a time already past and a deadline the project does not wait on', () => {
    const past = send(start(2), 'deadline.amend', { ...typhoon, until: '2016-08-01T00:00:00.000Z' });
    expect(!past.ok && past.message).toMatch(/has already passed/);
    const notNow = send(start(2), 'deadline.amend', { ...typhoon, deadline: 'closingReport' });
    expect(!notNow.ok && notNow.message).toMatch(/does not wait on its closingReport deadline/);
    expect(send(start(2), 'deadline.amend', typhoon, undefined)).toMatchObject({ ok: true });
  });
});

describe('suspension and the clock', () => {
  const suspendAt = '2017-06-01T00:00:00.000Z';
  const resumeAt = '2018-06-01T00:00:00.000Z';
  const suspendedAYear = (law: LawVersion, policy?: ProgrammePolicy) =>
    drive(start(law, policy), [...toExecution, ['project.suspend', { reason: 'Audit finding' }, suspendAt], ['project.resume', {}, resumeAt]]);

  it('v1: on resume every missed deadline fires at once', () => {
    const fired = fireDueDeadlines(suspendedAYear(1), calendar, resumeAt);
    expect(fired.map((f) => f.event.type)).toEqual(expect.arrayContaining(['deadline.progressReport', 'year.end']));
  });

  it('v2: the clock stood still, so nothing is due on resume and year 1 ends a year of running time later', () => {
    const resumed = suspendedAYear(2);
    expect(resumed.context.clockStoppedMs).toBe(Date.parse(resumeAt) - Date.parse(suspendAt));
    expect(fireDueDeadlines(resumed, calendar, resumeAt)).toEqual([]);
    const yearEnd = pendingDeadlines(resumed, calendar).find((d) => d.event === 'year.end')!.at;
    expect(Date.parse(yearEnd) - Date.parse(calendar.firstProjectYearStarts)).toBe(365 * 86_400_000 + (Date.parse(resumeAt) - Date.parse(suspendAt)));
  });

  it('v2 with the policy "clockRuns": missed deadlines fall due on resume, as the policy chose', () => {
    const resumed = suspendedAYear(2, { ...alliance105.policy, suspension: 'clockRuns' });
    expect(fireDueDeadlines(resumed, calendar, resumeAt).length).toBeGreaterThan(0);
  });
});

describe('migration at the year boundary', () => {
  it('moves a v1 project in execution to v2 without changing where it stands', () => {
    const v1 = drive(start(1), [...toExecution, 'tranche.request', 'tranche.pay']);
    const migrated = migrateSnapshot(v1);
    expect(lawOf(migrated.context)).toBe(2);
    expect(migrated.value).toEqual(v1.value);
    expect(migrated.context).toMatchObject({ ...v1.context, lawVersion: 2, deadlineAmendments: [], clockStoppedMs: 0 });
    // Now under v2: its progress report deadline can be moved, which v1 could not.
    expect(send(v1, 'deadline.amend', { deadline: 'progressReport', until: '2018-01-15T00:00:00.000Z', reason: 'Extension' }).ok).toBe(false);
    expect(send(migrated, 'deadline.amend', { deadline: 'progressReport', until: '2018-01-15T00:00:00.000Z', reason: 'Extension' }).ok).toBe(true);
  });

  it('keeps a project on its version through persistence, and leaves a current one as it is', () => {
    const v1 = drive(start(1), toWrittenReview);
    expect(lawOf(restoreSnapshot(persistSnapshot(v1)).context)).toBe(1);
    expect(restoreSnapshot(persistSnapshot(v1)).can({ ...anEvent('review.close') })).toBe(false);
    const v2 = drive(start(2), toWrittenReview);
    expect(persistSnapshot(migrateSnapshot(v2))).toEqual(persistSnapshot(v2));
  });

  it('refuses a snapshot of a law this code does not know', () => {
    const future = { ...(persistSnapshot(start(2)) as object), context: { ...start(2).context, lawVersion: 9 } };
    expect(() => restoreSnapshot(future)).toThrow(/law v9 is not known/);
  });
});
