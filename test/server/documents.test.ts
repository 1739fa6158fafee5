// Documents through the API: a PI attaches the proposal (its bytes sealed in the project's part of
// the store, its SHA-256 in the ledger with the command), a reviewer of the application reads the
// same bytes, anyone else learns nothing; wrong role, wrong format, too large: refused, nothing kept.
import { createHash } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../../domain/calls';
import type { Problem } from '../../domain/api';
import { aReviewer as reviewer } from '../fixtures/reviewers';
import { ApiClient } from '../../client/api-client';
import { anApplication } from '../fixtures/applications';
import { docxBytes, pdfBytes } from '../fixtures/documents';
import { SESSION_COOKIE } from '../../server/session';
import { person } from '../fixtures/people';
import { call, sessionFor, tokenFor, withApi, type ApiWithSessions, type RunningApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall, settledHistoryLength } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** Uploads `bytes` as `kind` of the project at `path` (`<call>/<application>`). */
async function upload(api: RunningApi, token: string, path: string, kind: string, bytes: Buffer, name = `${kind}.pdf`) {
  const response = await fetch(`${api.url}/api/projects/${path}/documents/${kind}?name=${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as Problem & { seq?: number } };
}

/** A multipart upload to the project page whose form ends in the middle of its file (no closing boundary): its answer's status. */
async function cutOffUpload(api: ApiWithSessions, path: string): Promise<number> {
  const cookie = `${SESSION_COOKIE}=${await sessionFor(api, person('pi', 'pi-lin'))}`;
  const boundary = 'cut-off-boundary';
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nproposal\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 and then nothing more`;
  const response = await fetch(`${api.url}/web/projects/${path}/documents`, {
    method: 'POST',
    headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
  return response.status;
}

async function download(api: RunningApi, token: string, path: string, digest: string) {
  const response = await fetch(`${api.url}/api/projects/${path}/documents/${digest}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

it('keeps a proposal for those whose view shows it, its SHA-256 in the ledger; refuses the wrong role, format and size, keeping nothing', async () => {
  await withApi(env, bundle, async (api, projects, ledger) => {
    const [office, lin, chen, ntu, rev1, rev2] = (await Promise.all(
      ['kao', 'pi-lin', 'pi-chen', 'ntu-rd', 'rev-te2-01', 'rev-te2-02'].map((u) => tokenFor(u)),
    )) as [string, string, string, string, string, string];
    const callFile = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('documents'));
    const pool = [reviewer('rev-te2-01', 'NTHU'), reviewer('rev-te2-02', 'NCHU')];
    expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: pool })).status).toBe(201);
    expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application: anApplication({ id: 'TE2-0001' }) })).status).toBe(201);
    const path = `${callFile.id}/TE2-0001`;
    const workflowId = `project:${callFile.id}:TE2-0001`;
    const proposal = pdfBytes('計畫書 TE2-0001', 300_000);
    const digest = `sha256:${createHash('sha256').update(proposal).digest('hex')}`;

    // Refused before anything is kept: another PI, the institution for a PI's kind, a DOCX letter, a file over its kind's limit.
    const before = await settledHistoryLength(projects, workflowId);
    expect((await upload(api, chen, path, 'proposal', proposal)).body.code).toBe('NOT_FOUND');
    expect((await upload(api, ntu, path, 'proposal', proposal)).body.code).toBe('ROLE_NOT_ALLOWED');
    const letter = await upload(api, ntu, path, 'institutionLetter', docxBytes(), 'letter.docx');
    expect([letter.status, letter.body.code, letter.body.detail]).toEqual([415, 'UNSUPPORTED_FORMAT', expect.stringContaining('taken as PDF')]);
    const huge = await upload(api, lin, path, 'proposal', Buffer.concat([pdfBytes(), Buffer.alloc(21 * 1024 * 1024)]));
    expect([huge.status, huge.body.code]).toEqual([413, 'TOO_LARGE']);
    const renamed = await upload(api, lin, path, 'proposal', Buffer.from('MZ an executable named proposal.pdf'));
    expect([renamed.status, renamed.body.code]).toEqual([415, 'UNSUPPORTED_FORMAT']);
    const badName = await upload(api, lin, path, 'proposal', proposal, '../../etc/passwd');
    expect([badName.status, badName.body.code]).toEqual([400, 'VALIDATION']);
    // Whatever the Content-Type says, the bytes decide (and no JSON parser reads them first).
    const json = await fetch(`${api.url}/api/projects/${path}/documents/proposal?name=p.pdf`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${lin}`, 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect([json.status, ((await json.json()) as Problem).code]).toEqual([415, 'UNSUPPORTED_FORMAT']);
    // A page's upload cut off mid-file: refused, and the process lives on.
    expect(await cutOffUpload(api as ApiWithSessions, path)).toBe(400);
    expect((await fetch(`${api.url}/livez`)).status).toBe(200);
    expect(await settledHistoryLength(projects, workflowId)).toBe(before);

    // The PI attaches it: the project records it, the ledger keeps the command with its SHA-256.
    const attached = await upload(api, lin, path, 'proposal', proposal, '計畫書-TE2-0001.pdf');
    expect(attached.status).toBe(200);
    const view = await call<{ context: { documents: { digest: string; name: string; bytes: number; format: string }[] } }>(
      api,
      'GET',
      `/api/projects/${path}`,
      lin,
    );
    expect(view.body.context.documents).toEqual([expect.objectContaining({ digest, name: '計畫書-TE2-0001.pdf', bytes: proposal.length, format: 'pdf' })]);
    const entry = (await ledger.entries({ workflowId })).find((e) => e.event === 'document.attach')!;
    expect(entry.actor).toMatchObject({ role: 'pi', id: 'pi-lin' });
    expect((await ledger.payloads([entry.payloadDigest])).get(entry.payloadDigest)).toContain(digest);

    // The PI reads it back; a reviewer not assigned, another PI: 404, as if there were nothing.
    const own = await download(api, lin, path, digest);
    expect([own.status, own.headers.get('content-type'), own.bytes.equals(proposal)]).toEqual([200, 'application/pdf', true]);
    expect(own.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('計畫書-TE2-0001.pdf')}`);
    expect((await download(api, rev1, path, digest)).status).toBe(404);
    expect((await download(api, chen, path, digest)).status).toBe(404);

    // Submitted, endorsed, in review: the assigned reviewer reads the same bytes; the proposal can no longer be replaced.
    for (const [token, type, body] of [
      [lin, 'application.submit', {}],
      [ntu, 'endorsement.record', { rosterId: 'NTU-01', letterReference: '臺大研字第1050012345號' }],
      [office, 'review.start', {}],
      [office, 'reviewer.assign', { reviewerId: 'rev-te2-01' }],
    ] as const) {
      expect((await call(api, 'POST', `/api/projects/${path}/${type}`, token, body)).status).toBe(200);
    }
    const read = await download(api, rev1, path, digest);
    expect([read.status, read.bytes.equals(proposal)]).toEqual([200, true]);
    expect((await download(api, rev2, path, digest)).status).toBe(404);
    expect((await download(api, office, path, digest)).status).toBe(200);
    const late = await upload(api, lin, path, 'proposal', pdfBytes('a later version'));
    expect([late.status, late.body.code, late.body.detail]).toEqual([409, 'ILLEGAL_TRANSITION', expect.stringContaining('while the application is a draft')]);

    // The typed client (the command line's `alliance document`) reads the same bytes and meets the same refusal.
    const client = new ApiClient(api.url, () => Promise.resolve(rev1));
    expect(Buffer.from(await client.projects.document(workflowId, digest)).equals(proposal)).toBe(true);
    const piClient = new ApiClient(api.url, () => Promise.resolve(lin));
    await expect(piClient.projects.attach(workflowId, 'proposal', pdfBytes('again'), 'again.pdf')).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    await expect(new ApiClient(api.url, () => Promise.resolve(chen)).projects.document(workflowId, digest)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
