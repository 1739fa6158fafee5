// /readyz says whether the API can serve: 503 naming Temporal while its server is stopped, 200
// once it is back on the same address; /livez answers throughout (the process is fine).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedServer, type EmbeddedServer } from '../../worker/embedded-server';
import { temporalBinary } from '../../worker/temporal-binaries';
import { call, startApi, type RunningApi } from '../helpers/api';
import { freePort } from '../helpers/environments';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-readiness-'));
const serverAt = (port: number): Promise<EmbeddedServer> =>
  startEmbeddedServer({ cliPath: temporalBinary('temporal'), dataDir, namespace: 'default', port, uiPort: null, retentionDays: 1 });

/** /readyz, asked until it answers `status` (a reconnection takes the client a few seconds), at most 60 s. */
async function readyzUntil(api: RunningApi, status: number): Promise<{ status: number; body: unknown }> {
  const until = Date.now() + 60_000;
  for (;;) {
    const answer = await call(api, 'GET', '/readyz');
    if (answer.status === status || Date.now() > until) return { status: answer.status, body: answer.body };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

it('answers /readyz 503 while Temporal is stopped and 200 once it is back', async () => {
  const port = await freePort();
  let server = await serverAt(port);
  const connection = await Connection.connect({ address: server.address });
  const api = await startApi({ client: new Client({ connection }) } as TestWorkflowEnvironment, 'readiness');
  try {
    expect(await readyzUntil(api, 200)).toEqual({ status: 200, body: { status: 'ready', checks: { temporal: 'ok' } } });
    await server.stop();
    const down = await readyzUntil(api, 503);
    expect(down).toEqual({ status: 503, body: { status: 'not ready', checks: { temporal: expect.stringMatching(/^down: /) } } });
    expect((await call(api, 'GET', '/livez')).status).toBe(200);
    server = await serverAt(port);
    expect(await readyzUntil(api, 200)).toEqual({ status: 200, body: { status: 'ready', checks: { temporal: 'ok' } } });
  } finally {
    await api.close();
    await connection.close();
    await server.stop();
  }
}, 120_000);
