import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import type { LedgerStore } from '../../activities/ledger/store';
import type { ProjectClient } from '../../activities/temporal/projects';
import { verifyChains } from '../../activities/ledger/verify';
import { alliance105 } from '../../domain/calls';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, testDataConverter, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, settledHistoryLength, temporaryLedger, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** The ledger, with the first append of transition `seq` held until `release()` (an activity stuck on a busy worker), or failing. */
function touchingFirstAppend(ledger: LedgerStore, seq: number, how: 'hold' | 'fail'): { ledger: LedgerStore; release: () => void; touched: () => boolean } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  let touched = false;
  const append: LedgerStore['append'] = async (entry, payload, options) => {
    if (entry.entrySeq === seq && !touched) {
      touched = true;
      if (how === 'fail') throw new Error('the database went away for a moment');
      await gate;
    }
    return ledger.append(entry, payload, options);
  };
  const wrapped = new Proxy(ledger, {
    get: (target, property) => {
      if (property === 'append') return append;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ledger: wrapped, release: () => release(), touched: () => touched };
}

const endorsement = { rosterId: 'NTU-R1', letterReference: 'NTU-L1' };
const aCall = (name: string) => compressedCall(alliance105, Date.now(), {
  applicationClosesIn: 600, endorsementIn: 700, firstYearStartsIn: 800, yearLength: 'P1Y', progressReportDueBeforeYearEnd: 'P3M', closingReportGrace: 'P3M',
}, uniqueName(name));
const scheduledActivities = (events: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null }[]): string[] =>
  events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
const localAppends = (events: { markerRecordedEventAttributes?: { markerName?: string | null } | null }[]): number =>
  events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;

describe("a project's ledger appends", () => {
  it('while the one before is still on its way: writes the earlier transition first itself, without waiting for its activity; that activity then finds it there and leaves the project record as it is', async () => {
    const { ledger } = await temporaryLedger();
    const holding = touchingFirstAppend(ledger, 1, 'hold');
    const call = compressedCall(alliance105, Date.now(), {
      applicationClosesIn: 600, endorsementIn: 700, firstYearStartsIn: 800, yearLength: 'P1Y', progressReportDueBeforeYearEnd: 'P3M', closingReportGrace: 'P3M',
    }, uniqueName('carry'));
    try {
      // Released before the worker shuts down, whatever the outcome: shutting down waits for the held activity.
      await withServiceWorker(env, bundle, uniqueName('carry'), (projects) => carryCheck(projects).finally(holding.release), holding.ledger);
    } finally {
      await ledger.close();
    }

    async function carryCheck(projects: ProjectClient): Promise<void> {
      const id = await projects.create(call, anApplication());
      await projects.send(id, 'application.submit', actors.pi, {});
      await projects.send(id, 'endorsement.record', actors.institution, endorsement);
      // The second append carries the first: both are in the ledger, in order, while the first's own activity is still held.
      const deadline = Date.now() + 5_000;
      const ofProject = async () => (await ledger.entries({ workflowId: id })).map((e) => [e.entrySeq, e.event]);
      while ((await ofProject()).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(holding.touched()).toBe(true);
      expect(await ofProject()).toEqual([[1, 'application.submit'], [2, 'endorsement.record']]);
      expect((await ledger.projects()).filter((p) => p.workflowId === id).map((p) => p.state)).toEqual(['endorsed']);

      holding.release();
      await settledHistoryLength(projects, id);
      expect(await ofProject()).toEqual([[1, 'application.submit'], [2, 'endorsement.record']]);
      expect(verifyChains(await ledger.entries(), 'ledger').broken).toBeNull();
      // The first's activity, finishing last, found its entry there and did not step the record back.
      expect((await ledger.projects()).filter((p) => p.workflowId === id).map((p) => p.state)).toEqual(['endorsed']);
      expect(await ledger.alerts()).toEqual([]);
      // No activity failed and was retried.
      const attempts = ((await projects.handle(id).fetchHistory()).events ?? []).flatMap((e) => e.activityTaskStartedEventAttributes?.attempt ?? []);
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts.every((a) => a === 1)).toBe(true);
    }
  });
  it('without notices: written by a local activity, one marker in history and no activity; should it fail, the local activity is tried again', async () => {
    for (const how of ['none', 'fail'] as const) {
      const { ledger } = await temporaryLedger();
      const failing = touchingFirstAppend(ledger, 3, 'fail');
      try {
        await withServiceWorker(env, bundle, uniqueName('local'), async (projects) => {
          const id = await projects.create(aCall('local'), anApplication());
          await projects.send(id, 'application.submit', actors.pi, {});
          await projects.send(id, 'endorsement.record', actors.institution, endorsement);
          await settledHistoryLength(projects, id);
          const settledAt = (await projects.handle(id).fetchHistory()).events!.length;
          // review.start has no notices.
          await projects.send(id, 'review.start', actors.office, {});
          await settledHistoryLength(projects, id);
          const after = (await projects.handle(id).fetchHistory()).events!.slice(settledAt);
          expect(localAppends(after)).toBe(1);
          expect(scheduledActivities(after)).toEqual([]);
          expect(failing.touched()).toBe(how === 'fail');
          expect((await ledger.entries({ workflowId: id })).map((e) => [e.entrySeq, e.event])).toEqual([[1, 'application.submit'], [2, 'endorsement.record'], [3, 'review.start']]);
          expect(verifyChains(await ledger.entries(), 'ledger').broken).toBeNull();
          expect((await ledger.projects()).filter((p) => p.workflowId === id).map((p) => p.state)).toEqual(['review']);
        }, how === 'fail' ? failing.ledger : ledger);
      } finally {
        await ledger.close();
      }
    }
  });
  it('held longer than a workflow task may stay open, while commands come: the task is cut in two, every append lands in order, and the history replays', async () => {
    const { ledger } = await temporaryLedger();
    // Transition 1 (a draft's update, no notices) held past 80 % of the ten-second workflow task, when the worker heartbeats the task.
    const holding = touchingFirstAppend(ledger, 1, 'hold');
    try {
      await withServiceWorker(env, bundle, uniqueName('held'), async (projects) => {
        const id = await projects.create(aCall('held'), anApplication());
        const first = projects.send(id, 'application.update', actors.pi, { application: anApplication() });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        // A second command without notices while the first append is held: its step is taken in the task after the cut.
        const second = projects.send(id, 'application.update', actors.pi, { application: anApplication() });
        await new Promise((resolve) => setTimeout(resolve, 9_000));
        holding.release();
        await Promise.all([first, second]);
        await projects.send(id, 'application.submit', actors.pi, {});
        await settledHistoryLength(projects, id);
        expect((await ledger.entries({ workflowId: id })).map((e) => [e.entrySeq, e.event])).toEqual([[1, 'application.update'], [2, 'application.update'], [3, 'application.submit']]);
        expect(verifyChains(await ledger.entries(), 'ledger').broken).toBeNull();
        const history = await projects.handle(id).fetchHistory();
        await Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: testDataConverter() }, history, id);
        expect(localAppends(history.events!)).toBe(2);
      }, holding.ledger);
    } finally {
      holding.release();
      await ledger.close();
    }
  }, 60_000);
});
