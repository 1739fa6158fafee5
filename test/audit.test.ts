import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateLogKey } from '../tlog/checkpoint';
import { localLogSigning } from '../activities/ledger/log-signing';
import { createCheckpointWriter } from '../activities/ledger/checkpoint-writer';
import type { LedgerStore } from '../activities/ledger/store';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { openSqliteLedger } from '../activities/stores';
import { openSqlite } from '../activities/sqlite-file';
import { verifyChains } from '../activities/ledger/verify';
import { canonicalJson, sha256 } from '../tlog/digest';
import { ProjectClient } from '../gateway/projects';
import { errorCodes } from '../domain/errors';
import { alliance105 } from '../domain/calls';
import { anApplication } from './fixtures/applications';
import { actors } from './fixtures/project-events';
import { person } from './fixtures/people';
import { startApi } from './helpers/api';
import { buildLedgerVerifier } from './helpers/ledger-verifier';
import { allianceAs } from './helpers/cli';
import { connectDevServer, freePort, testSealer, uniqueName } from './helpers/environments';
import { startWorkerProcess } from './helpers/worker-process';
import { bundleServiceWorkflows, compressedCall, settledHistoryLength, temporaryLedger, waitForProject, withServiceWorker } from './helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

/** The built `alliance` command, logged in as auditor wu, against an API: it has no ledger or data directory of its own. */
const alliance = (apiUrl: string, args: string[]) => allianceAs('wu', apiUrl, args);

/** A submitted project on to its first project year. */
async function toExecution(projects: ProjectClient, id: string, institution = actors.institution): Promise<void> {
  const send = projects.send.bind(projects, id);
  await send('endorsement.record', institution, { rosterId: 'R', letterReference: 'L' });
  await send('review.start', actors.office, {});
  await send('presentation.invite', actors.office, {});
  await send('presentation.schedule', actors.office, { slot: new Date().toISOString(), venue: 'Room 1' });
  await send('presentation.record', actors.office, { panelScore: 88, comments: 'Good' });
  await send('decision.record', actors.office, { outcome: 'approved', amountsNtd: [2_000_000, 2_000_000, 2_000_000] });
  await send('decision.announce', actors.office, {});
  await send('contract.issue', actors.office, { contractNumber: 'C-1' });
  await send('contract.sign', institution, {});
  await send('consent.sign', actors.pi, {});
}

/**
 * While the worker runs, verify also compares the ledger with each project's own log in Temporal; the
 * auditor keeps a checkpoint and later checks the ledger against it, with their own key only.
 */
async function verifyWhileRunning(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  ledger: LedgerStore,
  signing: ReturnType<typeof localLogSigning>,
  trusted: string,
  keyDir: string,
): Promise<void> {
  // While the worker runs, verify also compares the ledger with each project's own log in Temporal.
  const running = await startApi(env, taskQueue, ledger, { verifierKey: signing.verifierKey });
  const liveCli = (...args: string[]) => alliance(running.url, args);
  const verified = await liveCli('audit', 'verify', '--all');
  expect(verified.stderr).toBe('');
  expect(verified.stdout).toMatch(/^verified \d+ ledger entries \([1-9]\d* compared with Temporal\)/);
  expect(verified.status).toBe(0);

  // The auditor keeps the checkpoint the writer published (checked with the verifier key they were
  // given; the API signs none), and later checks the ledger against it: the lapsed project, gone
  // from Temporal, is covered through the archive.
  expect((await liveCli('audit', 'checkpoint')).stderr).toMatch(/No checkpoint is published yet/);
  await createCheckpointWriter({ ledger, signer: signing.signer, origin: signing.origin })();
  const taken = await liveCli('audit', 'checkpoint', '--out', trusted);
  expect(taken.status).toBe(0);
  expect(readFileSync(trusted, 'utf8')).toMatch(/^ledger\.alliance\.test\n\d+\n[A-Za-z0-9+/]{43}=\n\n\u2014 ledger\.alliance\.test /);
  const grown = await liveCli('audit', 'verify', '--since', trusted, '--key', signing.verifierFile, '--save', path.join(keyDir, 'next.txt'), '--json');
  expect(grown.stderr).toBe('');
  const report = JSON.parse(grown.stdout) as { ledger: { problem: null; archivedRuns: number; payloads: number }; checkpoint: string };
  expect(report.ledger).toMatchObject({ problem: null });
  expect(report.ledger.archivedRuns).toBeGreaterThanOrEqual(1);
  expect(report.ledger.payloads).toBeGreaterThan(10);
  // The next trusted checkpoint is the published one, not one signed on request.
  expect(readFileSync(path.join(keyDir, 'next.txt'), 'utf8')).toBe(report.checkpoint);
  expect(report.checkpoint).toBe((await ledger.latestCheckpoint())!.note);
  const otherKey = path.join(keyDir, 'other.key');
  writeFileSync(otherKey, generateLogKey('ledger.alliance.test').verifierKey);
  const wrongKey = await liveCli('audit', 'verify', '--since', trusted, '--key', otherKey);
  expect(wrongKey.status).toBe(errorCodes.VALIDATION.exitStatus);
  expect(wrongKey.stderr).toMatch(/does not verify|carries no signature/);
  await running.close();
}

type Cli = (...args: string[]) => ReturnType<typeof alliance>;

/** The lapsed project's history reaches the archive, then Temporal forgets it. */
async function archivedThenForgotten(projects: ProjectClient, ledger: LedgerStore, lapsed: string): Promise<void> {
  for (let i = 0; (await ledger.archivedRuns(lapsed)).length === 0; i++) {
    if (i > 100) throw new Error('the lapsed project was never archived');
    await new Promise((r) => setTimeout(r, 200));
  }
  await env.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: lapsed } });
  for (
    let i = 0;
    await projects
      .handle(lapsed)
      .describe()
      .then(
        () => true,
        () => false,
      );
    i++
  ) {
    if (i > 100) throw new Error('Temporal did not delete the lapsed project');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The lapsed project, gone from Temporal, proves its whole history from the ledger and the archive
 * against the checkpoint the auditor kept, and the auditor's own Go program agrees.
 */
async function lapsedProvesItsHistory(cli: Cli, callId: string, signing: ReturnType<typeof localLogSigning>, trusted: string, keyDir: string): Promise<void> {
  const bundleFile = path.join(keyDir, 'lapsed-proofs.json');
  const proven = await cli('audit', 'prove', `${callId}:TE1-0001`, '--key', signing.verifierFile, '--since', trusted, '--out', bundleFile);
  expect(proven.stderr).toBe('');
  expect(proven.stdout).toMatch(/^\d+ leaves proven in the published tree of \d+ \(checked with your key\), which extends your checkpoint of \d+/);
  const proofs = JSON.parse(readFileSync(bundleFile, 'utf8')) as { entries: { leafData: string; payload?: string }[] };
  expect(proofs.entries.filter((e) => e.leafData.includes('"archived"')).length).toBeGreaterThanOrEqual(1);
  expect(proofs.entries.filter((e) => e.payload !== undefined).length).toBeGreaterThanOrEqual(1);
  const independent = buildLedgerVerifier()(readFileSync(bundleFile, 'utf8'), signing.verifierKey);
  expect(independent.stderr).toBe('');
  expect(independent.stdout).toMatch(/consistent with the trusted checkpoint of \d+ entries/);
}

/** The office's searches of a call and its CSV export; returns the entry the tampering below alters. */
async function searchesAndExport(
  cli: (...args: string[]) => Promise<{ stdout: string }>,
  callId: string,
  ids: Record<'overdue' | 'onTime' | 'lapsed' | 'inReview', string>,
  file: string,
) {
  const search = async (...filters: string[]) =>
    (JSON.parse((await cli('audit', 'search', '--call', callId, ...filters, '--json')).stdout) as { workflowId: string }[]).map((p) => p.workflowId);
  expect(await search('--division', 'TE2')).toEqual([ids.overdue, ids.onTime]);
  expect(await search('--overdue')).toEqual([ids.overdue]);
  expect(await search('--state', 'lapsed')).toEqual([ids.lapsed]);
  expect(await search('--division', 'TE1', '--state', 'review')).toEqual([ids.inReview]);
  expect(await search('--region', 'south')).toEqual([ids.onTime]);

  const csv = (await cli('audit', 'export', '--format', 'csv', '--call', callId)).stdout.trimEnd().split('\n');
  // UTF-8 with a byte-order mark, so a spreadsheet on zh-TW Windows reads it as UTF-8.
  expect(csv[0]).toBe('\uFEFFseq,workflowId,entrySeq,at,actorRole,actorId,event,from,to,payloadDigest,prevHash,prevWorkflowHash,hash');
  const total = await openSqliteLedger(file, { readOnly: true, sealer: testSealer() });
  expect(csv).toHaveLength((await total.entries({ callId })).length + 1);
  const victim = (await total.entries({ workflowId: ids.onTime })).find((e) => e.event === 'progressReport.submit')!;
  await total.close();
  return victim;
}

/**
 * What a ledger written before every validator asked for the log-in (`via`) holds: a PI's entry
 * without it, of a project of an older call that Temporal no longer has. Returns its workflow id.
 */
async function olderLedgersEntry(ledger: LedgerStore): Promise<string> {
  const workflowId = `project:${uniqueName('older')}:TE2-0001`;
  const payload = canonicalJson({});
  const entry = { workflowId, chainId: 'older-run', entrySeq: 1, at: '2016-09-01T00:00:00.000Z', event: 'application.submit' };
  const { status } = await ledger.append(
    { ...entry, actor: { role: 'pi', id: 'pi-lin' }, from: ['draft'], to: ['submitted'], payloadDigest: sha256(payload) },
    payload,
  );
  expect(status).toBe('appended');
  return workflowId;
}

it('answers history, search, verify and export for auditors, also after Temporal deleted a project', async () => {
  const { ledger, file } = await temporaryLedger();
  const older = await olderLedgersEntry(ledger);
  const keyDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-auditor-'));
  const signing = localLogSigning(keyDir, 'ledger.alliance.test');
  const trusted = path.join(keyDir, 'trusted.txt');
  const since = ['audit', 'verify', '--since', trusted, '--key', signing.verifierFile];
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      // Year 1's report falls due 25 s in: time for two projects to reach execution on a loaded machine first.
      applicationClosesIn: 8,
      endorsementIn: 300,
      firstYearStartsIn: 10,
      yearLength: 'PT60S',
      progressReportDueBeforeYearEnd: 'PT45S',
      closingReportGrace: 'PT60S',
    },
    uniqueName('audit'),
  );
  const ncku = { id: 'NCKU', name: '國立成功大學', type: 'universityOrCollege' as const, researchOfficeEmail: 'rd@ncku.edu.tw' };
  const nchu = { id: 'NCHU', name: '國立中興大學', type: 'universityOrCollege' as const, researchOfficeEmail: 'rd@nchu.edu.tw' };
  const pi = anApplication().pi;
  const apps = {
    overdue: anApplication({ id: 'TE2-0001' }),
    onTime: anApplication({ id: 'TE2-0002', region: 'south', institution: ncku, pi: { ...pi, institutionId: 'NCKU' } }),
    lapsed: anApplication({ id: 'TE1-0001', division: 'TE1' }),
    inReview: anApplication({ id: 'TE1-0002', division: 'TE1', region: 'central', institution: nchu, pi: { ...pi, institutionId: 'NCHU' } }),
  };
  const ids = Object.fromEntries(Object.entries(apps).map(([k, a]) => [k, `project:${call.id}:${a.id}`])) as Record<keyof typeof apps, string>;

  const taskQueue = uniqueName('audit');
  await withServiceWorker(
    env,
    bundle,
    taskQueue,
    async (projects) => {
      for (const a of Object.values(apps)) await projects.create(call, a);
      // Submitted before the application deadline; the lapsed one never is.
      for (const id of [ids.overdue, ids.onTime, ids.inReview]) await projects.send(id, 'application.submit', actors.pi, {});
      await toExecution(projects, ids.overdue);
      await toExecution(projects, ids.onTime, person('institution', 'NCKU'));
      await projects.send(ids.onTime, 'progressReport.submit', actors.pi, { summary: 'On time' });
      await projects.send(ids.onTime, 'progressReport.accept', actors.office, { comments: 'OK' });
      await projects.send(ids.inReview, 'endorsement.record', person('institution', 'NCHU'), { rosterId: 'R2', letterReference: 'L2' });
      await projects.send(ids.inReview, 'review.start', actors.office, {});
      await waitForProject(projects, ids.overdue, (v) => v.overdue);
      await waitForProject(projects, ids.lapsed, (v) => v.lifecycle === 'lapsed');
      for (const id of Object.values(ids)) await settledHistoryLength(projects, id);
      await archivedThenForgotten(projects, ledger, ids.lapsed);
      await verifyWhileRunning(env, taskQueue, ledger, signing, trusted, keyDir);
    },
    ledger,
  );
  await ledger.close();

  // The worker is gone; an API process with the ledger read-only answers the auditor.
  const reader = await openSqliteLedger(file, { readOnly: true, sealer: testSealer() });
  const api = await startApi(env, uniqueName('audit-api'), reader, { verifierKey: signing.verifierKey });
  const cli = (...args: string[]) => alliance(api.url, args);
  const history = await cli('audit', 'history', `${call.id}:TE1-0001`, '--json');
  expect(history.status).toBe(0);
  expect((JSON.parse(history.stdout) as { event: string; actor: { role: string } }[]).map((e) => `${e.actor.role} ${e.event}`)).toEqual([
    'system deadline.application',
  ]);
  const raw = JSON.parse((await cli('audit', 'history', `${call.id}:TE1-0001`, '--raw', '--json')).stdout) as {
    source: string;
    runs: { history: { events: unknown[] } }[];
  };
  expect(raw.source).toBe('archive');
  expect(raw.runs[0]!.history.events.length).toBeGreaterThan(5);

  await lapsedProvesItsHistory(cli, call.id, signing, trusted, keyDir);

  const victim = await searchesAndExport(cli, call.id, ids, file);

  // No worker serves the projects any more: verify leaves Temporal out of those it cannot ask, quickly.
  const untouched = await cli('audit', 'verify', '--all');
  expect(untouched.stderr).toBe('');
  // Every command of this test carried a log-in (the validators refuse a person's without one): only the older
  // ledger's entry has none, and verify names it.
  expect(untouched.stdout).toMatch(
    /^verified \d+ ledger entries \(0 compared with Temporal\).*; 1 entries of people carry no log-in \(via\), .*, the first ledger entry 1 \(/,
  );
  expect(untouched.stdout).toContain(`the first ledger entry 1 (${older} transition 1, pi pi-lin, application.submit)`);

  // One byte of one entry: pi-lin becomes pi-lim.
  const db = openSqlite(file);
  db.run("UPDATE ledger SET actor_id = 'pi-lim' WHERE seq = ?", [victim.seq]);
  db.close();
  expect(victim.actor.id).toBe('pi-lin');
  for (const args of [
    ['audit', 'verify', '--all'],
    ['audit', 'verify', `${call.id}:TE2-0002`],
  ]) {
    const broken = await cli(...args);
    expect(broken.status).toBe(errorCodes.INTEGRITY.exitStatus);
    expect(broken.stderr).toContain(
      `INTEGRITY: ledger entry ${victim.seq} (${ids.onTime} transition ${victim.entrySeq}) is broken: its content does not match its hash`,
    );
  }
  const againstCheckpoint = await cli(...since);
  expect(againstCheckpoint.status).toBe(errorCodes.INTEGRITY.exitStatus);

  const refused = await cli('project', 'terminate', `${call.id}:TE2-0001`, '--reason', 'auditors change nothing');
  expect(refused.status).toBe(errorCodes.ROLE_NOT_ALLOWED.exitStatus);
  expect(refused.stderr).toMatch(/project.terminate may be sent only by office, not by auditor auditor-wu/);
  await api.close();
  await reader.close();
});

it('writes each transition to the ledger exactly once while the worker is killed mid-activity and restarted', async () => {
  const { ledger, file } = await temporaryLedger();
  await ledger.close();
  const taskQueue = uniqueName('killed');
  const workerOptions = { taskQueue, dataDir: path.dirname(file), env: { ALLIANCE_LEDGER_PATH: file, SMTP_SINK_PORT: String(await freePort()) } };
  const call = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 600,
      endorsementIn: 700,
      firstYearStartsIn: 800,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    uniqueName('killed'),
  );
  const projects = new ProjectClient(env.client, taskQueue);
  let worker = await startWorkerProcess(workerOptions);
  const id = await projects.create(call, anApplication());
  const send = projects.send.bind(projects, id);
  const steps: (() => Promise<unknown>)[] = [
    () => send('application.submit', actors.pi, {}),
    () => send('endorsement.record', actors.institution, { rosterId: 'R', letterReference: 'L' }),
    () => send('review.start', actors.office, {}),
    () => send('reviewer.assign', actors.office, { reviewerId: 'rev-1' }),
    () => send('review.record', actors.reviewer, { score: 90, recommendation: 'fund', comments: 'Good' }),
    () => send('presentation.invite', actors.office, {}),
    () => send('presentation.schedule', actors.office, { slot: new Date().toISOString(), venue: 'Room 1' }),
    () => send('presentation.record', actors.office, { panelScore: 88, comments: 'Good' }),
  ];
  for (const [i, step] of steps.entries()) {
    await step();
    if (i === 2 || i === 5) {
      // The ledger activity of this transition is in flight: kill the worker without a chance to finish.
      worker.kill('SIGKILL');
      worker = await startWorkerProcess(workerOptions);
    }
  }
  await settledHistoryLength(projects, id);
  const log = await projects.transitionLog(id);
  worker.kill('SIGTERM');
  const reader = await openSqliteLedger(file, { readOnly: true, sealer: testSealer() });
  const entries = await reader.entries({ workflowId: id });
  await reader.close();
  expect(entries.map((e) => `${e.entrySeq} ${e.event}`)).toEqual(log.map((l) => `${l.seq} ${l.event}`));
  expect(verifyChains(entries, 'project').broken).toBeNull();
  await projects.handle(id).terminate('test finished');
});
