import { TestWorkflowEnvironment } from '@temporalio/testing';
import { allSearchAttributeKeys } from '../domain/search-attributes';
import { registerSearchAttributes } from '../worker/namespace';
import { temporalBinary } from '../worker/temporal-binaries';

/**
 * One dev server and one time-skipping server for the whole run, both the official binaries from
 * the project's virtualenv. Test files reach them through the addresses set here.
 */
export default async function globalSetup(): Promise<void> {
  const [devServer, timeSkipping] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalBinary('temporal') },
        ip: '127.0.0.1',
        searchAttributes: allSearchAttributeKeys,
        log: { format: 'pretty', level: 'warn' },
      },
    }),
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalBinary('temporal-test-server') } },
    }),
  ]);
  await registerSearchAttributes(timeSkipping.connection, 'default');
  process.env.TEST_DEV_SERVER_ADDRESS = devServer.address;
  process.env.TEST_TIME_SKIPPING_ADDRESS = timeSkipping.address;
  (globalThis as Record<string, unknown>).__temporalServers = [devServer, timeSkipping];
}
