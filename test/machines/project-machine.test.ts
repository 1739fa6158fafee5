import { initialTransition, transition } from 'xstate';
import type { ProjectEventType } from '../../domain/project-events';
import { apply, judge, offeredEvents, type ProjectSnapshot } from '../../machines/judge';
import { callMachine } from '../../machines/call-machine';
import { emptyRecords } from '../../machines/call-records';
import { alliance105 } from '../../domain/calls';
import { projectMachine } from '../../machines/project-machine';
import { projectInput } from '../fixtures/project-input';
import { anApplication } from '../fixtures/applications';
import { actors, anEvent, AT } from '../fixtures/project-events';

const start = (application = anApplication()): ProjectSnapshot => initialTransition(projectMachine, projectInput({ application }))[0];

/** Sends each event through the same three checks the workflow uses; a refusal fails the test. */
function drive(snapshot: ProjectSnapshot, types: ProjectEventType[]): ProjectSnapshot {
  return types.reduce((s, type) => {
    const { type: t, actor, at, ...payload } = anEvent(type);
    const verdict = judge(s, { type: t, actor, payload }, at);
    if (!verdict.ok) throw new Error(`${type} refused: ${verdict.message}`);
    return apply(s, verdict.event);
  }, snapshot);
}

const toApproval: ProjectEventType[] = [
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
];
const toExecution: ProjectEventType[] = [...toApproval, 'contract.issue', 'contract.sign', 'consent.sign'];
const fundYear: ProjectEventType[] = ['tranche.request', 'tranche.pay', 'tranche.request', 'tranche.pay'];

const refusal = (s: ProjectSnapshot, type: ProjectEventType, payload?: Record<string, unknown>, actor = anEvent(type).actor) => {
  const { type: t, at, actor: _a, ...defaults } = anEvent(type);
  return judge(s, { type: t, actor, payload: payload ?? defaults }, at);
};

describe('projectMachine, one step at a time', () => {
  it('submits a draft and records who endorsed it', () => {
    const s = drive(start(), ['application.submit', 'endorsement.record']);
    expect(s.value).toBe('endorsed');
    expect(s.context.endorsement).toMatchObject({ by: actors.institution, at: AT, rosterId: 'NTU-105-01' });
  });

  it('refuses to submit an ineligible application and lists every problem', () => {
    const over = anApplication({ budget: [1, 2, 3].map((year) => ({ year, personnel: 3_500_000, operatingExpenses: 0, serviceEquipment: 0 })) });
    const verdict = refusal(start(over), 'application.submit');
    expect(verdict).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(!verdict.ok && verdict.details).toHaveLength(3);
  });

  it('lapses a draft at the application deadline and an unendorsed one at the endorsement deadline', () => {
    expect(drive(start(), ['deadline.application']).value).toBe('lapsed');
    const late = drive(start(), ['application.submit', 'deadline.endorsement']);
    expect(late.value).toBe('lapsed');
    expect(late.context.endReason).toBe('not endorsed by the institution endorsement deadline, 105.09.12 17:00');
  });

  it('refuses a command after the project lapsed, saying why it ended', () => {
    const verdict = refusal(drive(start(), ['deadline.application']), 'application.submit');
    expect(verdict).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(!verdict.ok && verdict.message).toMatch(/has ended \(in lapsed\) — not submitted by the application deadline, 105.09.12 17:00/);
  });

  it('refuses a review from a reviewer who is not assigned', () => {
    const s = drive(start(), ['application.submit', 'endorsement.record', 'review.start']);
    const verdict = refusal(s, 'review.record');
    expect(!verdict.ok && verdict.message).toMatch(/rev-1 is not assigned/);
  });

  it('refuses an approval above the amount requested', () => {
    const s = drive(start(), toApproval.slice(0, 8));
    const verdict = refusal(s, 'decision.record', { outcome: 'approved', amountsNtd: [2_500_000, 1, 1] });
    expect(!verdict.ok && verdict.details[0]).toMatch(/^APPROVED_OVER_REQUESTED/);
  });

  it('announces a rejection straight from the written review', () => {
    const s = drive(start(), ['application.submit', 'endorsement.record', 'review.start']);
    const { type, actor, at } = anEvent('decision.record');
    const verdict = judge(s, { type, actor, payload: { outcome: 'rejected', reason: 'Out of scope' } }, at);
    expect(verdict.ok).toBe(true);
    const rejected = drive(apply(s, verdict.ok ? verdict.event : (undefined as never)), ['decision.announce']);
    expect(rejected.value).toBe('rejected');
    expect(rejected.context.endReason).toBe('Out of scope');
  });
});

describe('projectMachine, one step at a time: from the contract to the end', () => {
  it('rejects a tranche before the contract is signed', () => {
    const approved = drive(start(), toApproval);
    expect(approved.value).toBe('approved');
    expect(refusal(approved, 'tranche.request')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    const halfSigned = drive(approved, ['contract.issue', 'contract.sign']);
    expect(refusal(halfSigned, 'tranche.request')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(drive(halfSigned, ['consent.sign']).matches('execution')).toBe(true);
  });

  it("withholds year 2's tranches until year 1's progress report is accepted, then releases them", () => {
    let s = drive(start(), [...toExecution, ...fundYear, 'deadline.progressReport', 'year.end']);
    expect(s.context.projectYear).toBe(2);
    expect(s.matches({ execution: { progressReport: 'overdue' } })).toBe(true);
    const withheld = refusal(s, 'tranche.request');
    expect(!withheld.ok && withheld.message).toMatch(/withheld until the progress report of year 1 is accepted/);
    s = drive(s, ['progressReport.submit', 'progressReport.accept']);
    // The late report accepted, year 2's own report is now the one awaited.
    expect(s.context.reportYear).toBe(2);
    expect(s.matches({ execution: { progressReport: 'awaiting' } })).toBe(true);
    expect(drive(s, fundYear).context.disbursements.filter((d) => d.year === 2)).toHaveLength(2);
  });

  it('refuses a tranche above the approved amount of the year', () => {
    const s = drive(start(), [...toExecution, 'tranche.request', 'tranche.pay']);
    const verdict = refusal(s, 'tranche.request', { amountNtd: 600_000 });
    expect(!verdict.ok && verdict.message).toMatch(/exceed the amount approved for year 1/);
  });

  it('returns a late progress report to overdue, and an early one to awaiting', () => {
    const onTime = drive(start(), [...toExecution, 'progressReport.submit', 'progressReport.return']);
    expect(onTime.matches({ execution: { progressReport: 'awaiting' } })).toBe(true);
    const late = drive(start(), [...toExecution, 'deadline.progressReport', 'progressReport.submit', 'progressReport.return']);
    expect(late.matches({ execution: { progressReport: 'overdue' } })).toBe(true);
  });

  it('runs three years, a site visit and the closing report to closed', () => {
    const year = [...fundYear, 'progressReport.submit', 'progressReport.accept', 'year.end'] as ProjectEventType[];
    const s = drive(start(), [
      ...toExecution,
      ...year,
      'siteVisit.select',
      'siteVisit.record',
      ...year,
      ...fundYear,
      'year.end',
      'closingReport.submit',
      'closingReport.accept',
    ]);
    expect(s.value).toBe('closed');
    expect(s.status).toBe('done');
    expect(s.context.disbursements.map((d) => `${d.year}.${d.tranche}`)).toEqual(['1.1', '1.2', '2.1', '2.2', '3.1', '3.2']);
    expect(s.context.acceptedReports).toEqual([1, 2]);
    expect(s.context.siteVisits).toEqual([expect.objectContaining({ year: 2, suggestions: 'Grow member fees' })]);
  });

  it('needs no progress report in the last year and marks an overdue closing report', () => {
    const oneYear = anApplication({ yearsRequested: 1, budget: [{ year: 1, personnel: 1_000_000, operatingExpenses: 0, serviceEquipment: 0 }] });
    const { type, actor, at } = anEvent('decision.record');
    let s = drive(start(oneYear), toApproval.slice(0, 8));
    const verdict = judge(s, { type, actor, payload: { outcome: 'approved', amountsNtd: [1_000_000] } }, at);
    s = drive(apply(s, verdict.ok ? verdict.event : (undefined as never)), ['decision.announce', 'contract.issue', 'contract.sign', 'consent.sign']);
    expect(s.matches({ execution: { progressReport: 'notRequired' } })).toBe(true);
    s = drive(s, ['year.end', 'deadline.closingReport']);
    expect(s.matches({ closing: 'overdue' })).toBe(true);
    expect(drive(s, ['closingReport.submit', 'closingReport.return']).matches({ closing: 'overdue' })).toBe(true);
  });

  it('suspends a project and resumes every region where it was', () => {
    const s = drive(start(), [...toExecution, 'tranche.request', 'siteVisit.select', 'project.suspend']);
    expect(s.value).toBe('suspended');
    expect(refusal(s, 'tranche.pay')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    const resumed = drive(s, ['project.resume']);
    expect(resumed.value).toEqual({ execution: { funding: 'firstTrancheRequested', progressReport: 'awaiting', siteVisit: 'selected' } });
  });

  it('terminates a running project for a reason and then accepts nothing', () => {
    const s = drive(start(), [...toExecution, 'project.terminate']);
    expect(s.value).toBe('terminated');
    expect(s.context.endReason).toBe('Misuse of funds');
    expect(refusal(s, 'project.resume').ok).toBe(false);
  });

  it('refuses an auditor anything, and a PI the office’s commands', () => {
    expect(refusal(start(), 'application.submit', undefined, actors.auditor)).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED' });
    const verdict = refusal(drive(start(), ['application.submit']), 'endorsement.record', undefined, actors.pi);
    expect(verdict).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED', message: 'endorsement.record may be sent only by institution, not by pi pi-lin.' });
  });

  it('refuses a malformed payload before anything else, naming the field', () => {
    const verdict = refusal(start(), 'application.withdraw', { reason: '' }, actors.auditor);
    expect(verdict).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    expect(!verdict.ok && verdict.details).toEqual(['reason: expected some text']);
    expect(judge(start(), { type: 'tranche.steal', actor: actors.office, payload: {} }, AT)).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
  });

  it('offers each role what it may send now', () => {
    const offered = offeredEvents(drive(start(), ['application.submit']));
    expect(offered.institution).toEqual(['endorsement.record', 'document.attach']);
    // The chart takes a document here (the institution's letter); which kind from whom is the guard's to say.
    expect(offered.pi).toEqual(['application.withdraw', 'document.attach']);
    expect(offered.system).toEqual(['deadline.endorsement']);
    expect(offered.auditor).toEqual([]);
  });
});

describe('callMachine', () => {
  it('runs a call from open to closed', () => {
    const office = { actor: actors.office, at: AT };
    const system = { actor: actors.system, at: AT };
    let [s] = initialTransition(callMachine, emptyRecords(alliance105.calendar));
    for (const event of [
      { type: 'deadline.application', ...system },
      { type: 'deadline.endorsement', ...system },
      { type: 'review.start', ...office },
      { type: 'presentation.start', ...office },
      { type: 'decision.start', ...office },
      { type: 'decision.announce', ...office },
      { type: 'call.close', ...office },
    ] as const) {
      expect(s.can(event)).toBe(true);
      [s] = transition(callMachine, s, event);
    }
    expect(s.value).toBe('closed');
    expect(s.can({ type: 'review.start', ...office })).toBe(false);
  });
});
