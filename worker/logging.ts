import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';
import { maskPersonalData, maskEmails } from '../domain/personal-data';

/**
 * One JSON object per line for every event of the worker (the SDK's, the workflows' and
 * activities' own, and Temporal core's, forwarded), personal data masked; `trace` ties the lines
 * of one workflow run (or activity) together. Installed before any worker or connection exists,
 * with the Prometheus exporter when one is asked for.
 */
export function installServiceLogging(
  level: LogLevel,
  write: (line: string) => void = (line) => void process.stdout.write(line),
  /** Where the SDK serves its Prometheus metrics (worker, workflows, activities), host:port; none when absent. */
  metricsAddress?: string,
): void {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => write(`${serviceLogLine(entry)}\n`)),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } : {}),
    },
  });
}

export function serviceLogLine(entry: LogEntry): string {
  const meta = (maskPersonalData(entry.meta ?? {}) ?? {}) as Record<string, unknown>;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const trace = typeof meta.workflowId === 'string' ? [meta.workflowId, text(meta.runId), text(meta.activityId)].filter(Boolean).join('/') : undefined;
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  return JSON.stringify({ time, level: entry.level, message: maskEmails(entry.message), ...(trace ? { trace } : {}), ...meta });
}
