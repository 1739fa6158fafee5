/**
 * `make bench` (and a bounded run in `make test`): a document through the door — a proposal PDF
 * uploaded (read bounded, told by its bytes, SHA-256, sealed under the project's key, the command
 * to the project) and downloaded (the view asked, opened, checked against its digest) — beside
 * a plain command of the same project. Prints figures; asserts only that the bytes came back.
 *
 *   BENCH_DOCUMENT_MB=20 BENCH_DOCUMENT_ROUNDS=5 npx jest test/bench/documents
 */
import { createHash } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../../domain/calls';
import { anApplication } from '../fixtures/applications';
import { pdfBytes } from '../fixtures/documents';
import { call, tokenFor, withApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall } from '../helpers/project-harness';
import { elapsedMs, spread } from './bench-kit';

/** The document's size: the proposal's limit is 20 MiB. */
const MB = Number(process.env.BENCH_DOCUMENT_MB ?? 4);
const ROUNDS = Number(process.env.BENCH_DOCUMENT_ROUNDS ?? 2);

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

it(`uploads and downloads a ${MB} MB proposal ${ROUNDS} times, beside a command without a document`, async () => {
  await withApi(env, bundle, async (api) => {
    const [office, lin] = [await tokenFor('kao'), await tokenFor('pi-lin')];
    const callFile = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('bench-documents'));
    expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: [] })).status).toBe(201);
    expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application: anApplication({ id: 'TE2-0001' }) })).status).toBe(201);
    const path = `/api/projects/${callFile.id}/TE2-0001`;
    const auth = { authorization: `Bearer ${lin}` };
    const upload: number[] = [];
    const download: number[] = [];
    const command: number[] = [];
    const rssBefore = process.memoryUsage().rss;
    for (let round = 0; round < ROUNDS; round++) {
      // Each round a different document (the store keeps one copy of the same bytes).
      const bytes = pdfBytes(`計畫書 round ${round}`, Math.min(MB * 1_000_000, 20 * 1024 * 1024 - 1024));
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      let started = process.hrtime.bigint();
      const put = await fetch(`${api.url}${path}/documents/proposal?name=proposal-${round}.pdf`, { method: 'PUT', headers: auth, body: bytes });
      expect(put.status).toBe(200);
      upload.push(elapsedMs(started));
      started = process.hrtime.bigint();
      const got = await fetch(`${api.url}${path}/documents/${digest}`, { headers: auth });
      const back = Buffer.from(await got.arrayBuffer());
      download.push(elapsedMs(started));
      expect(back.equals(bytes)).toBe(true);
      started = process.hrtime.bigint();
      expect(
        (await call(api, 'POST', `${path}/application.update`, lin, { application: anApplication({ id: 'TE2-0001', title: `Round ${round}` }) })).status,
      ).toBe(200);
      command.push(elapsedMs(started));
    }
    const mib = (Math.min(MB * 1_000_000, 20 * 1024 * 1024 - 1024) / 1024 / 1024).toFixed(1);
    const rate = (ms: number[]) => ((Number(mib) * 1000) / [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!).toFixed(0);
    console.log(
      [
        `documents (${mib} MiB PDF, ${ROUNDS} rounds, API + worker in one process, store on disk), min/p50/max ms:`,
        `  upload   ${spread(upload)}  (${rate(upload)} MiB/s at p50: read bounded, sniffed, SHA-256, sealed, document.attach)`,
        `  download ${spread(download)}  (${rate(download)} MiB/s at p50: view asked, opened, digest checked)`,
        `  a command without a document (application.update) ${spread(command)}`,
        `  resident memory grew ${((process.memoryUsage().rss - rssBefore) / 1024 / 1024).toFixed(0)} MiB over the rounds`,
      ].join('\n'),
    );
  });
});
