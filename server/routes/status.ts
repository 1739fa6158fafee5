import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ServiceStatus } from '../../domain/api';

export interface StatusSources {
  client: Client;
  namespace: string;
  taskQueue: string;
  issuer: string;
  version: string;
}

/**
 * `/status`: which service this is and whether what it stands on answers — Temporal (version,
 * namespace), the workers polling its task queue, the identity provider. Public: it names no one,
 * and says that something is down, never why (Temporal's error text goes to the log).
 */
export const statusRoutes =
  (sources: StatusSources): FastifyPluginCallback =>
  (plain, _options, done) => {
    plain.withTypeProvider<ZodTypeProvider>().get(
      '/status',
      {
        schema: {
          operationId: 'getStatus',
          summary: 'Which service this is, and the health of Temporal, the workers and the identity provider',
          tags: ['status'],
          response: { 200: ServiceStatus },
        },
      },
      async (request) => {
        const deadline = Date.now() + 5_000;
        const temporalStatus = await sources.client
          .withDeadline(deadline, async () => {
            const info = await sources.client.workflowService.getSystemInfo({});
            const queue = await sources.client.workflowService.describeTaskQueue({
              namespace: sources.namespace,
              taskQueue: { name: sources.taskQueue },
              taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            });
            return { reachable: true, serverVersion: info.serverVersion ?? null, workerPollers: queue.pollers?.length ?? 0 };
          })
          .catch((error: unknown) => {
            // Temporal's own words stay in the log: this answer is public, and says only that it is down.
            request.log.warn({ error: (error as Error).message }, 'Temporal did not answer /status');
            return { reachable: false, serverVersion: null, workerPollers: 0 };
          });
        const identityReachable = await fetch(`${sources.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
          signal: AbortSignal.timeout(3_000),
        }).then(
          (r) => r.ok,
          () => false,
        );
        return {
          service: 'alliance-orchestrator',
          version: sources.version,
          temporal: { namespace: sources.namespace, taskQueue: sources.taskQueue, ...temporalStatus },
          identityProvider: { issuer: sources.issuer, reachable: identityReachable },
        };
      },
    );
    done();
  };
