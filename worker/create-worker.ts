import { getHeapStatistics } from 'node:v8';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ClusterConnectionOptions } from '../gateway/connection-options';
import type { Tracing } from '../gateway/tracing';

export interface ServiceWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** The service's payload encryption (serviceDataConverter); the same as its clients'. */
  dataConverter?: DataConverter;
  /** Tests bundle the workflow code once per file and pass it here. */
  workflowBundle?: { code: string };
  /** OpenTelemetry tracing (worker/tracing.ts), when configured. */
  tracing?: Tracing | undefined;
  /** Workflows kept in memory between their tasks (default: `cachedWorkflowsFor` this process's heap). */
  maxCachedWorkflows?: number | undefined;
}

export const workflowsPath = require.resolve('../workflows');

/**
 * The workflows' tracing interceptors (workflows/tracing-interceptors.ts), in every worker's code: a
 * worker that traces starts new runs traced, one that does not starts them untraced, and either
 * replays a run as it began.
 */
export const tracingWorkflowModule = (on: boolean): string => require.resolve(on ? '../workflows/tracing-on' : '../workflows/tracing-off');

/**
 * How many workflows a worker keeps in memory between their tasks, for a heap of `heapMiB`. A
 * project's workflow holds about 3 MiB there (`make bench`: test/bench/workflow-memory.test.ts
 * measured 2.8–2.9 MiB each), far more than the 1.7 MiB the SDK's default assumes, which let a
 * worker with 4 GiB of heap keep 2,300 and run out of memory at about 2,000 live projects
 * (`make bench-scale`, 2026-12-07). Four MiB a workflow, half a GiB kept for the rest; a workflow
 * not kept is replayed from its history at its next task, which costs time, not correctness — and
 * much time when the workflows busy at once outnumber the cache (a review over 1,000 applications
 * keeps about 1,500 busy): the environment file gives the worker the heap for them (NODE_OPTIONS,
 * docs/operations.md "Sizing the worker").
 */
export const cachedWorkflowsFor = (heapMiB: number): number => Math.max(50, Math.floor((heapMiB - 512) / 4));

/** Where the workflows' spans go when tracing is off (and in a replay): nowhere. */
export const untracedSinks: WorkerOptions['sinks'] = { exporter: { export: { fn: () => undefined } } };

/** The one way a worker of this service is built, by `make start` and by the tests alike. */
export async function createServiceWorker(options: ServiceWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    // The workflows' tracing interceptors, on for new runs when this worker traces (a prebuilt bundle carries its own).
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    interceptors: {
      ...(options.workflowBundle ? {} : { workflowModules: [tracingWorkflowModule(options.tracing !== undefined)] }),
      ...(options.tracing ? { activity: options.tracing.workerOptions.activity } : {}),
    },
    sinks: options.tracing?.workerOptions.sinks ?? untracedSinks,
    maxCachedWorkflows: options.maxCachedWorkflows ?? cachedWorkflowsFor(getHeapStatistics().heap_size_limit / 2 ** 20),
    activities: options.activities,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
}

export function connectWorker(options: ClusterConnectionOptions): Promise<NativeConnection> {
  return NativeConnection.connect(options);
}
