import { TestWorkflowEnvironment } from '@temporalio/testing';
import { allSearchAttributeKeys } from '../domain/search-attributes';
import { temporalBinary } from '../worker/temporal-binaries';

/**
 * One dev server for the whole run, the official binary from the project's virtualenv; test files
 * reach it through the address set here. Time-skipping files start their own test server
 * (test/helpers/environments.ts `startTimeSkippingServer`).
 */
export default async function globalSetup(): Promise<void> {
  const devServer = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinary('temporal') },
      ip: '127.0.0.1',
      searchAttributes: allSearchAttributeKeys,
      log: { format: 'pretty', level: 'warn' },
    },
  });
  process.env.TEST_DEV_SERVER_ADDRESS = devServer.address;
  (globalThis as Record<string, unknown>).__temporalServers = [devServer];
}
