/**
 * Optional OpenTelemetry tracing through the Temporal SDK's interceptors: a command's span at the
 * client (the API's start or update), the workflow's spans (run, update handler, each activity it
 * schedules) and the activity's own run, joined into one trace by the context the interceptors carry
 * in Temporal's headers. Off unless an OTLP endpoint is configured (the standard
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); then spans go there over
 * OTLP/HTTP in batches. Headers carry no payload: spans name workflows, updates and activities, never
 * what a person sent.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';

export interface Tracing {
  /** For a client of the service's workflows (the API's, the activities'): its starts and updates carry the trace. */
  clientInterceptors: { workflow: WorkflowClientInterceptor[] };
  /** Added to a worker's options: the activity interceptors and the sink the workflows' spans are exported through. */
  workerOptions: { activity: NonNullable<NonNullable<WorkerOptions['interceptors']>['activity']>; sinks: NonNullable<WorkerOptions['sinks']> };
  /** Sends the spans still held and stops. */
  shutdown(): Promise<void>;
}

/** The endpoints that turn tracing on (the OpenTelemetry specification's names), as the environment gives them. */
export interface TracingSettings {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
}

/**
 * Tracing into `processor` (tests pass an in-memory one). Registers the process's tracer provider,
 * with the async-hooks context manager and the W3C trace-context propagator the interceptors inject
 * through: one per process.
 */
export function startTracing(serviceName: string, processor: SpanProcessor): Tracing {
  const resource = new Resource({ 'service.name': serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  const tracer = provider.getTracer('alliance');
  return {
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] },
    workerOptions: {
      activity: [
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
      ],
      sinks: { exporter: makeWorkflowExporter(processor, resource) },
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Tracing as the environment asks: over OTLP/HTTP when an endpoint is set, otherwise none. */
export function tracingFromEnvironment(settings: TracingSettings, defaultServiceName: string): Tracing | undefined {
  const base = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  // As the specification reads them: the traces endpoint as given, or the base endpoint's /v1/traces.
  const url = settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base && `${base.replace(/\/+$/, '')}/v1/traces`);
  if (!url) return undefined;
  // Headers, timeout and batching come from the standard variables (OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_*), read by the SDK.
  return startTracing(settings.OTEL_SERVICE_NAME ?? defaultServiceName, new BatchSpanProcessor(new OTLPTraceExporter({ url })));
}
