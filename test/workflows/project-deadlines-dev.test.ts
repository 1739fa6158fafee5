import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { AllianceError } from '../../domain/errors';
import type { ProjectClient } from '../../gateway/projects';
import { alliance105 } from '../../domain/calls';
import { formatRocDate } from '../../domain/roc-date';
import { searchAttributes } from '../../domain/search-attributes';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { person } from '../fixtures/people';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { recordHistories } from '../helpers/histories';
import {
  bundleServiceWorkflows,
  compressedCall,
  settledHistoryLength,
  waitForProject,
  withServiceWorker,
  type CompressedTimes,
} from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const seconds: CompressedTimes = {
  applicationClosesIn: 3,
  endorsementIn: 5,
  firstYearStartsIn: 8,
  yearLength: 'PT8S',
  progressReportDueBeforeYearEnd: 'PT4S',
  closingReportGrace: 'PT3S',
};
const callFor = (times: Partial<CompressedTimes> = {}) => compressedCall(alliance105, Date.now(), { ...seconds, ...times }, uniqueName('compressed'));

/** Takes a submitted application through endorsement, review and contract to execution year 1. */
async function toExecution(projects: ProjectClient, id: string, amountsNtd = [2_000_000, 2_000_000, 2_000_000]): Promise<void> {
  const send = projects.send.bind(projects, id);
  await send('application.submit', actors.pi, {});
  await send('endorsement.record', actors.institution, { rosterId: 'NTU-01', letterReference: 'L-1' });
  await send('review.start', actors.office, {});
  await send('reviewer.assign', actors.office, { reviewerId: 'rev-1' });
  await send('review.record', actors.reviewer, { score: 90, recommendation: 'fund', comments: 'Good' });
  await send('presentation.invite', actors.office, {});
  await send('presentation.schedule', actors.office, { slot: new Date().toISOString(), venue: 'Room 1' });
  await send('presentation.record', actors.office, { panelScore: 88, comments: 'Good' });
  await send('decision.record', actors.office, { outcome: 'approved', amountsNtd });
  await send('decision.announce', actors.office, {});
  await send('contract.issue', actors.office, { contractNumber: 'C-1' });
  await send('contract.sign', actors.institution, {});
  await send('consent.sign', actors.pi, {});
}

async function fundYear(projects: ProjectClient, id: string, year: number): Promise<void> {
  for (const tranche of [1, 2]) {
    await projects.send(id, 'tranche.request', actors.institution, { amountNtd: 1_000_000 });
    await projects.send(id, 'tranche.pay', actors.office, { paymentReference: `PAY-${year}-${tranche}` });
  }
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('the command was accepted');
    },
    (error: AllianceError) => error,
  );

describe('deadlines on the dev server, with the policy compressed to seconds', () => {
  it('lapses a draft at the application deadline and refuses a late submission naming it', async () => {
    const call = callFor();
    await withServiceWorker(env, bundle, uniqueName('lapse'), async (projects) => {
      const id = await projects.create(call, anApplication());
      const view = await waitForProject(projects, id, (v) => v.lifecycle === 'lapsed');
      expect(view.done).toBe(true);
      await recordHistories(env.client, id, 'project-lapsed-application');
      const error = await refusal(projects.send(id, 'application.submit', actors.pi, {}));
      expect(error).toBeInstanceOf(AllianceError);
      expect(error.code).toBe('ILLEGAL_TRANSITION');
      expect(error.message).toContain(`not submitted by the application deadline, ${formatRocDate(call.calendar.applicationWindow.closes)}`);
    });
  });

  it('lapses a submitted application nobody endorsed by the endorsement deadline', async () => {
    const call = callFor();
    await withServiceWorker(env, bundle, uniqueName('lapse'), async (projects) => {
      const id = await projects.create(call, anApplication());
      await projects.send(id, 'application.submit', actors.pi, {});
      const view = await waitForProject(projects, id, (v) => v.lifecycle === 'lapsed');
      expect(view.context.endReason).toMatch(/^not endorsed by the institution endorsement deadline/);
      const error = await refusal(projects.send(id, 'endorsement.record', actors.institution, { rosterId: 'R', letterReference: 'L' }));
      expect(error.code).toBe('ILLEGAL_TRANSITION');
    });
  });

  it("marks a late progress report overdue, finds it by search attribute, and withholds year 2's tranches until it is accepted", async () => {
    const call = callFor({ yearLength: 'PT10S', progressReportDueBeforeYearEnd: 'PT6S' });
    await withServiceWorker(env, bundle, uniqueName('late-report'), async (projects) => {
      const id = await projects.create(call, anApplication({ division: 'TE2' }));
      await toExecution(projects, id);
      await fundYear(projects, id, 1);
      await waitForProject(projects, id, (v) => v.overdue);

      const query = `${searchAttributes.callId.name} = '${call.id}' AND ${searchAttributes.division.name} = 'TE2' AND ${searchAttributes.overdue.name} = true`;
      const found = await pollList(query, 1);
      expect(found).toEqual([id]);

      const year2 = await waitForProject(projects, id, (v) => v.projectYear === 2);
      expect(year2.states).toContain('execution.progressReport.overdue');
      const withheld = await refusal(projects.send(id, 'tranche.request', actors.institution, { amountNtd: 1_000_000 }));
      expect(withheld.code).toBe('ILLEGAL_TRANSITION');
      expect(withheld.message).toContain("Year 2's tranches are withheld until the progress report of year 1 is accepted");

      await projects.send(id, 'progressReport.submit', actors.pi, { summary: 'Late, but complete' });
      await projects.send(id, 'progressReport.accept', actors.office, { comments: 'Accepted late' });
      await projects.send(id, 'tranche.request', actors.institution, { amountNtd: 1_000_000 });
      expect((await projects.view(id)).context.pendingTranche?.amountNtd).toBe(1_000_000);
      await projects.handle(id).terminate('test finished');
    });
  });

  it('marks the closing report overdue after its grace period, then closes when it is accepted', async () => {
    const call = callFor({ yearLength: 'PT4S', closingReportGrace: 'PT2S' });
    const oneYear = anApplication({ yearsRequested: 1, budget: [{ year: 1, personnel: 2_000_000, operatingExpenses: 0, serviceEquipment: 0 }] });
    await withServiceWorker(env, bundle, uniqueName('closing'), async (projects) => {
      const id = await projects.create(call, oneYear);
      await toExecution(projects, id, [2_000_000]);
      const overdue = await waitForProject(projects, id, (v) => v.states.includes('closing.overdue'));
      expect(overdue.overdue).toBe(true);
      await projects.send(id, 'closingReport.submit', actors.pi, { summary: 'Done' });
      await projects.send(id, 'closingReport.accept', actors.office, { comments: 'OK' });
      expect((await projects.handle(id).result()).lifecycle).toBe('closed');
      await recordHistories(env.client, id, 'project-closing-overdue');
    });
  });

  it('runs a three-year life to closed with every deadline met', async () => {
    const call = callFor({ yearLength: 'PT6S', progressReportDueBeforeYearEnd: 'PT2S', closingReportGrace: 'PT30S' });
    await withServiceWorker(env, bundle, uniqueName('life'), async (projects) => {
      const id = await projects.create(call, anApplication());
      await toExecution(projects, id);
      for (const year of [1, 2, 3]) {
        await waitForProject(projects, id, (v) => v.projectYear === year);
        await fundYear(projects, id, year);
        if (year === 2) {
          await projects.send(id, 'siteVisit.select', actors.office, {});
          await projects.send(id, 'siteVisit.record', actors.office, { visitedOn: new Date().toISOString(), suggestions: 'More members' });
        }
        if (year < 3) {
          await projects.send(id, 'progressReport.submit', actors.pi, { summary: `Year ${year}` });
          await projects.send(id, 'progressReport.accept', actors.office, { comments: 'OK' });
        }
      }
      await waitForProject(projects, id, (v) => v.lifecycle === 'closing');
      await projects.send(id, 'closingReport.submit', actors.pi, { summary: 'Done' });
      await projects.send(id, 'closingReport.accept', actors.office, { comments: 'OK' });
      const result = await projects.handle(id).result();
      expect(result.lifecycle).toBe('closed');
      expect(result.context.disbursements).toHaveLength(6);
      expect(result.context.acceptedReports).toEqual([1, 2]);
      expect(result.overdue).toBe(false);
      await recordHistories(env.client, id, 'project-life-compressed');
    });
  });
});

describe('refused commands on the dev server', () => {
  it('leave the history length unchanged, each with the code of the check that refused it', async () => {
    const call = callFor({ applicationClosesIn: 600, endorsementIn: 700, firstYearStartsIn: 800 });
    await withServiceWorker(env, bundle, uniqueName('refused'), async (projects) => {
      const id = await projects.create(call, anApplication());
      await projects.send(id, 'application.submit', actors.pi, {});
      const length = () => settledHistoryLength(projects, id);
      // Straight to the workflow's validator, past the client's own checks.
      const raw = { precheck: false };
      const before = await length();
      const cases: [Promise<unknown>, string][] = [
        [projects.send(id, 'tranche.request', actors.institution, { amountNtd: 1_000_000 }), 'ILLEGAL_TRANSITION'],
        [projects.send(id, 'endorsement.record', actors.pi, { rosterId: 'R', letterReference: 'L' }, raw), 'ROLE_NOT_ALLOWED'],
        [projects.send(id, 'endorsement.record', actors.auditor, { rosterId: 'R', letterReference: 'L' }, raw), 'ROLE_NOT_ALLOWED'],
        [projects.send(id, 'endorsement.record', actors.institution, { rosterId: '', letterReference: 'L' }, raw), 'VALIDATION'],
        [projects.send(id, 'deadline.endorsement', actors.system, { deadline: new Date().toISOString() }, raw), 'ROLE_NOT_ALLOWED'],
        // Right role, wrong person: another institution, another PI.
        [projects.send(id, 'endorsement.record', person('institution', 'NCKU'), { rosterId: 'R', letterReference: 'L' }, raw), 'FORBIDDEN'],
        [projects.send(id, 'application.withdraw', person('pi', 'pi-chen'), { reason: 'not mine' }, raw), 'FORBIDDEN'],
      ];
      for (const [promise, code] of cases) expect((await refusal(promise)).code).toBe(code);
      expect(await length()).toBe(before);
      expect((await projects.view(id)).lifecycle).toBe('submitted');
      const error = await refusal(projects.view('project:no-such-call:X-1'));
      expect(error.code).toBe('NOT_FOUND');
      await projects.handle(id).terminate('test finished');
    });
  });
});

async function pollList(query: string, expected: number): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const ids: string[] = [];
    for await (const execution of env.client.workflow.list({ query })) ids.push(execution.workflowId);
    if (ids.length >= expected || attempt > 50) return ids;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
