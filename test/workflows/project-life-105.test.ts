import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../../domain/calls';
import { addDuration, subtractDuration } from '../../domain/duration';
import { formatRocDate, rocYearOf } from '../../domain/roc-date';
import { fetchRunChain } from '../../activities/run-history';
import type { ProjectClient } from '../../gateway/projects';
import { projectYearEnd } from '../../machines/deadlines';
import { actors } from '../fixtures/project-events';
import { startTimeSkippingServer, uniqueName } from '../helpers/environments';
import { recordHistories } from '../helpers/histories';
import { clockSkipper, payTheYear, runToFirstProjectYear } from '../helpers/life-105';
import { bundleServiceWorkflows, shiftCall, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const skipTo = (instant: string | Date) => clockSkipper(env)(instant);

const reviewers = ['rev-1', 'rev-2', 'rev-3'];

it('runs a three-year project of the 105 call from draft to closed across the real calendar dates', async () => {
  // The 105 calendar replayed in the first future year whose 07-11 is still ahead.
  const years = rocYearOf(new Date(await env.currentTimeMs())) - 105 + 1;
  const call = shiftCall(alliance105, years, uniqueName('alliance-105'));
  const { calendar, policy } = call;
  const yearEnd = (n: number) => projectYearEnd(calendar, policy.projectYearLength, n);
  const taskQueue = uniqueName('life-105');

  await withServiceWorker(env, bundle, taskQueue, async (projects: ProjectClient) => {
    const id = await runToFirstProjectYear(
      projects,
      call,
      skipTo,
      reviewers.map((reviewerId) => ({ reviewerId })),
    );
    const send = projects.send.bind(projects, id);

    for (const year of [1, 2, 3]) {
      const start = year === 1 ? new Date(calendar.firstProjectYearStarts) : yearEnd(year - 1);
      await payTheYear(projects, id, skipTo, start, year);
      if (year === 2) {
        expect(formatRocDate(calendar.siteVisitWindow.opens).endsWith('.04.01')).toBe(true);
        await skipTo(addDuration(calendar.siteVisitWindow.opens, 'P10D'));
        await send('siteVisit.select', actors.office, {});
        await send('siteVisit.record', actors.office, {
          visitedOn: addDuration(calendar.siteVisitWindow.opens, 'P10D').toISOString(),
          suggestions: 'Recruit more members from Central Taiwan',
        });
      }
      if (year < 3) {
        const due = subtractDuration(yearEnd(year), policy.progressReportDueBeforeYearEnd);
        await skipTo(subtractDuration(due, 'P10D'));
        await send('progressReport.submit', actors.pi, { summary: `Year ${year}: members and fees as planned` });
        await send('progressReport.accept', actors.office, { comments: 'Accepted' });
      }
      // The year ends by its timer; the workflow continues as new into the next year.
      await skipTo(addDuration(yearEnd(year), 'PT1H'));
      const view = await projects.view(id);
      expect(view.projectYear).toBe(year < 3 ? year + 1 : 3);
      expect(view.lifecycle).toBe(year < 3 ? 'execution' : 'closing');
    }

    await skipTo(addDuration(yearEnd(3), 'P30D'));
    await send('closingReport.submit', actors.pi, { summary: 'Alliance self-sustaining on member fees' });
    await send('closingReport.accept', actors.office, { comments: 'Closed' });
    const result = await projects.handle(id).result();

    expect(result.lifecycle).toBe('closed');
    expect(result.context.disbursements.map((d) => `${d.year}.${d.tranche}:${d.amountNtd}`)).toEqual([
      '1.1:1000000',
      '1.2:1000000',
      '2.1:1000000',
      '2.2:1000000',
      '3.1:1000000',
      '3.2:1000000',
    ]);
    expect(result.context.acceptedReports).toEqual([1, 2]);
    expect(result.context.siteVisits).toHaveLength(1);
    const log = await projects.transitionLog(id);
    expect(log.filter((e) => e.event === 'year.end').map((e) => e.actor.role)).toEqual(['system', 'system', 'system']);
    expect(log.at(-1)).toMatchObject({ event: 'closingReport.accept', to: ['closed'] });
    // One run per project year, plus the years before: continue-as-new kept each history short.
    const runs = await fetchRunChain(env.client, id);
    expect(runs).toHaveLength(4);
    for (const run of runs) expect(run.history.events!.length).toBeLessThan(400);
    // Every run started at the current patch level: no patch markers, no change-version upserts (patch-levels.ts).
    const markers = runs.flatMap((run) =>
      run.history.events!.filter(
        (e) => e.markerRecordedEventAttributes || e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion,
      ),
    );
    expect(markers).toEqual([]);
    // The archive child outlives the project; waiting for it leaves nothing running on the shared server.
    expect(await env.client.workflow.getHandle(`archive:${id}`).result()).toBe(runs.length);
    await recordHistories(env.client, id, 'project-life-105');
  });
});
