import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import ExcelJS from 'exceljs';
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { alliance105 } from '../../domain/calls';
import type { Problem } from '../../domain/api';
import type { Reviewer } from '../../domain/reviewers';
import { anApplication } from '../fixtures/applications';
import { call, ensureClient, identityProvider, tokenFor, withApi as withApiOf, type RunningApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall, settledHistoryLength } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

const ncku = { id: 'NCKU', name: '國立成功大學', type: 'universityOrCollege' as const, researchOfficeEmail: 'rd@ncku.edu.tw' };
const reviewer = (id: string, institutionId: string): Reviewer => ({
  id,
  name: id,
  email: `${id}@reviewers.example.tw`,
  institutionId,
  divisions: ['TE2'],
  conflicts: { applicationIds: [], institutionIds: [] },
});

/** A call open for months, two applications registered through the door by their own PIs. */
async function openCallWithApplications(api: RunningApi) {
  const office = await tokenFor('kao');
  const callFile = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('api-call'));
  const pool = [reviewer('rev-te2-01', 'NTHU'), reviewer('rev-te2-02', 'NCHU'), reviewer('rev-te2-03', 'NTU')];
  expect((await call(api, 'POST', '/api/calls', office, { call: callFile, reviewerPool: pool })).status).toBe(201);
  const lin = anApplication({ id: 'TE2-0001' });
  const chen = anApplication({ id: 'TE2-0002', institution: ncku, pi: { ...anApplication().pi, id: 'pi-chen', name: '陳美玲', institutionId: 'NCKU' } });
  expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, await tokenFor('pi-lin'), { application: lin })).status).toBe(201);
  expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, await tokenFor('pi-chen'), { application: chen })).status).toBe(201);
  return { callId: callFile.id, lin: `${callFile.id}/TE2-0001`, chen: `${callFile.id}/TE2-0002` };
}

const withApi = <T>(body: Parameters<typeof withApiOf<T>>[2]) => withApiOf(env, bundle, body);

/** Tokens of seeded accounts, by username. */
async function tokensOf<const N extends string>(...usernames: N[]): Promise<Record<N, string>> {
  return Object.fromEntries(await Promise.all(usernames.map(async (u) => [u, await tokenFor(u)]))) as Record<N, string>;
}

const workflowId = (path: string): string => `project:${path.replace('/', ':')}`;

describe('the door: who you are comes from the identity provider', () => {
  it('refuses no token, a malformed one, an expired one, one signed by another key and one for another audience with 401, changing nothing', async () => {
    await withApi(async (api, projects) => {
      const { lin } = await openCallWithApplications(api);
      const before = await settledHistoryLength(projects, workflowId(lin));

      await ensureClient('alliance-short-lived', { 'access.token.lifespan': '1' }, ['basic', 'alliance']);
      const expired = await tokenFor('pi-lin', 'alliance-short-lived');
      await ensureClient('another-service');
      const otherAudience = await tokenFor('pi-lin', 'another-service');
      const genuine = await tokenFor('pi-lin');
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT({ alliance_role: 'office', alliance_id: 'office-kao' })
        .setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(genuine).kid! })
        .setIssuer(identityProvider().issuer)
        .setAudience('alliance-api')
        .setSubject('forger')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      await new Promise((resolve) => setTimeout(resolve, 7_000)); // past the 1 s lifespan and the 5 s clock tolerance

      const cases: [string | undefined, RegExp][] = [
        [undefined, /needs a log-in/],
        ['not-a-jwt', /not "Bearer <JWT access token>"/],
        [expired, /expired/],
        [forged, /not signed by the identity provider/],
        [otherAudience, /"aud" claim/],
      ];
      for (const [token, message] of cases) {
        const headers: Record<string, string> = token === 'not-a-jwt' ? { authorization: 'Bearer not-a-jwt' } : {};
        for (const [method, path, body] of [
          ['POST', `/api/projects/${lin}/application.submit`, {}],
          ['GET', `/api/projects/${lin}`, undefined],
        ] as const) {
          const answer = await call<Problem>(api, method, path, token === 'not-a-jwt' ? undefined : token, body, headers);
          expect({ token: token?.slice(0, 12), status: answer.status, code: answer.body.code }).toEqual({
            token: token?.slice(0, 12),
            status: 401,
            code: 'UNAUTHENTICATED',
          });
          expect(answer.contentType).toMatch(/application\/problem\+json/);
          expect(answer.body.detail).toMatch(message);
        }
      }
      expect(await settledHistoryLength(projects, workflowId(lin))).toBe(before);
      // The genuine token of the same person works.
      expect((await call(api, 'POST', `/api/projects/${lin}/application.submit`, genuine, {})).status).toBe(200);
    });
  });
});

/** The call's spreadsheets through the API: the office's, read back by exceljs; a PI's is refused. */
async function sheetsThroughTheApi(api: RunningApi, callId: string, office: string, piLin: string): Promise<void> {
  const sheet = await fetch(`${api.url}/api/calls/${callId}/sheets/decisions.xlsx`, {
    headers: { authorization: `Bearer ${office}`, 'accept-language': 'zh-TW' },
  });
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(await sheet.arrayBuffer()) as unknown as ExcelJS.Buffer);
  const rows = workbook.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][];
  expect([sheet.status, rows[0]![1], rows.some((r) => r.includes('TE2-0001'))]).toEqual([200, '申請案編號', true]);
  const csv = await fetch(`${api.url}/api/calls/${callId}/sheets/ranking.csv`, { headers: { authorization: `Bearer ${office}` } });
  const text = Buffer.from(await csv.arrayBuffer());
  expect([csv.status, text.subarray(0, 3).toString('hex'), /^"?Division"?,"?Rank/.test(text.toString('utf8', 3))]).toEqual([200, 'efbbbf', true]);
  expect((await call<Problem>(api, 'GET', `/api/calls/${callId}/sheets/ranking.csv`, piLin)).status).toBe(403);
}

describe('ownership through the API: only the rightful owner acts', () => {
  it("refuses another PI's, another institution's, an unassigned reviewer's and an auditor's commands, history unchanged; the owners succeed", async () => {
    await withApi(async (api, projects, ledger) => {
      const { lin, chen } = await openCallWithApplications(api);
      const t = await tokensOf('kao', 'pi-lin', 'pi-chen', 'ntu-rd', 'ncku-rd', 'rev-te2-01', 'rev-te2-02', 'wu');
      const [office, piLin, piChen, ntu, ncku, rev1, rev2, auditor] = [
        t.kao,
        t['pi-lin'],
        t['pi-chen'],
        t['ntu-rd'],
        t['ncku-rd'],
        t['rev-te2-01'],
        t['rev-te2-02'],
        t.wu,
      ];
      const send = (token: string, project: string, type: string, body: object = {}) =>
        call<Problem>(api, 'POST', `/api/projects/${project}/${type}`, token, body);
      const refusedWithoutTrace = async (project: string, attempts: [string, string, object?][], code: string) => {
        const before = await settledHistoryLength(projects, workflowId(project));
        for (const [token, type, body] of attempts) {
          const answer = await send(token, project, type, body);
          expect({ type, status: answer.status, code: answer.body.code }).toEqual({ type, status: 403, code });
        }
        expect(await settledHistoryLength(projects, workflowId(project))).toBe(before);
      };

      // Drafts: pi-chen may not touch pi-lin's application, in any way.
      await refusedWithoutTrace(
        lin,
        [
          [piChen, 'application.submit'],
          [piChen, 'application.withdraw', { reason: '不是我的' }],
          [piChen, 'application.update', { application: anApplication({ id: 'TE2-0001', title: '被竄改的標題' }) }],
        ],
        'FORBIDDEN',
      );
      expect((await send(piLin, lin, 'application.submit')).status).toBe(200);
      expect((await send(piChen, chen, 'application.submit')).status).toBe(200);

      // Endorsement: NCKU may not endorse NTU's applicant.
      await refusedWithoutTrace(lin, [[ncku, 'endorsement.record', { rosterId: 'R', letterReference: '成大研字第1號' }]], 'FORBIDDEN');
      expect((await send(ntu, lin, 'endorsement.record', { rosterId: 'NTU-01', letterReference: '臺大研字第1050012345號' })).status).toBe(200);

      // Review: only the assigned reviewer records.
      expect((await send(office, lin, 'review.start')).status).toBe(200);
      // By hand too, a reviewer comes from the call's pool with the pool's institution and conflicts, whatever the request says.
      await refusedWithoutTrace(lin, [[office, 'reviewer.assign', { reviewerId: 'rev-te2-03', institutionId: 'NTHU' }]], 'FORBIDDEN');
      const stranger = await send(office, lin, 'reviewer.assign', { reviewerId: 'rev-te9-99' });
      expect([stranger.status, stranger.body.code]).toEqual([400, 'VALIDATION']);
      expect((await send(office, lin, 'reviewer.assign', { reviewerId: 'rev-te2-01' })).status).toBe(200);
      await refusedWithoutTrace(lin, [[rev2, 'review.record', { score: 99, recommendation: 'fund', comments: '未受指派' }]], 'FORBIDDEN');
      await refusedWithoutTrace(
        lin,
        [
          [auditor, 'review.record', { score: 99, recommendation: 'fund', comments: 'x' }],
          [auditor, 'decision.announce'],
          [piLin, 'decision.announce'],
        ],
        'ROLE_NOT_ALLOWED',
      );
      // The same refusal in the caller's language: Accept-Language zh-TW says it in Chinese, the code as it is.
      const said = await call<Problem>(api, 'POST', `/api/projects/${lin}/decision.announce`, piLin, {}, { 'accept-language': 'zh-TW,zh;q=0.9,en;q=0.5' });
      expect([said.status, said.body.code, said.body.title, said.body.detail]).toEqual([
        403,
        'ROLE_NOT_ALLOWED',
        '您的角色不可執行此操作',
        '公告決議僅限計畫辦公室執行；計畫主持人 pi-lin 不可執行。',
      ]);
      const english = await call<Problem>(api, 'POST', `/api/projects/${lin}/decision.announce`, piLin, {}, { 'accept-language': 'en-GB,zh-TW;q=0.5' });
      expect(english.body.detail).toMatch(/^decision\.announce may be sent only by office, not by pi pi-lin/);
      expect((await send(rev1, lin, 'review.record', { score: 86, recommendation: 'fund', comments: '產業鏈完整' })).status).toBe(200);

      for (const [type, body] of [
        ['presentation.invite', {}],
        ['presentation.schedule', { slot: new Date().toISOString(), venue: 'TE2 簡報室' }],
        ['presentation.record', { panelScore: 88, comments: '簡報清楚' }],
        ['decision.record', { outcome: 'approved', amountsNtd: [2_000_000, 2_000_000, 1_800_000] }],
        ['decision.announce', {}],
        ['contract.issue', { contractNumber: 'MOST 106-2622-E-002-001' }],
      ] as const) {
        expect({ type, status: (await send(office, lin, type, body)).status }).toEqual({ type, status: 200 });
      }
      // Contract, consent, tranche: the other institution and the other PI are refused.
      await refusedWithoutTrace(
        lin,
        [
          [ncku, 'contract.sign'],
          [piChen, 'consent.sign'],
        ],
        'FORBIDDEN',
      );
      expect((await send(ntu, lin, 'contract.sign')).status).toBe(200);
      expect((await send(piLin, lin, 'consent.sign')).status).toBe(200);
      await refusedWithoutTrace(
        lin,
        [
          [ncku, 'tranche.request', { amountNtd: 1_000_000 }],
          [piChen, 'progressReport.submit', { summary: '不是我的報告' }],
        ],
        'FORBIDDEN',
      );
      expect((await send(ntu, lin, 'tranche.request', { amountNtd: 1_000_000 })).status).toBe(200);
      expect((await send(piLin, lin, 'progressReport.submit', { summary: '第一年度進度報告' })).status).toBe(200);

      await sheetsThroughTheApi(api, lin.split('/')[0]!, office, piLin);

      // The ledger names who authenticated: issuer and subject beside role and id.
      await settledHistoryLength(projects, workflowId(lin));
      const entries = await ledger.entries({ workflowId: workflowId(lin) });
      const consent = entries.find((e) => e.event === 'consent.sign')!;
      expect(consent.actor).toMatchObject({
        role: 'pi',
        id: 'pi-lin',
        via: { issuer: identityProvider().issuer, subject: expect.stringMatching(/^[0-9a-f-]{36}$/), session: expect.any(String) },
      });
    });
  });
});

describe('ownership through the API: who may register and open', () => {
  it('lets only the PI an application names register it, and only the office open a call', async () => {
    await withApi(async (api) => {
      const { callId, lin } = await openCallWithApplications(api);
      const stolen = anApplication({ id: 'TE2-0009' });
      const answer = await call<Problem>(api, 'POST', `/api/calls/${callId}/applications`, await tokenFor('pi-chen'), { application: stolen });
      expect([answer.status, answer.body.code]).toEqual([403, 'FORBIDDEN']);
      // A phase 2 is judged on the record of the phase-1 project it names, not on what it declares (law v2).
      const income = { memberFeesNtd: 3_000_000, technologyTransferNtd: 0, technicalServicesNtd: 0, industryAcademiaProjectsNtd: 0 };
      for (const [phase1ProjectId, message] of [
        [workflowId(lin), /has not reached its final project year/],
        ['project:alliance-102:TE2-0404', /is not a project of yours at NTU/],
      ] as const) {
        const phase2 = anApplication({ id: 'TE2-0010', phase: { phase: 2, phase1ProjectId, phase1Year3GrantNtd: 2_000_000, year3Income: income } });
        const refused = await call<Problem>(api, 'POST', `/api/calls/${callId}/applications`, await tokenFor('pi-lin'), { application: phase2 });
        expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
        expect(refused.body.detail).toMatch(message);
      }
      expect((await call<{ projects: unknown[] }>(api, 'GET', `/api/calls/${callId}`, await tokenFor('kao'))).body.projects).toHaveLength(2);
      const open = await call<Problem>(api, 'POST', '/api/calls', await tokenFor('wu'), { call: alliance105, reviewerPool: [] });
      expect([open.status, open.body.code]).toEqual([403, 'ROLE_NOT_ALLOWED']);
    });
  });
});

describe('blind review through the API', () => {
  it('shows a PI no reviewer id, score or comment before the announcement, and a reviewer no other review before their own (raw JSON)', async () => {
    await withApi(async (api) => {
      const { lin, callId } = await openCallWithApplications(api);
      const t = await tokensOf('kao', 'pi-lin', 'ntu-rd', 'rev-te2-01', 'rev-te2-02', 'pi-chen', 'ncku-rd');
      const [office, piLin, ntu, rev1, rev2, piChen, ncku] = [t.kao, t['pi-lin'], t['ntu-rd'], t['rev-te2-01'], t['rev-te2-02'], t['pi-chen'], t['ncku-rd']];
      const send = (token: string, type: string, body: object = {}) => call(api, 'POST', `/api/projects/${lin}/${type}`, token, body);
      for (const [token, type, body] of [
        [piLin, 'application.submit', {}],
        [ntu, 'endorsement.record', { rosterId: 'R', letterReference: 'L' }],
        [office, 'review.start', {}],
        [office, 'reviewer.assign', { reviewerId: 'rev-te2-01' }],
        [office, 'reviewer.assign', { reviewerId: 'rev-te2-02' }],
      ] as const) {
        expect((await send(token, type, body)).status).toBe(200);
      }
      expect((await send(rev1, 'review.record', { score: 91, recommendation: 'fund', comments: '委員一的秘密意見' })).status).toBe(200);

      const raw = async (token: string, path = '') => JSON.stringify((await call(api, 'GET', `/api/projects/${lin}${path}`, token)).body);
      // rev-te2-02 has not recorded yet: nothing of rev-te2-01's review.
      const rev2Sees = await raw(rev2);
      expect(rev2Sees).not.toContain('委員一的秘密意見');
      expect(rev2Sees).not.toContain('rev-te2-01');
      expect(await raw(rev1)).toContain('委員一的秘密意見');
      expect((await send(rev2, 'review.record', { score: 70, recommendation: 'fundWithChanges', comments: '委員二的意見' })).status).toBe(200);
      expect(await raw(rev2)).toContain('委員一的秘密意見');

      for (const [type, body] of [
        ['presentation.invite', {}],
        ['presentation.schedule', { slot: new Date().toISOString(), venue: 'TE2 簡報室' }],
        ['presentation.record', { panelScore: 84, comments: '委員會簡報意見' }],
        ['decision.record', { outcome: 'approved', amountsNtd: [2_000_000, 2_000_000, 1_800_000] }],
      ] as const) {
        expect((await send(office, type, body)).status).toBe(200);
      }
      for (const token of [piLin, ntu]) {
        const seen = [await raw(token), await raw(token, '/log'), JSON.stringify((await call(api, 'GET', `/api/calls/${callId}`, token)).body)].join('\n');
        for (const secret of ['rev-te2-01', 'rev-te2-02', '委員一的秘密意見', '委員二的意見', '委員會簡報意見', '"score"', '"panelScore"', 'amountsNtd'])
          expect(seen).not.toContain(secret);
      }
      // Strangers read nothing of it.
      for (const token of [piChen, ncku]) expect((await call<Problem>(api, 'GET', `/api/projects/${lin}`, token)).body.code).toBe('NOT_FOUND');
      // The office and auditors read everything.
      expect(await raw(office)).toContain('委員一的秘密意見');
      expect(await raw(await tokenFor('wu'))).toContain('rev-te2-02');

      expect((await send(office, 'decision.announce')).status).toBe(200);
      const after = await raw(piLin);
      expect(after).toContain('委員一的秘密意見');
      expect(after).toContain('"amountsNtd"');
      expect(after).not.toMatch(/rev-te2-0[12]/);
      // My work: the reviewer's assignment, the PI's project.
      const me = await call<{ projects: { applicationId: string; assignedToMe: boolean }[] }>(api, 'GET', '/api/me', rev1);
      expect(me.status).toBe(200);
      const mine = me.body.projects.filter((p) => lin.endsWith(p.applicationId));
      // Assigned by hand, through the call like its own draws: the call lists it in the reviewer's work.
      expect(mine).toEqual([expect.objectContaining({ applicationId: 'TE2-0001', assignedToMe: true })]);
      const lins = (await call<{ projects: { applicationId: string }[] }>(api, 'GET', '/api/me', piLin)).body.projects.map((p) => p.applicationId);
      expect(lins).toContain('TE2-0001');
      expect(lins).not.toContain('TE2-0002');
    });
  });
});

describe('bad input', () => {
  it('answers 4xx problem details, never a 5xx, and changes nothing', async () => {
    await withApi(async (api, projects) => {
      const { lin } = await openCallWithApplications(api);
      const piLin = await tokenFor('pi-lin');
      const before = await settledHistoryLength(projects, workflowId(lin));
      const cases: [string, string, unknown, number, Record<string, string>?][] = [
        ['POST', `/api/projects/${lin}/application.withdraw`, {}, 400],
        ['POST', `/api/projects/${lin}/application.withdraw`, '{"reason": ', 400],
        ['POST', `/api/projects/${lin}/application.withdraw`, { reason: 'x'.repeat(2 * 1024 * 1024) }, 413],
        ['POST', `/api/projects/${lin}/application.withdraw`, 'reason=x', 415, { 'content-type': 'application/x-www-form-urlencoded' }],
        ['POST', `/api/projects/${lin}/tranche.steal`, {}, 404],
        ['GET', `/api/projects/no-such-call/TE2-0001`, undefined, 404],
        ['GET', `/api/projects/bad id!/x`, undefined, 400],
        ['POST', `/api/projects/${lin}/deadline.application`, { deadline: new Date().toISOString() }, 404],
      ];
      for (const [method, path, body, status, headers] of cases) {
        const answer = await call<Problem>(api, method, path, piLin, body, headers);
        expect({ path: path.slice(-30), status: answer.status }).toEqual({ path: path.slice(-30), status });
        expect(answer.body).toMatchObject({ status, code: expect.any(String), detail: expect.any(String) });
      }
      expect(await settledHistoryLength(projects, workflowId(lin))).toBe(before);
    });
  });
});
