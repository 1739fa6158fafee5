import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { readKeyRing, textSealer, type TextSealer } from '../../activities/crypto/key-ring';
import { serviceDataConverter } from '../../gateway/payload-codec';
import { DiskDocumentStore } from '../../activities/documents/document-store';
import { registerSearchAttributes } from '../../worker/namespace';
import { temporalBinary } from '../../worker/temporal-binaries';

function requiredAddress(variable: string): string {
  const address = process.env[variable];
  if (!address) throw new Error(`${variable} is unset: run the tests through jest (test/global-setup.ts starts the servers)`);
  return address;
}

/** The tests' payload keys (test-only keys, committed so recorded histories stay readable). */
export const testPayloadKeysFile = path.resolve(__dirname, '../fixtures/payload-keys.json');

/**
 * The tests' document store: one directory for every test process and the worker processes they
 * start (ALLIANCE_DOCUMENTS_DIR), as a cluster shares one. Content-addressed and sealed under the
 * tests' keys, so runs may share it.
 */
export const testDocumentsDir = path.join(tmpdir(), 'alliance-test-documents');

/** The service's data converter under the tests' keys: every test client and worker encrypts (and keeps documents by reference) as production does. */
export function testDataConverter(file = testPayloadKeysFile): DataConverter {
  const ring = readKeyRing(file);
  return serviceDataConverter(ring, new DiskDocumentStore(testDocumentsDir, ring));
}

/** The tests' document store itself, as the worker's activities are given it (retention shreds a project's part). */
export function testDocumentStore(): DiskDocumentStore {
  return new DiskDocumentStore(testDocumentsDir, readKeyRing(testPayloadKeysFile));
}

/** How the service seals the ledger's payloads, under the tests' keys: for readers of a ledger a worker process wrote. */
export function testSealer(): TextSealer {
  return textSealer(readKeyRing(testPayloadKeysFile));
}

/** The run's shared dev server (test/global-setup.ts). */
export function connectDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({
    address: requiredAddress('TEST_DEV_SERVER_ADDRESS'),
    client: { dataConverter: testDataConverter() },
  });
}

/**
 * A time-skipping test server of the file's own (the official binary from the virtualenv). The
 * server's clock and its time-skipping lock are one for all its clients, so sharing one server
 * between files let one file's leftovers stop another file's clock; a server per file costs
 * about a second and isolates them. Teardown stops it.
 */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinary('temporal-test-server') } },
    client: { dataConverter: testDataConverter() },
  });
  await registerSearchAttributes(env.connection, 'default');
  return env;
}

/** A task queue (or id prefix) no other test file uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
