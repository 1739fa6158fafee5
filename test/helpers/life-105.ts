import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ProjectClient } from '../../gateway/projects';
import type { Actor } from '../../domain/actor';
import type { ProjectEventType } from '../../domain/project-events';
import type { CommandResult } from '../../messages/project';
import type { Call } from '../../domain/call';
import { addDuration, subtractDuration } from '../../domain/duration';
import type { ApplicationInput } from '../../domain/application';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { person } from '../fixtures/people';

/** Moves the test server's clock to an instant, firing every timer on the way; `before` runs first (e.g. to let mail settle). */
export function clockSkipper(env: TestWorkflowEnvironment, before: () => Promise<void> = () => Promise.resolve()) {
  return async function skipTo(instant: string | Date): Promise<void> {
    await before();
    const ms = new Date(instant).getTime() - (await env.currentTimeMs());
    if (ms > 0) await env.sleep(ms);
  };
}

export type AssignedReviewer = { reviewerId: string; name?: string; email?: string };

/** One command of a project: its type, who sends it, its payload. */
export type LifeCommand = [ProjectEventType, Actor, Record<string, unknown>];
/** Commands sent in order once the clock stands at `at` (or now). */
export interface LifePhase {
  at?: Date;
  commands: LifeCommand[];
}

/**
 * An application of `call` from draft to the start of its first project year on the call's own
 * dates: submitted, endorsed, reviewed, presented, approved (by default at NT$2,000,000 a year for
 * three years), contracted — as phases, so many projects can share one test server's clock.
 */
export function phasesToFirstProjectYear(call: Call, reviewers: AssignedReviewer[], amountsNtd: number[] = [2_000_000, 2_000_000, 2_000_000]): LifePhase[] {
  const { calendar } = call;
  return [
    { at: addDuration(calendar.applicationWindow.opens, 'P30D'), commands: [['application.submit', actors.pi, {}]] },
    {
      at: subtractDuration(calendar.endorsementDeadline, 'P2D'),
      commands: [['endorsement.record', actors.institution, { rosterId: 'NTU-105-01', letterReference: '臺大研字第1050012345號' }]],
    },
    // Past both deadlines: an endorsed project does not lapse.
    {
      at: addDuration(calendar.reviewPeriod.opens, 'P1D'),
      commands: [
        ['review.start', actors.office, {}],
        ...reviewers.map((reviewer): LifeCommand => ['reviewer.assign', actors.office, reviewer]),
        ...reviewers.map(({ reviewerId }, i): LifeCommand => [
          'review.record',
          person('reviewer', reviewerId),
          { score: 80 + i, recommendation: 'fund', comments: 'Credible alliance plan' },
        ]),
        ['presentation.invite', actors.office, {}],
        ['presentation.schedule', actors.office, { slot: addDuration(calendar.reviewPeriod.opens, 'P35D').toISOString(), venue: '科技大樓 1701' }],
      ],
    },
    {
      at: addDuration(calendar.reviewPeriod.opens, 'P40D'),
      commands: [
        ['presentation.record', actors.office, { panelScore: 86, comments: 'Convincing' }],
        ['decision.record', actors.office, { outcome: 'approved', amountsNtd }],
        ['decision.announce', actors.office, {}],
        ['contract.issue', actors.office, { contractNumber: 'MOST 106-2622-E-002-001' }],
      ],
    },
    {
      at: addDuration(calendar.firstProjectYearStarts, 'P3D'),
      commands: [
        ['contract.sign', actors.institution, {}],
        ['consent.sign', actors.pi, {}],
      ],
    },
  ];
}

/** A project year's two tranches of NT$1,000,000, each requested and paid in its window (10 days and 5 months 10 days after `start`). */
export const trancheYearPhases = (start: Date, year: number): LifePhase[] =>
  [1, 2].map((tranche) => ({
    at: addDuration(start, tranche === 1 ? 'P10D' : 'P5M10D'),
    commands: [
      ['tranche.request', actors.institution, { amountNtd: 1_000_000 }],
      ['tranche.pay', actors.office, { paymentReference: `PAY-${year}-${tranche}` }],
    ],
  }));

/** Runs one project's phases, skipping the clock before each. */
export async function runPhases(
  projects: ProjectClient,
  id: string,
  phases: LifePhase[],
  skipTo: (instant: string | Date) => Promise<void>,
): Promise<CommandResult | undefined> {
  let last: CommandResult | undefined;
  for (const phase of phases) {
    if (phase.at) await skipTo(phase.at);
    for (const [type, actor, payload] of phase.commands) last = await projects.send(id, type, actor, payload);
  }
  return last;
}

/** One application of `call` from draft to the start of its first project year (`phasesToFirstProjectYear`), checked on the way. */
export async function runToFirstProjectYear(
  projects: ProjectClient,
  call: Call,
  skipTo: (instant: string | Date) => Promise<void>,
  reviewers: AssignedReviewer[],
  application: Partial<ApplicationInput> = {},
  amountsNtd?: number[],
): Promise<string> {
  const id = await projects.create(call, anApplication({ id: 'TE2-0001', ...application }));
  const [submitted, endorsed, ...rest] = phasesToFirstProjectYear(call, reviewers, amountsNtd);
  await runPhases(projects, id, [submitted!, endorsed!], skipTo);
  await skipTo(rest[0]!.at!);
  if ((await projects.view(id)).lifecycle !== 'endorsed') throw new Error(`${id} should be endorsed after the endorsement deadline`);
  const started = await runPhases(projects, id, rest, skipTo);
  if (!started?.states.includes('execution.funding.awaitingFirstTranche')) throw new Error(`${id} did not start its first year: ${started?.states.join(', ')}`);
  return id;
}

/** A project year's two tranches (`trancheYearPhases`) for one project. */
export function payTheYear(
  projects: ProjectClient,
  id: string,
  skipTo: (instant: string | Date) => Promise<void>,
  start: Date,
  year: number,
): Promise<unknown> {
  return runPhases(projects, id, trancheYearPhases(start, year), skipTo);
}
