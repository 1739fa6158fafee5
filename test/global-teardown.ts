import type { TestWorkflowEnvironment } from '@temporalio/testing';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__temporalServers as TestWorkflowEnvironment[] | undefined;
  await Promise.all((servers ?? []).map((server) => server.teardown()));
}
