import { TestWorkflowEnvironment } from '@temporalio/testing';
import { allSearchAttributeKeys } from '../domain/search-attributes';
import { startIdentityProvider } from '../worker/identity-provider';
import { temporalBinary } from '../worker/temporal-binaries';
import { setRetention } from '../worker/namespace';
import { freePort } from './helpers/environments';
import { startPostgres } from './helpers/postgres';

/**
 * One dev server, one PostgreSQL server and one identity provider (Keycloak, realm from identity/) for the whole run, the official binary from the project's virtualenv; test files
 * reach it through the address set here. Time-skipping files start their own test server
 * (test/helpers/environments.ts `startTimeSkippingServer`).
 */
export default async function globalSetup(): Promise<void> {
  // The identity provider takes about half a minute to build and start: it starts beside the dev server.
  const identityProvider = freePort().then((port) => startIdentityProvider({ port, dataDir: null }));
  const postgres = await startPostgres();
  process.env.TEST_POSTGRES_URL = postgres.url();
  (globalThis as Record<string, unknown>).__postgres = postgres;
  const devServer = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinary('temporal') },
      ip: '127.0.0.1',
      searchAttributes: allSearchAttributeKeys,
      log: { format: 'pretty', level: 'warn' },
    },
  });
  process.env.TEST_DEV_SERVER_ADDRESS = devServer.address;
  // As `make start` sets it: workers that join this server check it against the retention policy.
  await setRetention(devServer.connection, 'default', 3650);
  (globalThis as Record<string, unknown>).__temporalServers = [devServer];
  const provider = await identityProvider;
  process.env.TEST_OIDC_ISSUER = provider.issuer;
  process.env.TEST_KEYCLOAK_URL = provider.url;
  process.env.TEST_KEYCLOAK_ADMIN = JSON.stringify(provider.admin);
  (globalThis as Record<string, unknown>).__identityProvider = provider;
}
