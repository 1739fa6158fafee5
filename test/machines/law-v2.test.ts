import { initialTransition } from 'xstate';
import { alliance105 } from '../../domain/calls';
import type { ProjectEventType } from '../../domain/project-events';
import type { ProgrammePolicy } from '../../domain/policy';
import { fireDueDeadlines, pendingDeadlines, versionAt } from '../../machines/deadlines';
import { apply, judge, type ProjectSnapshot } from '../../machines/judge';
import { acceptedKpis } from '../../machines/kpis';
import { lawOf, migrateSnapshot, persistSnapshot, restoreSnapshot } from '../../machines/law';
import { noticesForTransition, reminderSchedule } from '../../machines/notices';
import { ownershipProblem } from '../../machines/ownership';
import { currentLaw, projectMachines, type LawVersion } from '../../machines/project-machine';
import { anyTimePolicy, projectInput } from '../fixtures/project-input';
import { anApplication } from '../fixtures/applications';
import { actors, anEvent } from '../fixtures/project-events';

/**
 * Law v2 closes holes law v1 has. Each test shows the hole under v1 (where the project still runs
 * until its next year boundary) and the rule under v2 (what new projects start on).
 */
const { calendar } = alliance105;
const start = (law: LawVersion, policy: ProgrammePolicy = anyTimePolicy): ProjectSnapshot =>
  initialTransition(projectMachines[law], projectInput({ policy }))[0];

function send(s: ProjectSnapshot, type: ProjectEventType, payload?: Record<string, unknown>, at?: string) {
  const { type: t, actor, at: defaultAt, ...defaults } = anEvent(type);
  return judge(s, { type: t, actor, payload: payload ?? defaults }, at ?? defaultAt);
}
type Step = ProjectEventType | [ProjectEventType, Record<string, unknown>, string?];
function drive(s: ProjectSnapshot, steps: Step[]): ProjectSnapshot {
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
  ...toWrittenReview,
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

it('new projects start on the current law, which is v3', () => {
  expect(currentLaw).toBe(3);
  expect(lawOf(start(3).context)).toBe(3);
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

  it('v2 waives a presentation that cannot be held, after the invitation too', () => {
    const invited = drive(start(2), [...toWrittenReview, 'review.record', 'presentation.invite', 'presentation.schedule', 'presentation.waive', approve]);
    expect(invited.value).toEqual({ review: { finalDecision: 'decided' } });
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
    [
      'presented, never decided',
      [...toWrittenReview, 'presentation.invite', 'presentation.schedule', 'presentation.record'],
      'no decision recorded before the announcement',
    ],
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
    expect(amended.context.deadlineAmendments).toEqual([
      { by: actors.office, at: anEvent('deadline.amend').at, deadline: 'application', until: typhoon.until, reason: typhoon.reason },
    ]);
    expect(pendingDeadlines(amended, calendar)[0]).toMatchObject({ event: 'deadline.application', at: typhoon.until });
    expect(fireDueDeadlines(amended, calendar, calendar.applicationWindow.closes)).toEqual([]);
    expect(fireDueDeadlines(amended, calendar, typhoon.until)[0]?.after.value).toBe('lapsed');
  });

  it('counts a deadline due but not yet recorded in the version an If-Match names', () => {
    const draft = start(2);
    const at = (ms: number) => new Date(Date.parse(calendar.applicationWindow.closes) + ms).toISOString();
    expect(versionAt(draft, calendar, 4, at(-1000))).toBe(4);
    expect(versionAt(draft, calendar, 4, at(0))).toBe(5);
    const amended = drive(draft, [['deadline.amend', typhoon]]);
    expect(versionAt(amended, calendar, 5, at(1000))).toBe(5); // moved: counted once its new time has come
    expect(versionAt(amended, calendar, 5, typhoon.until)).toBe(6);
  });

  it("v2 keeps a project's own later extension when the whole call's deadline moves to an earlier time", () => {
    const own = { deadline: 'application', until: '2016-09-20T09:00:00.000Z', reason: 'PI in hospital: extension granted' };
    const callWide = { ...typhoon, scope: 'call' };
    const extended = drive(start(2), [
      ['deadline.amend', own],
      ['deadline.amend', callWide],
    ]);
    expect(extended.context.deadlineAmendments?.map((a) => a.scope ?? 'own')).toEqual(['own', 'call']);
    expect(pendingDeadlines(extended, calendar)[0]).toMatchObject({ event: 'deadline.application', at: own.until });
    // A call-wide move past the project's own goes further for it too; without an own extension the call's move stands.
    const further = { ...callWide, until: '2016-09-25T09:00:00.000Z' };
    expect(pendingDeadlines(drive(extended, [['deadline.amend', further]]), calendar)[0]?.at).toBe(further.until);
    expect(pendingDeadlines(drive(start(2), [['deadline.amend', callWide]]), calendar)[0]?.at).toBe(typhoon.until);
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
    const resumed = suspendedAYear(2, { ...anyTimePolicy, suspension: 'clockRuns' });
    expect(fireDueDeadlines(resumed, calendar, resumeAt).length).toBeGreaterThan(0);
  });
});

describe('tranches: windows, shares and a request unpaid at the year end', () => {
  const request = (amountNtd: number, at?: string): [ProjectEventType, Record<string, unknown>, string?] => ['tranche.request', { amountNtd }, at];
  const pay: [ProjectEventType, Record<string, unknown>] = ['tranche.pay', { paymentReference: 'PAY-1' }];

  it('v1 lets one request take the whole year; v2 holds each tranche to its share, and says so', () => {
    expect(send(drive(start(1), toExecution), ...request(1_000_000)).ok).toBe(true);
    const verdict = send(drive(start(2), toExecution), ...request(1_000_000));
    expect(!verdict.ok && verdict.message).toMatch(/Tranche 1 may take at most 50 % of year 1's approved NT\$1,000,000, that is NT\$500,000/);
    expect(send(drive(start(2), toExecution), ...request(500_000)).ok).toBe(true);
  });

  it('v2 compares money in whole NT$: 70 % of NT$2,700,000 is NT$1,890,000 to the dollar, and the remainder of a division goes to the last tranche', () => {
    const shares = (maxShares: number[]): ProgrammePolicy => ({ ...anyTimePolicy, tranches: { ...anyTimePolicy.tranches!, maxShares } });
    const budget = [1, 2, 3].map((year) => ({ year, personnel: 1_900_000, operatingExpenses: 600_000, serviceEquipment: 200_000 }));
    const funded = (policy: ProgrammePolicy, amount: number) =>
      drive(
        initialTransition(projectMachines[2], projectInput({ policy, application: anApplication({ budget }) }))[0],
        toExecution.map((type): Step =>
          type === 'decision.record' ? ['decision.record', { outcome: 'approved', amountsNtd: [amount, amount, amount] }] : type,
        ),
      );
    // In floating point 0.7 × 2,700,000 is 1,889,999.9999999998: a request of exactly 70 % was refused.
    const seventy = funded(shares([0.7, 0.3]), 2_700_000);
    expect(send(seventy, ...request(1_890_000)).ok).toBe(true);
    const over = send(seventy, ...request(1_890_001));
    expect(!over.ok && over.message).toMatch(/at most 70 % of year 1's approved NT\$2,700,000, that is NT\$1,890,000\./);
    const odd = drive(funded(shares([0.5, 0.5]), 2_000_001), [request(1_000_000), pay]);
    expect(send(odd, ...request(1_000_001)).ok).toBe(true);
    expect(send(drive(funded(shares([0.5, 0.5]), 2_000_001), []), ...request(1_000_001)).ok).toBe(false);
  });

  it("v2 enforces the tranche windows of the call's policy, counted from each project year's start", () => {
    const year1 = drive(start(2, alliance105.policy), toExecution);
    const early = send(year1, ...request(500_000, '2016-09-01T00:00:00.000Z'));
    expect(!early.ok && early.message).toMatch(/Tranche 1 of year 1 is requested between 106\.02\.01 and 106\.05\.01/);
    const first = drive(year1, [request(500_000, '2017-02-10T00:00:00.000Z'), pay]);
    expect(send(first, ...request(500_000, '2017-03-01T00:00:00.000Z'))).toMatchObject({ ok: false });
    expect(drive(first, [request(500_000, '2017-07-10T00:00:00.000Z'), pay]).context.disbursements).toHaveLength(2);
    // v1 read the windows nowhere.
    expect(send(drive(start(1, alliance105.policy), toExecution), ...request(500_000, '2016-09-01T00:00:00.000Z')).ok).toBe(true);
  });

  it('v2 takes a first tranche missed in its window in the second window', () => {
    const year1 = drive(start(2, alliance105.policy), toExecution);
    expect(drive(year1, [request(500_000, '2017-07-10T00:00:00.000Z'), pay]).context.disbursements).toEqual([expect.objectContaining({ year: 1, tranche: 1 })]);
  });

  it('v2 pays a carried tranche before another is requested, and before the project closes', () => {
    const carry = { ...anyTimePolicy, tranches: { ...anyTimePolicy.tranches!, pendingAtYearEnd: 'carry' as const } };
    const year2 = drive(start(2, carry), [
      ...toExecution,
      request(500_000),
      ['progressReport.submit', { summary: 'Year 1' }],
      'progressReport.accept',
      'year.end',
    ]);
    const refused = send(year2, ...request(500_000));
    expect(!refused.ok && refused.message).toMatch(/The tranche of year 1 carried past its year's end is paid before another is requested/);
    const accepted: Step[] = [['progressReport.submit', { summary: 'Year report' }], 'progressReport.accept', 'year.end'];
    const closing = drive(start(2, carry), [...toExecution, ...accepted, ...accepted, request(500_000), 'year.end', 'closingReport.submit']);
    expect(closing.context.carriedTranche).toMatchObject({ year: 3 });
    const unpaid = send(closing, 'closingReport.accept');
    expect(!unpaid.ok && unpaid.message).toMatch(/paid before the project closes/);
    expect(drive(closing, [pay, 'closingReport.accept']).value).toBe('closed');
  });

  it('v1 drops a request unpaid at the year end without a word', () => {
    const ended = drive(drive(start(1), toExecution), [request(500_000), 'year.end']);
    expect(ended.context.pendingTranche).toBeNull();
    expect(ended.context.disbursements).toEqual([]);
    expect(ended.context).not.toHaveProperty('refusedTranches');
    expect(ended.context).not.toHaveProperty('carriedTranche');
  });

  it('v2 refuses it by policy, keeps the record and tells the institution', () => {
    const pending = drive(drive(start(2), toExecution), [request(500_000)]);
    const verdict = send(pending, 'year.end');
    const ended = apply(pending, verdict.ok ? verdict.event : (undefined as never));
    expect(ended.context.refusedTranches).toEqual([expect.objectContaining({ amountNtd: 500_000, year: 1, settledAt: anEvent('year.end').at })]);
    expect(noticesForTransition(20, verdict.ok ? verdict.event : (undefined as never), ended, alliance105, undefined)).toEqual([
      expect.objectContaining({ kind: 'trancheUnpaidAtYearEnd', variables: expect.objectContaining({ year: 1, amount: 500_000 }) as unknown }),
    ]);
  });

  it('v2 carries it by policy: paid afterwards as the money of its own year, before anything else', () => {
    const carry = { ...anyTimePolicy, tranches: { ...anyTimePolicy.tranches!, pendingAtYearEnd: 'carry' as const } };
    const year2 = drive(start(2, carry), [
      ...toExecution,
      request(500_000),
      ['progressReport.submit', { summary: 'Year 1' }],
      'progressReport.accept',
      'year.end',
    ]);
    expect(year2.context).toMatchObject({ projectYear: 2, carriedTranche: { amountNtd: 500_000, year: 1 } });
    const paid = drive(year2, [pay, request(500_000), pay]);
    expect(paid.context.disbursements.map((d) => `${d.year}.${d.tranche}:${d.amountNtd}`)).toEqual(['1.1:500000', '2.1:500000']);
    expect(paid.context.carriedTranche).toBeNull();
  });
});

describe('KPIs kept', () => {
  const kpis = {
    year: 1,
    members: 3,
    memberFeesNtd: 600_000,
    technologyTransferNtd: 0,
    technicalServicesNtd: 250_000,
    industryAcademiaProjectsNtd: 400_000,
    memberList: [
      { name: '聯發半導體', sector: 'company', industry: 'other', annualFeeNtd: 300_000 },
      { name: '資策研究院', sector: 'researchInstitute', industry: 'other', annualFeeNtd: 0 },
      { name: '陳農場', sector: 'individual', industry: 'agriculture', annualFeeNtd: 300_000 },
    ],
  };
  const reported = (law: LawVersion) => drive(start(law), [...toExecution, ['progressReport.submit', { summary: 'Year 1', kpis }], 'progressReport.accept']);

  it('v1 accepts a report with KPIs and keeps none of them', () => {
    expect(reported(1).context.reports.some((r) => 'kpis' in r)).toBe(false);
    expect(acceptedKpis(reported(1).context)).toEqual([]);
  });

  it('v2 keeps them with the members the programme counts (a research institute does not; a farmer does)', () => {
    expect(acceptedKpis(reported(2).context)).toEqual([expect.objectContaining({ year: 1, members: 3, countedMembers: 2, memberFeesNtd: 600_000 })]);
  });

  it('v2 counts nothing it was not shown: without a member list the stated number stands alone', () => {
    const { memberList: _list, ...stated } = kpis;
    const s = drive(start(2), [...toExecution, ['progressReport.submit', { summary: 'Year 1', kpis: stated }], 'progressReport.accept']);
    expect(acceptedKpis(s.context)).toEqual([expect.objectContaining({ members: 3, countedMembers: null })]);
  });
});

describe('migration at the year boundary', () => {
  it('moves a v1 project in execution to v2 without changing where it stands', () => {
    const v1 = drive(start(1), [...toExecution, 'tranche.request', 'tranche.pay']);
    const migrated = migrateSnapshot(v1, calendar, 2);
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
    const v3 = drive(start(3), toWrittenReview);
    expect(persistSnapshot(migrateSnapshot(v3, calendar))).toEqual(persistSnapshot(v3));
  });

  it('refuses a snapshot of a law this code does not know', () => {
    const future = { ...(persistSnapshot(start(2)) as object), context: { ...start(2).context, lawVersion: 9 } };
    expect(() => restoreSnapshot(future)).toThrow(/law v9 is not known/);
  });
});
