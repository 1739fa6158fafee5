import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import type { LedgerStore } from '../../activities/ledger/store';
import type { ProjectClient } from '../../gateway/projects';
import { verifyChains } from '../../activities/ledger/verify';
import { alliance105 } from '../../domain/calls';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, settledHistoryLength, temporaryLedger, withServiceWorker } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** The ledger, with the first append of any transition 1 held until `release()`: an activity stuck on a busy worker. */
function holdingFirstAppend(ledger: LedgerStore): { ledger: LedgerStore; release: () => void; held: () => boolean } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = false;
  const append: LedgerStore['append'] = async (entry, payload, options) => {
    if (entry.entrySeq === 1 && !held) {
      held = true;
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
  return { ledger: wrapped, release: () => release(), held: () => held };
}

describe("a transition's append while the one before it is still on its way", () => {
  it('writes the earlier transition first itself, without waiting for its activity; that activity then finds it there and leaves the project record as it is', async () => {
    const { ledger } = await temporaryLedger();
    const holding = holdingFirstAppend(ledger);
    const call = compressedCall(
      alliance105,
      Date.now(),
      {
        applicationClosesIn: 600,
        endorsementIn: 700,
        firstYearStartsIn: 800,
        yearLength: 'P1Y',
        progressReportDueBeforeYearEnd: 'P3M',
        closingReportGrace: 'P3M',
      },
      uniqueName('carry'),
    );
    try {
      // Released before the worker shuts down, whatever the outcome: shutting down waits for the held activity.
      await withServiceWorker(env, bundle, uniqueName('carry'), (projects) => carryCheck(projects).finally(holding.release), holding.ledger);
    } finally {
      await ledger.close();
    }

    async function carryCheck(projects: ProjectClient): Promise<void> {
      const id = await projects.create(call, anApplication());
      await projects.send(id, 'application.submit', actors.pi, {});
      await projects.send(id, 'endorsement.record', actors.institution, { rosterId: 'NTU-R1', letterReference: 'NTU-L1' });
      // The second append carries the first: both are in the ledger, in order, while the first's own activity is still held.
      const deadline = Date.now() + 5_000;
      const ofProject = async () => (await ledger.entries({ workflowId: id })).map((e) => [e.entrySeq, e.event]);
      while ((await ofProject()).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(holding.held()).toBe(true);
      expect(await ofProject()).toEqual([
        [1, 'application.submit'],
        [2, 'endorsement.record'],
      ]);
      expect((await ledger.projects()).filter((p) => p.workflowId === id).map((p) => p.state)).toEqual(['endorsed']);

      holding.release();
      await settledHistoryLength(projects, id);
      expect(await ofProject()).toEqual([
        [1, 'application.submit'],
        [2, 'endorsement.record'],
      ]);
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
});
