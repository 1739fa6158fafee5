import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { fetchRunChain } from '../../activities/run-history';
import type { ProjectClient } from '../../gateway/projects';
import type { ApplicationInput, PlannedMember } from '../../domain/application';
import { bounds } from '../../domain/bounds';
import { alliance105 } from '../../domain/calls';
import { addDuration, subtractDuration } from '../../domain/duration';
import { rocYearOf } from '../../domain/roc-date';
import { projectYearEnd } from '../../machines/deadlines';
import { actors } from '../fixtures/project-events';
import { startTimeSkippingServer, uniqueName } from '../helpers/environments';
import { clockSkipper, payTheYear, runToFirstProjectYear } from '../helpers/life-105';
import { bundleServiceWorkflows, shiftCall, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const YEARS = bounds.years;
/** Temporal's limits (server defaults): a payload is refused past 2 MB, a run's history warned at 10 MB. */
const PAYLOAD_LIMIT = 2 * 1024 * 1024;
const HISTORY_WARNING = 10 * 1024 * 1024;

/** The longest text allowed, in Chinese (3 bytes a character in UTF-8), different for each use. */
const longest = (label: string): string => `${label}：${'本聯盟整合產學資源，提供會員技術服務與人才培育，'.repeat(900)}`.slice(0, bounds.text);
const longestName = (label: string, i: number): string => `${label}${i}${'股份有限公司'.repeat(60)}`.slice(0, bounds.name);
const memberList = (label: string): PlannedMember[] =>
  Array.from({ length: bounds.list }, (_, i) => ({ name: longestName(label, i), sector: 'company', industry: 'other', annualFeeNtd: 100_000 }));

/** The largest application the door lets in: every text and list at its bound. */
const largestApplication: Partial<ApplicationInput> = {
  title: longest('標題').slice(0, bounds.title),
  coreTechnology: longest('核心技術'),
  yearsRequested: YEARS,
  coPis: Array.from({ length: bounds.people }, (_, i) => ({
    id: `copi-${i}`,
    name: longestName('共同主持人', i),
    email: `copi${i}@ntu.edu.tw`,
    institutionId: 'NTU',
    employment: 'fullTimeMonthly',
    qualification: { category: 'professor', rank: 'professor' },
  })),
  budget: Array.from({ length: YEARS }, (_, i) => ({ year: i + 1, personnel: 1_200_000, operatingExpenses: 600_000, serviceEquipment: 200_000 })),
  members: memberList('預定會員'),
  kpis: Array.from({ length: YEARS }, (_, i) => ({
    year: i + 1,
    members: 10 * (i + 1),
    memberFeesNtd: 500_000,
    technologyTransferNtd: 0,
    technicalServicesNtd: 300_000,
    industryAcademiaProjectsNtd: 0,
  })),
};

/** Every payload of a history as Temporal stores it (after the codecs). */
function payloadsOf(value: unknown, found: Payload[] = []): Payload[] {
  if (Array.isArray(value)) for (const v of value) payloadsOf(v, found);
  else if (value && typeof value === 'object') {
    if ('metadata' in value && 'data' in value && (value as Payload).data instanceof Uint8Array) found.push(value as Payload);
    else for (const v of Object.values(value)) payloadsOf(v, found);
  }
  return found;
}

it(`carries the largest allowed content across ${YEARS} project years well under Temporal's limits (sizes printed)`, async () => {
  const years = rocYearOf(new Date(await env.currentTimeMs())) - 105 + 1;
  const shifted = shiftCall(alliance105, years, uniqueName('alliance-105-decade'));
  const call = { ...shifted, policy: { ...shifted.policy, maxYearsPerPhase: YEARS } };
  const { calendar, policy } = call;
  const yearEnd = (n: number) => projectYearEnd(calendar, policy.projectYearLength, n);
  const skipTo = clockSkipper(env);

  await withServiceWorker(env, bundle, uniqueName('decade'), async (projects: ProjectClient) => {
    const id = await runToFirstProjectYear(projects, call, skipTo, [{ reviewerId: 'rev-1' }], largestApplication, Array(YEARS).fill(2_000_000) as number[]);
    const send = projects.send.bind(projects, id);
    for (let year = 1; year <= YEARS; year++) {
      const start = year === 1 ? new Date(calendar.firstProjectYearStarts) : yearEnd(year - 1);
      await payTheYear(projects, id, skipTo, start, year);
      if (year < YEARS) {
        await skipTo(subtractDuration(subtractDuration(yearEnd(year), policy.progressReportDueBeforeYearEnd), 'P10D'));
        const kpis = {
          year,
          members: bounds.list,
          memberFeesNtd: 100_000 * bounds.list,
          technologyTransferNtd: 0,
          technicalServicesNtd: 0,
          industryAcademiaProjectsNtd: 0,
          memberList: memberList(`第${year}年會員`),
        };
        await send('progressReport.submit', actors.pi, { summary: longest(`第${year}年報告`), kpis });
        await send('progressReport.return', actors.office, { reason: longest(`第${year}年退回`) });
        await send('progressReport.submit', actors.pi, { summary: longest(`第${year}年修正報告`), kpis });
        await send('progressReport.accept', actors.office, { comments: longest(`第${year}年審查意見`) });
      }
      await skipTo(addDuration(yearEnd(year), 'PT1H'));
    }
    await skipTo(addDuration(yearEnd(YEARS), 'P30D'));
    await send('closingReport.submit', actors.pi, { summary: longest('結案報告') });
    await send('closingReport.return', actors.office, { reason: longest('結案退回') });
    await send('closingReport.submit', actors.pi, { summary: longest('結案修正報告') });
    await send('closingReport.accept', actors.office, { comments: longest('結案意見') });
    const result = await projects.handle(id).result();
    expect(result.lifecycle).toBe('closed');
    expect(result.context.acceptedReports).toEqual(Array.from({ length: YEARS - 1 }, (_, i) => i + 1));
    expect(result.context.application.members).toHaveLength(bounds.list);
    expect(result.context.application.coreTechnology).toBe(largestApplication.coreTechnology);

    const runs = await fetchRunChain(env.client, id);
    expect(runs).toHaveLength(YEARS + 1);
    const codecs = env.client.options.loadedDataConverter.payloadCodecs;
    const rows = await Promise.all(
      runs.map(async ({ history }, run) => {
        const payloads = payloadsOf(history.events);
        const largest = Math.max(...payloads.map((p) => temporal.api.common.v1.Payload.encode(p).finish().length));
        // What the run started from, as the workflow sees it: without documents by reference, Temporal would hold this.
        let input = [...(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads! as Payload[])];
        for (const codec of [...codecs].reverse()) input = await codec.decode(input);
        return {
          run,
          events: history.events!.length,
          historyBytes: temporal.api.history.v1.History.encode(history).finish().length,
          largestPayloadBytes: largest,
          startInputAsJsonBytes: input[0]!.data!.length,
        };
      }),
    );
    console.log(
      `A project of ${YEARS} years, every text and list at its bound, one return per report:\n${rows
        .map(
          (r) =>
            `run ${String(r.run).padStart(2)}: ${String(r.events).padStart(4)} events, history ${(r.historyBytes / 1024).toFixed(0).padStart(5)} KiB, largest payload ${(r.largestPayloadBytes / 1024).toFixed(1).padStart(5)} KiB, start input ${(r.startInputAsJsonBytes / 1e6).toFixed(2)} MB of JSON`,
        )
        .join('\n')}`,
    );
    const last = rows.at(-1)!;
    // Without documents by reference the last run's input alone would pass the 2 MB limit; with them every payload stays small.
    expect(last.startInputAsJsonBytes).toBeGreaterThan(PAYLOAD_LIMIT);
    for (const row of rows) {
      expect(row.largestPayloadBytes).toBeLessThan(PAYLOAD_LIMIT / 16);
      expect(row.historyBytes).toBeLessThan(HISTORY_WARNING / 10);
    }
  });
}, 600_000);
