// The workflow interceptors of a worker that traces (OTEL_EXPORTER_OTLP_ENDPOINT set): new runs are traced.
import { tracingInterceptors } from './tracing-interceptors';

export const interceptors = () => tracingInterceptors(true);
