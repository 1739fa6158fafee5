// A round of written review tells each reviewer once: one mail from the call listing every
// application the round gave them, due by the round's deadline, and no invitation per assignment
// from the projects (workflows/call/round-mail.ts).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { loopbackTransport } from '../../activities/notices/mail-sink';
import { openSqliteNoticeLog } from '../../activities/stores';
import { alliance105 } from '../../domain/calls';
import { callWorkflowId } from '../../domain/ids';
import type { Reviewer } from '../../domain/reviewers';
import { CallClient } from '../../gateway/calls';
import { projectNoticesQuery } from '../../messages/project';
import pool from '../../examples/reviewers.json';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, withServiceWorker } from '../helpers/project-harness';
import { recipientsOf, startRecordingSmtp, waitForMail } from '../helpers/smtp';
import { untracedSinks } from '../../worker/create-worker';

jest.setTimeout(120_000);
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('sends each reviewer one mail for the round, listing their applications, and the projects send no invitation of their own', async () => {
  const smtp = await startRecordingSmtp();
  const log = await openSqliteNoticeLog(path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-round-')), 'notices.sqlite'));
  const transport = loopbackTransport(smtp.port);
  const callId = uniqueName('round-mail');
  const times = {
    applicationClosesIn: 8,
    endorsementIn: 10,
    firstYearStartsIn: 3600,
    yearLength: 'P1Y',
    progressReportDueBeforeYearEnd: 'P3M',
    closingReportGrace: 'P3M',
  };
  const call = compressedCall(alliance105, Date.now(), { ...times, writtenReviewPeriod: 'PT30M' }, callId);
  const taskQueue = uniqueName('round-mail');
  try {
    await withServiceWorker(
      env,
      bundle,
      taskQueue,
      async (projects) => {
        const calls = new CallClient(env.client, taskQueue);
        await calls.open(call, pool);
        const applications = [
          anApplication({ id: 'TE2-0001', title: '5G 邊緣運算產業聯盟' }),
          anApplication({ id: 'TE2-0002', title: '智慧醫材產業聯盟' }),
          anApplication({ id: 'TE1-0001', title: '半導體封裝技術聯盟', division: 'TE1' }),
        ];
        const ids = await Promise.all(applications.map((a) => calls.registerApplication(callId, actors.pi, a)));
        await Promise.all(ids.map((id) => projects.send(id, 'application.submit', actors.pi, {})));
        await calls.submitRoster(callId, actors.institution, {
          rosterId: 'NTU-R1',
          letterReference: '臺大研字第1050012345號',
          applicationIds: applications.map((a) => a.id),
        });
        while ((await calls.status(callId)).state !== 'endorsementsClosed') await sleep(250);

        await calls.startWrittenReview(callId, actors.office);
        const { assignments, rounds } = await calls.status(callId);
        const given = new Map<string, string[]>();
        for (const [applicationId, reviewerIds] of Object.entries(assignments))
          for (const reviewerId of reviewerIds) given.set(reviewerId, [...(given.get(reviewerId) ?? []), applicationId]);
        expect(given.size).toBeGreaterThan(1);
        const emailOf = (id: string) => (pool as Reviewer[]).find((r) => r.id === id)!.email;

        await waitForMail(smtp, (all) => [...given.keys()].every((id) => all.some((m) => recipientsOf(m).includes(emailOf(id)))));
        await sleep(500);
        for (const [reviewerId, applicationIds] of given) {
          const mails = smtp.accepted.filter((m) => recipientsOf(m).includes(emailOf(reviewerId)));
          expect(mails).toHaveLength(1);
          expect(mails[0]!.subject).toBe(`【${call.title}】書面審查邀請：共 ${applicationIds.length} 件`);
          for (const id of applicationIds) expect(mails[0]!.text).toContain(`${id}「${applications.find((a) => a.id === id)!.title}」`);
          // Nobody else's applications in it.
          for (const other of applications.filter((a) => !applicationIds.includes(a.id))) expect(mails[0]!.text).not.toContain(other.id);
        }
        expect(rounds[0]?.deadline).toBeDefined();
        // The projects took their reviewers and planned no invitation of their own.
        for (const id of ids) {
          expect((await projects.view(id)).context.reviewers.sort()).toEqual([...(assignments[id.split(':')[2]!] ?? [])].sort());
          expect((await projects.handle(id).query(projectNoticesQuery)).map((n) => n.kind)).not.toContain('reviewAssigned');
        }
        // The call's history replays: the round's mail is part of its law's record.
        const history = await env.client.workflow.getHandle(callWorkflowId(callId)).fetchHistory();
        await Worker.runReplayHistory(
          { workflowBundle: bundle, dataConverter: env.client.options.dataConverter, sinks: untracedSinks },
          history,
          callWorkflowId(callId),
        );
      },
      undefined,
      { transport, from: 'alliance-office@most.gov.tw', log },
    );
  } finally {
    transport.close();
    await Promise.all([smtp.stop(), log.close()]);
  }
});
