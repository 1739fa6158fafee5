import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';

function requiredAddress(variable: string): string {
  const address = process.env[variable];
  if (!address) throw new Error(`${variable} is unset: run the tests through jest (test/global-setup.ts starts the servers)`);
  return address;
}

/** The run's shared dev server (test/global-setup.ts). */
export function connectDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: requiredAddress('TEST_DEV_SERVER_ADDRESS') });
}

type CreateOptions = {
  server: { type: 'existing' };
  namespace: string;
  supportsTimeSkipping: boolean;
  address: string;
};

/**
 * The run's shared time-skipping server. The SDK offers time skipping only to the environment that
 * started the server, so this reaches its (private) factory with `supportsTimeSkipping` set; the
 * server itself is the same official binary.
 */
export function connectTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const factory = TestWorkflowEnvironment as unknown as {
    create(options: CreateOptions): Promise<TestWorkflowEnvironment>;
  };
  return factory.create({
    server: { type: 'existing' },
    namespace: 'default',
    supportsTimeSkipping: true,
    address: requiredAddress('TEST_TIME_SKIPPING_ADDRESS'),
  });
}

/** A task queue (or id prefix) no other test file uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
