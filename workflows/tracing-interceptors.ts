/**
 * OpenTelemetry's workflow interceptors (gateway/tracing.ts), in every worker's workflow code and on
 * only in runs that began traced. Tracing delays by a few microtasks when an update's completion or
 * an activity's result reaches the workflow, which can change the order of its commands: a history
 * recorded with the interceptors replays only with them, one recorded without only without
 * (test/workflows/tracing.test.ts saw it). So a run decides once, when its workflow function
 * starts: a new run on a worker with tracing on asks `patched()` (which marks its history), a new
 * run on a worker with tracing off does not (its history has no marker, no trace headers), and a
 * run being replayed asks `patched()`, which answers whether it began traced — whatever the
 * replaying worker's own setting. Anything before the workflow function starts (an update sent
 * with the start) is untraced, in the run and in its replay alike. Whether a worker traces is baked
 * into its workflow code by which of the two modules below it bundles (tracing-on.ts, tracing-off.ts).
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import {
  patched,
  workflowInfo,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

export const TRACING_PATCH = 'tracing-v1';

/** The interceptors of a worker that traces new runs (`on`) or not; replayed runs as they began. */
export const tracingInterceptors = (on: boolean): WorkflowInterceptors => {
  const inner = { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor() };
  let traced = false;
  const inbound: WorkflowInboundCallsInterceptor = {
    execute: (input, next) => {
      traced = on || workflowInfo().unsafe.isReplaying ? patched(TRACING_PATCH) : false;
      return traced ? inner.inbound.execute(input, next) : next(input);
    },
    handleSignal: (input, next) => (traced ? inner.inbound.handleSignal(input, next) : next(input)),
    handleUpdate: (input, next) => (traced ? inner.inbound.handleUpdate(input, next) : next(input)),
    validateUpdate: (input, next) => (traced ? inner.inbound.validateUpdate(input, next) : next(input)),
    handleQuery: (input, next) => (traced ? inner.inbound.handleQuery(input, next) : next(input)),
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (traced ? inner.outbound.scheduleActivity(input, next) : next(input)),
    scheduleLocalActivity: (input, next) => (traced ? inner.outbound.scheduleLocalActivity(input, next) : next(input)),
    startChildWorkflowExecution: (input, next) => (traced ? inner.outbound.startChildWorkflowExecution(input, next) : next(input)),
    continueAsNew: (input, next) => (traced ? inner.outbound.continueAsNew(input, next) : next(input)),
    signalWorkflow: (input, next) => (traced ? inner.outbound.signalWorkflow(input, next) : next(input)),
    // Log lines name the active span's trace when there is one: no command, nothing to replay.
    getLogAttributes: (input, next) => inner.outbound.getLogAttributes(input, next),
  };
  return { inbound: [inbound], outbound: [outbound], internals: [new OpenTelemetryInternalsInterceptor()] };
};
