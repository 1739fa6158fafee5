import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
export async function connectTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const factory = TestWorkflowEnvironment as unknown as {
    create(options: CreateOptions): Promise<TestWorkflowEnvironment>;
  };
  const release = await takeTimeSkippingTurn();
  const env = await factory.create({
    server: { type: 'existing' },
    namespace: 'default',
    supportsTimeSkipping: true,
    address: requiredAddress('TEST_TIME_SKIPPING_ADDRESS'),
  });
  const teardown = env.teardown.bind(env);
  env.teardown = async () => {
    await teardown();
    release();
  };
  return env;
}

/**
 * The test server's clock is one for all: while one file skips a year, another file's timers
 * would fire. Files take turns, holding a lock directory between connect and teardown.
 */
async function takeTimeSkippingTurn(): Promise<() => void> {
  const lock = path.join(os.tmpdir(), `alliance-time-skipping-${requiredAddress('TEST_TIME_SKIPPING_ADDRESS').replace(/\W/g, '_')}.lock`);
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      if (waited > 600_000) throw new Error(`waited 10 minutes for ${lock}; remove it if no test run is going on`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A task queue (or id prefix) no other test file uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
