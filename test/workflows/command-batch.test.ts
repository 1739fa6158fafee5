import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { createProjectCommandActivities, type ProjectCommand } from '../../activities/project-commands';
import type { BulkOutcome } from '../../domain/bulk';
import { loopbackTransport } from '../../activities/notices/mail-sink';
import { openSqliteNoticeLog } from '../../activities/stores';
import { alliance105 } from '../../domain/calls';
import { AllianceError } from '../../domain/errors';
import { projectNoticesQuery } from '../../messages/project';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { recordHistories } from '../helpers/histories';
import { bundleServiceWorkflows, compressedCall, settledHistoryLength, withServiceWorker } from '../helpers/project-harness';
import { recipientsOf, startRecordingSmtp, waitForMail } from '../helpers/smtp';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const reviewer = (n: number) => ({ reviewerId: `rev-${n}`, name: `Reviewer ${n}`, email: `rev${n}@itri.org.tw` });
const endorsement = { rosterId: 'NTU-R1', letterReference: 'NTU-L1' };

describe("a batch of commands for one project (a call's bulk operations)", () => {
  it('is applied in order in one step, its ledger entries and notices in one activity; with a command the project refuses, it leaves no trace', async () => {
    const smtp = await startRecordingSmtp();
    const log = await openSqliteNoticeLog(path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-batch-')), 'notices.sqlite'));
    const transport = loopbackTransport(smtp.port);
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
      uniqueName('batch'),
    );
    try {
      await withServiceWorker(
        env,
        bundle,
        uniqueName('batch'),
        async (projects, ledger) => {
          const id = await projects.create(call, anApplication());
          await projects.send(id, 'application.submit', actors.pi, {});
          await projects.send(id, 'endorsement.record', actors.institution, endorsement);
          const before = await settledHistoryLength(projects, id);

          // The second review.start is legal only before the first: the validator judges each against the state the ones before it leave.
          const refused = projects.sendBatch(id, [
            { type: 'review.start', actor: actors.office, payload: {} },
            { type: 'reviewer.assign', actor: actors.office, payload: reviewer(1) },
            { type: 'review.start', actor: actors.office, payload: {} },
          ]);
          await expect(refused).rejects.toBeInstanceOf(AllianceError);
          await expect(refused).rejects.toMatchObject({
            code: 'ILLEGAL_TRANSITION',
            message: expect.stringMatching(/^project\.commands was refused: command 3 of 3 \(review\.start\)/),
          });
          // Empty or too long: refused before it is sent.
          await expect(projects.sendBatch(id, [])).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('1 to 50 commands') });
          expect(await settledHistoryLength(projects, id)).toBe(before);
          expect((await projects.view(id)).context.reviewers).toEqual([]);

          const result = await projects.sendBatch(id, [
            { type: 'review.start', actor: actors.office, payload: {} },
            ...[1, 2, 3].map((n) => ({ type: 'reviewer.assign' as const, actor: actors.office, payload: reviewer(n) })),
          ]);
          expect(result.lifecycle).toBe((await projects.view(id)).lifecycle);
          expect((await projects.view(id)).context.reviewers).toEqual(['rev-1', 'rev-2', 'rev-3']);
          expect((await projects.transitionLog(id)).map((e) => [e.seq, e.event])).toEqual([
            [1, 'application.submit'],
            [2, 'endorsement.record'],
            [3, 'review.start'],
            [4, 'reviewer.assign'],
            [5, 'reviewer.assign'],
            [6, 'reviewer.assign'],
          ]);
          await settledHistoryLength(projects, id);
          expect((await ledger.entries()).filter((e) => e.workflowId === id).map((e) => [e.entrySeq, e.event])).toEqual([
            [1, 'application.submit'],
            [2, 'endorsement.record'],
            [3, 'review.start'],
            [4, 'reviewer.assign'],
            [5, 'reviewer.assign'],
            [6, 'reviewer.assign'],
          ]);

          // One update, one activity for the four transitions, at most one search-attribute upsert.
          const events = (await projects.handle(id).fetchHistory()).events!;
          const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'project.commands');
          const afterBatch = events.slice(accepted);
          const activities = afterBatch.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
          expect(activities).toEqual(['recordTransitionsWithNotices']);
          expect(afterBatch.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length).toBeLessThanOrEqual(1);

          // Each reviewer told once, by the project itself.
          await waitForMail(smtp, (all) =>
            ['rev1@itri.org.tw', 'rev2@itri.org.tw', 'rev3@itri.org.tw'].every((to) => all.some((m) => recipientsOf(m).includes(to))),
          );
          const notices = await projects.handle(id).query(projectNoticesQuery);
          expect(notices.filter((n) => n.kind === 'reviewAssigned').map((n) => n.status)).toEqual(['delivered', 'delivered', 'delivered']);
          expect(smtp.accepted.filter((m) => recipientsOf(m).some((to) => to.startsWith('rev')))).toHaveLength(3);
          await settledHistoryLength(projects, id);
          await recordHistories(env.client, id, 'project-command-batch');
        },
        undefined,
        { transport, from: 'alliance-office@most.gov.tw', log },
      );
    } finally {
      transport.close();
      await Promise.all([smtp.stop(), log.close()]);
    }
  });
});

describe("a batch of commands in a call's bulk operations", () => {
  it('in a bulk operation, goes one command at a time when the project refuses one, so each is applied or skipped on its own', async () => {
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
      uniqueName('bulk-batch'),
    );
    await withServiceWorker(env, bundle, uniqueName('bulk-batch'), async (projects) => {
      const [fresh, started] = await Promise.all(
        [1, 2].map(async (n) => {
          const id = await projects.create(call, anApplication({ id: `TE2-000${n}` }));
          await projects.send(id, 'application.submit', actors.pi, {});
          await projects.send(id, 'endorsement.record', actors.institution, endorsement);
          return id;
        }),
      );
      // One project's review has started already: its batch is refused, then its assignment goes alone.
      await projects.send(started!, 'review.start', actors.office, {});
      const commands: ProjectCommand[] = [fresh!, started!].flatMap((projectId) => [
        { projectId, type: 'review.start' as const, actor: actors.office, payload: {} },
        { projectId, type: 'reviewer.assign' as const, actor: actors.office, payload: reviewer(1) },
      ]);
      const { applyProjectCommands } = createProjectCommandActivities({ projects });
      const outcome: BulkOutcome = await new MockActivityEnvironment().run(applyProjectCommands, commands);
      expect(outcome).toMatchObject({ total: 4, applied: 3, unreachable: [] });
      expect(outcome.skipped).toEqual([
        {
          projectId: started,
          type: 'review.start',
          command: 2,
          code: 'ILLEGAL_TRANSITION',
          reason: expect.stringMatching(/^review\.start is not possible while the project is in review/),
        },
      ]);
      for (const id of [fresh!, started!]) expect((await projects.view(id)).context.reviewers).toEqual(['rev-1']);
    });
  });
});
