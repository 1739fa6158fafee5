/**
 * OpenTelemetry's workflow interceptors (worker/tracing.ts), always in the workflow bundle and on
 * only in runs that began with them. Tracing delays by a few microtasks when an update's completion
 * or an activity's result reaches the workflow, which can change the order of its commands: a history
 * recorded with the interceptors replays only with them, one recorded without only without
 * (test/workflows/tracing.test.ts saw it). So a run asks `patched()` once, when its workflow function
 * starts, and keeps the answer: runs begun before this code stay untraced for their life, new ones are
 * traced, and whether spans are exported is the deployment's switch (an OTLP endpoint), never the
 * workflow code's. Anything before the workflow function starts (an update sent with the start) is
 * untraced, in the run and in its replay alike.
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { patched, type WorkflowInboundCallsInterceptor, type WorkflowInterceptors, type WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';

export const TRACING_PATCH = 'tracing-v1';

export const interceptors = (): WorkflowInterceptors => {
  const inner = { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor() };
  let traced = false;
  const inbound: WorkflowInboundCallsInterceptor = {
    execute: (input, next) => {
      traced = patched(TRACING_PATCH);
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
