import { initialTransition } from 'xstate';
import { Role } from '../../domain/actor';
import { projectEventTypes } from '../../domain/project-events';
import { judge, type ProjectSnapshot } from '../../machines/judge';
import { projectMachine } from '../../machines/project-machine';
import { localMessage } from '../../server/web/messages';
import { localProblem, problem, problemLanguage } from '../../server/problems';
import { actors, sampleEvents } from '../fixtures/project-events';
import { anApplication } from '../fixtures/applications';
import { anyTimePolicy, projectInput } from '../fixtures/project-input';
import { drive, toExecution } from '../helpers/drive';
import { latinWordsIn } from '../helpers/latin';

/** A project at each step from its draft to its first year, and one that ended by withdrawal. */
function snapshots(): ProjectSnapshot[] {
  const start = (application = anApplication()): ProjectSnapshot => initialTransition(projectMachine, projectInput({ policy: anyTimePolicy, application }))[0];
  const steps = toExecution.map((_, i) => drive(start(), toExecution.slice(0, i)));
  // A draft that breaks the programme rules: a company applying, over the yearly cap.
  const ineligible = start(
    anApplication({
      institution: { ...anApplication().institution, type: 'company' },
      budget: [1, 2, 3].map((year) => ({ year, personnel: 3_500_000, operatingExpenses: 0, serviceEquipment: 0 })),
    }),
  );
  // The reason given is the PI's own words, shown as written: here in Chinese.
  return [...steps, drive(start(), [['application.withdraw', { reason: '計畫主持人出國' }]]), ineligible];
}

/** Every refusal the law gives for the sample commands of every type, sent by every role, at every step. */
function refusals(): string[] {
  const found = new Set<string>();
  const events = sampleEvents();
  for (const snapshot of snapshots())
    for (const event of events)
      for (const role of Role.options) {
        const { type, actor: _actor, at, ...payload } = event;
        const actor = role === event.actor.role ? event.actor : actors[role];
        const verdict = judge(snapshot, { type, actor, payload }, at, { fromOutside: role !== 'system' });
        if (!verdict.ok) found.add(verdict.message);
      }
  return [...found];
}

describe("the law's refusals on a Chinese page", () => {
  const all = refusals();

  it('gives many different refusals to say', () => {
    // Each kind the judge explains: role, ownership, the state, the payload, the rules, the money.
    expect(all.length).toBeGreaterThan(60);
    expect(projectEventTypes.filter((t) => !all.some((m) => m.startsWith(t) || m.includes(` ${t} `))).length).toBeLessThan(projectEventTypes.length / 2);
  });

  it('says every one of them in Chinese, with its ids, codes and amounts as they are', () => {
    const english = all.map((m) => ({ m, zh: localMessage('zh-TW', m) })).filter(({ zh }) => latinWordsIn([zh]).length > 0);
    expect(english.map(({ m, zh }) => `${m}\n  → ${zh}`)).toEqual([]);
  });

  it("says the call's refusals in Chinese too", () => {
    const call = [
      'call.submitRoster is not possible while call alliance-105 is announced; it is possible when the call is open or applicationsClosed.',
      'Application TE2-0009 is not registered in call alliance-105.',
      'Application TE2-0001 is already registered in call alliance-105; choose another application id.',
      'Reviewer rev-99 is not in the reviewer pool of call alliance-105; assign one of its 12 reviewers.',
      'reviewer.assign was refused: reviewer rev-1 is already assigned to application TE2-0001.',
      'reviewer.assign was refused: the written review of division TE2 closed at 2016-11-01T00:00:00.000Z; no reviewer is assigned after it.',
      'The written review of call alliance-105 closed at 2016-11-01T00:00:00.000Z; a closed round does not reopen.',
      'call.registerApplication was refused: pi-lin has registered 2 applications in call alliance-105, the most one PI may register in one call (policy maxApplicationsPerPi).',
      'until: 2016-01-01T00:00:00.000Z has already passed; choose a later time.',
      'review.decline was refused: reviewer rev-1 is not assigned to application TE2-0001; a reviewer steps down only from applications assigned to them.',
    ];
    const said = call.map((m) => localMessage('zh-TW', m));
    expect(said.filter((zh) => latinWordsIn([zh]).length > 0)).toEqual([]);
    expect(said[0]).toBe('徵求公告 alliance-105 目前為「已公告」，無法call.submitRoster；須於「受理中」或「申請已截止」時執行。');
  });

  it('keeps English pages in English', () => {
    expect(all.every((m) => localMessage('en', m) === m)).toBe(true);
  });
});

describe("the API's problems in the caller's language", () => {
  it('follows Accept-Language by its q-values, English unless Chinese ranks first', () => {
    expect(
      ['zh-TW', 'zh-Hant-TW,en;q=0.8', 'en-US,zh-TW;q=0.9', 'en;q=0.2,zh;q=0.5', '*', '', undefined, 'fr,zh-TW;q=0.1', 'zh-TW;q=0'].map(problemLanguage),
    ).toEqual(['zh-TW', 'zh-TW', 'en', 'zh-TW', 'en', 'en', 'en', 'zh-TW', 'en']);
    const body = problem('ILLEGAL_TRANSITION', 'tranche.pay was refused: No tranche is waiting to be paid.', ['No tranche is waiting to be paid.']);
    expect(localProblem(body, 'zh-TW')).toEqual({
      ...body,
      title: '目前無法執行',
      detail: '撥款未執行：目前沒有待撥付的請款。',
      details: ['目前沒有待撥付的請款。'],
    });
    expect(localProblem(body, 'en')).toBe(body);
  });
});
