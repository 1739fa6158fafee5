// What the API counts for Prometheus (GET /metrics): request durations by route and status, the
// commands people send by operation and outcome, how the calls' status reads were answered, and the
// process's own (memory, CPU, event loop).
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  commands: Counter<'operation' | 'outcome'>;
}

/**
 * A registry of its own per API (never prom-client's global one): two APIs in one process count apart.
 * `statusReads` are the call client's counts, read when Prometheus scrapes.
 */
export function createApiMetrics(statusReads: () => Readonly<{ kept: number; queried: number }>): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'alliance_api_' });
  new Counter({
    name: 'alliance_api_call_status_reads_total',
    help: "Reads of a call's status, by answer: 'kept' (the call had not moved since the last read) or 'queried' (through the worker)",
    labelNames: ['answer'],
    registers: [registry],
    collect() {
      const { kept, queried } = statusReads();
      this.reset();
      this.inc({ answer: 'kept' }, kept);
      this.inc({ answer: 'queried' }, queried);
    },
  });
  return {
    registry,
    requestSeconds: new Histogram({
      name: 'alliance_api_request_duration_seconds',
      help: 'HTTP requests by method, route (as declared, ids not filled in) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    commands: new Counter({
      name: 'alliance_api_commands_total',
      help: "Commands sent through the API (every POST of /api), by operation and outcome: 'accepted' or the problem's code",
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
  };
}

/** Every answered request counted once it is sent; a route nobody declared counts as 'unmatched', never by its raw path. */
export function countRequests(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    metrics.requestSeconds.observe({ method: request.method, route, status }, reply.elapsedTime / 1000);
    if (request.method === 'POST' && route.startsWith('/api/')) {
      const operation = request.routeOptions.schema?.operationId ?? route;
      metrics.commands.inc({ operation, outcome: reply.statusCode < 400 ? 'accepted' : (request.problemCode ?? status) });
    }
  });
}
