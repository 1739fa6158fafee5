// What the worker's activities count, through the Temporal SDK's meter: it reaches the worker's
// Prometheus exporter (WORKER_METRICS_ADDRESS) beside the SDK's own worker metrics.
import { Context } from '@temporalio/activity';
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';

/** The running activity's meter; outside an activity (a test calling the function) nothing is counted. */
function meter(): MetricMeter {
  try {
    return Context.current().metricMeter;
  } catch {
    return noopMetricMeter;
  }
}

/** One ledger append (a transition and those it carries), in milliseconds, by its outcome. */
export function recordLedgerAppend(milliseconds: number, outcome: string): void {
  meter()
    .createHistogram('alliance_ledger_append', 'float', 'ms', 'One transition appended to the audit ledger (with those it carries), by outcome')
    .record(milliseconds, { outcome });
}

/** One notice to one recipient: sent, already sent (a retry), uncertain (relay lost after the data), refused, or failed (retried). */
export function countNoticeDelivery(outcome: 'sent' | 'alreadySent' | 'uncertain' | 'refused' | 'failed'): void {
  meter().createCounter('alliance_notice_deliveries', '1', 'Notices handed to the mail relay, one per recipient, by outcome').add(1, { outcome });
}
