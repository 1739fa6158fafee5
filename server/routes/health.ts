import type { FastifyPluginCallback } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Liveness, Readiness } from '../../domain/api';
import type { ApiMetrics } from '../metrics';

/** One thing the API stands on: answers when it does, throws (or times out) when it does not. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** A check that has not answered in this long is down: a load balancer asks every few seconds. */
const CHECK_PATIENCE_MS = 3_000;

async function outcome(readiness: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_PATIENCE_MS / 1000} s`)), CHECK_PATIENCE_MS);
  });
  try {
    await Promise.race([readiness.check(), late]);
    return 'ok';
  } catch (error) {
    return `down: ${(error as Error).message.split('\n')[0]!.slice(0, 200)}`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What an orchestrator and a monitoring system ask: `/livez` (the process answers: restart it if
 * not), `/readyz` (Temporal and the stores answer: send it traffic only then; 503 otherwise, naming
 * what is down) and `/metrics` (Prometheus text format). Public: they name no one and carry no data.
 */
export const healthRoutes =
  (checks: readonly ReadinessCheck[], metrics: ApiMetrics): FastifyPluginCallback =>
  (plain, _options, done) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/livez',
      { schema: { operationId: 'getLiveness', summary: 'Whether the API process answers', tags: ['status'], response: { 200: Liveness } } },
      () => ({ status: 'alive' as const }),
    );
    app.get(
      '/readyz',
      {
        schema: {
          operationId: 'getReadiness',
          summary: 'Whether Temporal and the stores answer: 200 when they all do, 503 naming what is down',
          tags: ['status'],
          response: { 200: Readiness, 503: Readiness },
        },
      },
      async (_request, reply) => {
        const results = await Promise.all(checks.map(async (c) => [c.name, await outcome(c)] as const));
        const ready = results.every(([, result]) => result === 'ok');
        return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
      },
    );
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
    done();
  };
