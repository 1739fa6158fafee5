import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ProjectClient } from '../../activities/temporal/projects';
import type { Call } from '../../domain/call';
import { addDuration, subtractDuration } from '../../domain/duration';
import type { ApplicationInput } from '../../domain/application';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';

/** Moves the test server's clock to an instant, firing every timer on the way; `before` runs first (e.g. to let mail settle). */
export function clockSkipper(env: TestWorkflowEnvironment, before: () => Promise<void> = () => Promise.resolve()) {
  return async function skipTo(instant: string | Date): Promise<void> {
    await before();
    const ms = new Date(instant).getTime() - (await env.currentTimeMs());
    if (ms > 0) await env.sleep(ms);
  };
}

export type AssignedReviewer = { reviewerId: string; name?: string; email?: string };

/**
 * One application of `call` from draft to the start of its first project year on the call's own
 * dates: submitted, endorsed, reviewed, presented, approved (by default at NT$2,000,000 a year for three years), contracted.
 */
export async function runToFirstProjectYear(
  projects: ProjectClient, call: Call, skipTo: (instant: string | Date) => Promise<void>,
  reviewers: AssignedReviewer[], application: Partial<ApplicationInput> = {},
  amountsNtd: number[] = [2_000_000, 2_000_000, 2_000_000],
): Promise<string> {
  const { calendar } = call;
  const id = await projects.create(call, anApplication({ id: 'TE2-0001', ...application }));
  const send = projects.send.bind(projects, id);
  await skipTo(addDuration(calendar.applicationWindow.opens, 'P30D'));
  await send('application.submit', actors.pi, {});
  await skipTo(subtractDuration(calendar.endorsementDeadline, 'P2D'));
  await send('endorsement.record', actors.institution, { rosterId: 'NTU-105-01', letterReference: '臺大研字第1050012345號' });
  // Past both deadlines: an endorsed project does not lapse.
  await skipTo(addDuration(calendar.reviewPeriod.opens, 'P1D'));
  if ((await projects.view(id)).lifecycle !== 'endorsed') throw new Error(`${id} should be endorsed after the endorsement deadline`);

  await send('review.start', actors.office, {});
  for (const reviewer of reviewers) await send('reviewer.assign', actors.office, reviewer);
  for (const [i, { reviewerId }] of reviewers.entries()) {
    await send('review.record', { role: 'reviewer', id: reviewerId }, { score: 80 + i, recommendation: 'fund', comments: 'Credible alliance plan' });
  }
  await send('presentation.invite', actors.office, {});
  await send('presentation.schedule', actors.office, { slot: addDuration(calendar.reviewPeriod.opens, 'P35D').toISOString(), venue: '科技大樓 1701' });
  await skipTo(addDuration(calendar.reviewPeriod.opens, 'P40D'));
  await send('presentation.record', actors.office, { panelScore: 86, comments: 'Convincing' });
  await send('decision.record', actors.office, { outcome: 'approved', amountsNtd });
  await send('decision.announce', actors.office, {});
  await send('contract.issue', actors.office, { contractNumber: 'MOST 106-2622-E-002-001' });

  await skipTo(addDuration(calendar.firstProjectYearStarts, 'P3D'));
  await send('contract.sign', actors.institution, {});
  const started = await send('consent.sign', actors.pi, {});
  if (!started.states.includes('execution.funding.awaitingFirstTranche')) throw new Error(`${id} did not start its first year: ${started.states.join(', ')}`);
  return id;
}

/** A project year's two tranches of NT$1,000,000, each requested and paid in its window (10 days and 5 months 10 days after `start`). */
export async function payTheYear(
  send: (type: 'tranche.request' | 'tranche.pay', actor: typeof actors.office, payload: object) => Promise<unknown>,
  skipTo: (instant: string | Date) => Promise<void>, start: Date, year: number,
): Promise<void> {
  await skipTo(addDuration(start, 'P10D'));
  await send('tranche.request', actors.institution, { amountNtd: 1_000_000 });
  await send('tranche.pay', actors.office, { paymentReference: `PAY-${year}-1` });
  await skipTo(addDuration(start, 'P5M10D'));
  await send('tranche.request', actors.institution, { amountNtd: 1_000_000 });
  await send('tranche.pay', actors.office, { paymentReference: `PAY-${year}-2` });
}
