import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { alliance105 } from '../../domain/calls';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, settledHistoryLength, temporaryLedger, withServiceWorker } from '../helpers/project-harness';

const EventType = temporal.api.enums.v1.EventType;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** The workflow task completion just before the update named `name` was accepted: resetting there undoes that update. */
async function resetPointBefore(id: string, name: string) {
  const handle = env.client.workflow.getHandle(id);
  const { runId } = await handle.describe();
  const events = (await handle.fetchHistory()).events ?? [];
  let lastCompleted: (typeof events)[number] | undefined;
  for (const event of events) {
    if (
      event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED &&
      event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name &&
      lastCompleted
    ) {
      return { runId, eventId: lastCompleted.eventId };
    }
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) lastCompleted = event;
  }
  throw new Error(`no update ${name} in ${id}`);
}

it('goes on after a Temporal reset to before its last transition: the second version of that transition is quarantined and the office alerted', async () => {
  const { ledger } = await temporaryLedger();
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
    uniqueName('reset'),
  );
  await withServiceWorker(
    env,
    bundle,
    uniqueName('reset'),
    async (projects) => {
      const id = await projects.create(call, anApplication());
      await projects.send(id, 'application.submit', actors.pi, {});
      await projects.send(id, 'endorsement.record', actors.institution, { rosterId: 'R1', letterReference: 'L1' });
      await settledHistoryLength(projects, id);
      expect((await ledger.entries({ workflowId: id })).map((e) => e.event)).toEqual(['application.submit', 'endorsement.record']);

      // The operator's standard remedy: reset the workflow to before the endorsement, reapplying nothing.
      const point = await resetPointBefore(id, 'endorsement.record');
      await env.client.workflowService.resetWorkflowExecution({
        namespace: env.namespace ?? 'default',
        workflowExecution: { workflowId: id, runId: point.runId },
        reason: 'test: undo the endorsement',
        workflowTaskFinishEventId: point.eventId,
        requestId: randomUUID(),
        resetReapplyType: temporal.api.enums.v1.ResetReapplyType.RESET_REAPPLY_TYPE_NONE,
      });
      await projects.send(id, 'endorsement.record', actors.institution, { rosterId: 'R2', letterReference: 'L2' });
      await projects.send(id, 'review.start', actors.office, {});
      await settledHistoryLength(projects, id);

      // The project went on; the ledger kept its first version of transition 2 and set the second aside.
      expect((await projects.view(id)).states.join(' ')).toMatch(/review/);
      const entries = await ledger.entries({ workflowId: id });
      expect(entries.map((e) => `${e.entrySeq} ${e.event}`)).toEqual(['1 application.submit', '2 endorsement.record', '3 review.start']);
      const quarantined = await ledger.quarantined(id);
      expect(quarantined.map((q) => `${q.entrySeq} ${q.entry.event} ${q.reason}`)).toEqual(['2 endorsement.record conflict']);
      const alerts = await ledger.alerts();
      expect(alerts.filter((a) => a.kind === 'ledgerQuarantine').map((a) => a.subject)).toEqual([
        `Ledger: transition 2 of ${id} (endorsement.record) set aside`,
      ]);
      await projects.handle(id).terminate('test finished');
    },
    ledger,
  );
  await ledger.close();
});
