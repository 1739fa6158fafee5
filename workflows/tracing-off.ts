// The workflow interceptors of a worker that does not trace: new runs are not, replayed ones as they began.
import { tracingInterceptors } from './tracing-interceptors';

export const interceptors = () => tracingInterceptors(false);
