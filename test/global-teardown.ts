import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { IdentityProvider } from '../worker/identity-provider';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__temporalServers as TestWorkflowEnvironment[] | undefined;
  const provider = (globalThis as Record<string, unknown>).__identityProvider as IdentityProvider | undefined;
  await Promise.all([...(servers ?? []).map((server) => server.teardown()), provider?.stop()]);
}
