import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { Call, CallCalendar, Window } from '../../domain/call';
import { addDuration } from '../../domain/duration';
import { createServiceWorker, tracingWorkflowModule, workflowsPath } from '../../worker/create-worker';
import { failureConverterPath, payloadConverterPath } from '../../gateway/payload-codec';
import { testDocumentStore, testSealer } from './environments';
import { ProjectClient } from '../../gateway/projects';
import type { LedgerStore } from '../../activities/ledger/store';
import { mkdtempSync } from 'node:fs';
import type { MailDependencies } from '../../activities/notices';
import { loopbackTransport, startMailSink } from '../../activities/notices/mail-sink';
import { openSqliteLedger, openSqliteNoticeLog } from '../../activities/stores';
import os from 'node:os';
import path from 'node:path';

/** The bundler's own log, warnings and errors only. */
const quietBundler = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: console.warn, error: console.error };

/** The service's workflow code, bundled once per test file. */
/** The service's workflows as its worker bundles them: with the tracing interceptors, for a worker that traces new runs or (by default) not. */
export function bundleServiceWorkflows(options: { traced?: boolean } = {}): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath,
    failureConverterPath,
    payloadConverterPath,
    workflowInterceptorModules: [tracingWorkflowModule(options.traced === true)],
    logger: quietBundler,
  });
}

/** The benchmark's bare workflow (test/bench/bare-workflow.ts), bundled as quietly. */
export function bundleBareWorkflow(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../bench/bare-workflow'), logger: quietBundler });
}

/** A fresh audit ledger in a temporary directory, its payloads sealed under the tests' keys as the service seals them. */
export async function temporaryLedger(): Promise<{ ledger: LedgerStore; file: string }> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-ledger-')), 'ledger.sqlite');
  return { ledger: await openSqliteLedger(file, { sealer: testSealer() }), file };
}

/** A fresh loopback SMTP sink keeping .eml files, with its notice log, in a temporary directory. */
export async function temporaryMail(): Promise<{ mail: MailDependencies; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-mail-'));
  const sink = await startMailSink({ dir: path.join(dir, 'mail') });
  const log = await openSqliteNoticeLog(path.join(dir, 'notices.sqlite'));
  const transport = loopbackTransport(sink.port);
  return {
    mail: { transport, from: 'alliance-office@most.gov.tw', log },
    stop: async () => {
      transport.close();
      await sink.stop();
      await log.close();
    },
  };
}

/**
 * Runs `body` while a fresh worker of the service polls `taskQueue`, with its own ledger and mail
 * sink unless they are given.
 */
export async function withServiceWorker<T>(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundle,
  taskQueue: string,
  body: (projects: ProjectClient, ledger: LedgerStore) => Promise<T>,
  given?: LedgerStore,
  mail?: MailDependencies,
): Promise<T> {
  const projects = new ProjectClient(env.client, taskQueue);
  const ledger = given ?? (await temporaryLedger()).ledger;
  const ownMail = mail ? undefined : await temporaryMail();
  try {
    const activities = createActivities({ projects, client: env.client, ledger, documents: testDocumentStore(), mail: mail ?? ownMail!.mail });
    const worker = await createServiceWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities,
      workflowBundle: bundle,
      dataConverter: env.client.options.dataConverter,
    });
    return await worker.runUntil(body(projects, ledger));
  } finally {
    await ownMail?.stop();
  }
}

const shiftWindow = (w: Window, by: string): Window => ({ opens: addDuration(w.opens, by).toISOString(), closes: addDuration(w.closes, by).toISOString() });

/**
 * The same call, every date moved by whole years on the Taipei calendar. Test servers start their
 * clock at the machine's time and only move forward, so the 105 calendar is replayed in a future year.
 */
export function shiftCall(call: Call, years: number, id = `${call.id}-in-${call.rocYear + years}`): Call {
  const by = `P${years}Y`;
  const c = call.calendar;
  const calendar: CallCalendar = {
    applicationWindow: shiftWindow(c.applicationWindow, by),
    endorsementDeadline: addDuration(c.endorsementDeadline, by).toISOString(),
    interimReportDeadline: addDuration(c.interimReportDeadline, by).toISOString(),
    reviewPeriod: shiftWindow(c.reviewPeriod, by),
    firstProjectYearStarts: addDuration(c.firstProjectYearStarts, by).toISOString(),
    firstYearTrancheWindows: c.firstYearTrancheWindows.map((w) => shiftWindow(w, by)),
    siteVisitWindow: shiftWindow(c.siteVisitWindow, by),
    resultsExhibition: shiftWindow(c.resultsExhibition, by),
  };
  return { ...call, id, calendar };
}

export { compressedCall, type CompressedTimes } from '../../client/compressed-call';

/** Polls the project's state until `predicate` holds; fails after `timeoutMs` with the last state seen. */
export async function waitForProject(
  projects: ProjectClient,
  id: string,
  predicate: (view: Awaited<ReturnType<ProjectClient['view']>>) => boolean,
  timeoutMs = 30_000,
): Promise<Awaited<ReturnType<ProjectClient['view']>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await projects.view(id);
    if (predicate(view)) return view;
    if (Date.now() > deadline) throw new Error(`project ${id} is still ${view.states.join(', ')} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** The latest run's history length once nothing is in flight: no workflow task, no activity (ledger writes), no notice workflow, no continue-as-new. */
export async function settledHistoryLength(projects: ProjectClient, id: string): Promise<string> {
  let last = '';
  for (let attempt = 0; ; attempt++) {
    await projects.view(id);
    const description = await projects.handle(id).describe();
    if (attempt > 100) {
      const failure = description.raw.pendingActivities?.[0]?.lastFailure?.message;
      const children = (description.raw.pendingChildren ?? []).map((c) => c.workflowId).join(', ');
      throw new Error(
        `${id} did not settle: ${description.raw.pendingActivities?.length ?? 0} activities pending${failure ? ` (last failure: ${failure})` : ''}${children ? `; child workflows still running: ${children}` : ''}`,
      );
    }
    // Notice workflows report back to a running project when they finish, adding events.
    const childrenPending = description.status.name === 'RUNNING' && (description.raw.pendingChildren?.length ?? 0) > 0;
    const busy = (description.raw.pendingActivities?.length ?? 0) > 0 || childrenPending || Boolean(description.raw.pendingWorkflowTask);
    const now = `${description.runId}:${(await projects.handle(id).fetchHistory()).events!.length}`;
    if (!busy && now === last) return now;
    last = busy ? '' : now;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A compressed call's calendar whose deadlines lie an hour or more ahead: nothing fires while a test runs. */
export const hourLongCall = {
  applicationClosesIn: 3600,
  endorsementIn: 3700,
  firstYearStartsIn: 7200,
  yearLength: 'P1Y',
  progressReportDueBeforeYearEnd: 'P3M',
  closingReportGrace: 'P3M',
};
