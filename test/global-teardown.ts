import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { IdentityProvider } from '../worker/identity-provider';
import type { PostgresServer } from './helpers/postgres';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__temporalServers as TestWorkflowEnvironment[] | undefined;
  const provider = (globalThis as Record<string, unknown>).__identityProvider as IdentityProvider | undefined;
  await Promise.all([...(servers ?? []).map((server) => server.teardown()), provider?.stop()]);
  ((globalThis as Record<string, unknown>).__postgres as PostgresServer | undefined)?.stop();
}
