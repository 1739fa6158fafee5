import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers in tests say only what matters: warnings and errors.
Runtime.install({ logger: new DefaultLogger('WARN') });
