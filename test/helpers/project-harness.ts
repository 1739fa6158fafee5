import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { Call, CallCalendar, Window } from '../../domain/call';
import { addDuration } from '../../domain/duration';
import { createServiceWorker, workflowsPath } from '../../worker/create-worker';
import { ProjectClient } from '../../client/projects';

/** The service's workflow code, bundled once per test file. */
export function bundleServiceWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: console.warn, error: console.error } });
}

/** Runs `body` while a fresh worker of the service polls `taskQueue`. */
export async function withServiceWorker<T>(env: TestWorkflowEnvironment, bundle: WorkflowBundle, taskQueue: string, body: (projects: ProjectClient) => Promise<T>): Promise<T> {
  const worker = await createServiceWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, activities: createActivities({}), workflowBundle: bundle });
  return worker.runUntil(body(new ProjectClient(env.client, taskQueue)));
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

export interface CompressedTimes {
  /** Seconds from now until each deadline. */
  applicationClosesIn: number;
  endorsementIn: number;
  firstYearStartsIn: number;
  /** The policy's durations, ISO-8601 in seconds. */
  yearLength: string;
  progressReportDueBeforeYearEnd: string;
  closingReportGrace: string;
}

/** The 105 call's policy with every duration compressed to seconds, dated from `nowMs`. */
export function compressedCall(base: Call, nowMs: number, t: CompressedTimes, id: string): Call {
  const at = (seconds: number) => new Date(nowMs + seconds * 1000).toISOString();
  const window = (from: number, to: number): Window => ({ opens: at(from), closes: at(to) });
  return {
    ...base,
    id,
    calendar: {
      applicationWindow: window(-1, t.applicationClosesIn),
      endorsementDeadline: at(t.endorsementIn),
      interimReportDeadline: at(t.endorsementIn + 1),
      reviewPeriod: window(t.endorsementIn, t.firstYearStartsIn),
      firstProjectYearStarts: at(t.firstYearStartsIn),
      firstYearTrancheWindows: [window(t.firstYearStartsIn, t.firstYearStartsIn + 2), window(t.firstYearStartsIn + 3, t.firstYearStartsIn + 5)],
      siteVisitWindow: window(t.firstYearStartsIn, t.firstYearStartsIn + 60),
      resultsExhibition: window(t.firstYearStartsIn + 60, t.firstYearStartsIn + 90),
    },
    policy: {
      ...base.policy,
      projectYearLength: t.yearLength,
      trancheWindows: [{ opensAfter: 'PT0S', closesAfter: 'PT2S' }, { opensAfter: 'PT3S', closesAfter: 'PT5S' }],
      progressReportDueBeforeYearEnd: t.progressReportDueBeforeYearEnd,
      closingReportGrace: t.closingReportGrace,
      reminders: { before: ['PT2S', 'PT1S'], after: ['PT1S', 'PT2S'] },
    },
  };
}

/** Polls the project's state until `predicate` holds; fails after `timeoutMs` with the last state seen. */
export async function waitForProject(projects: ProjectClient, id: string, predicate: (view: Awaited<ReturnType<ProjectClient['view']>>) => boolean, timeoutMs = 30_000): Promise<Awaited<ReturnType<ProjectClient['view']>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await projects.view(id);
    if (predicate(view)) return view;
    if (Date.now() > deadline) throw new Error(`project ${id} is still ${view.states.join(', ')} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
