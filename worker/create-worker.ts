import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ClusterConnectionOptions } from '../gateway/connection-options';

export interface ServiceWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** The service's payload encryption (serviceDataConverter); the same as its clients'. */
  dataConverter?: DataConverter;
  /** Tests bundle the workflow code once per file and pass it here. */
  workflowBundle?: { code: string };
}

export const workflowsPath = require.resolve('../workflows');

/** The one way a worker of this service is built, by `make start` and by the tests alike. */
export async function createServiceWorker(options: ServiceWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: options.activities,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
}

export function connectWorker(options: ClusterConnectionOptions): Promise<NativeConnection> {
  return NativeConnection.connect(options);
}
