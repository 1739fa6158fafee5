// The ledger's part of retention on both databases: one transaction erases a project's payloads
// and archived histories (or its notices' alerts) and appends the tombstone; never before its time,
// once per kind; a payload another live project shares stays; verify accepts what a tombstone
// accounts for and nothing else.
import { SqlLedgerStore } from '../../activities/ledger/sql-store';
import type { LedgerEntry, NewLedgerEntry } from '../../activities/ledger/store';
import { checkLedger } from '../../activities/ledger/integrity';
import { checkTombstones } from '../../activities/ledger/tombstones';
import { verifyChains } from '../../activities/ledger/verify';
import { canonicalJson, sha256 } from '../../tlog/digest';
import { databases } from './contract';

const END = '2026-01-10T00:00:00.000Z';
const payloadOf = (text: string): string => canonicalJson({ text });
const entry = (workflowId: string, entrySeq: number, body: string, over: Partial<NewLedgerEntry> = {}): NewLedgerEntry => ({
  workflowId,
  chainId: 'run-1',
  entrySeq,
  at: `2026-01-0${entrySeq}T00:00:00.000Z`,
  actor: { role: 'pi', id: 'PI-1' },
  event: 'application.submit',
  from: ['draft'],
  to: ['submitted'],
  payloadDigest: sha256(payloadOf(body)),
  ...over,
});
const withdrawn = { event: 'application.withdraw', from: ['submitted'], to: ['withdrawn'], at: END };
const request = (workflowId: string, kind: 'notices' | 'personal-data', period = 'P3Y') => ({
  workflowId,
  kind,
  rule: `afterUnfunded.${kind === 'notices' ? 'notices' : 'archive'}`,
  period,
  outside: { temporalExecutions: [], notices: 0, mailFiles: 0, documents: 0 },
});

describe.each(databases)('erasure in the ledger on %s', (_name, fresh) => {
  it('erases with a tombstone in one step, never early, once; a shared payload stays; verify accepts it', async () => {
    let now = new Date('2026-02-01T00:00:00.000Z');
    const ledger = await SqlLedgerStore.open((await fresh('ledger_erasure'))(), { now: () => now });
    try {
      const a = 'project:c:A';
      const b = 'project:c:B';
      await ledger.append(entry(a, 1, '葉存真的申請書'), payloadOf('葉存真的申請書'));
      await ledger.append(entry(b, 1, 'shared'), payloadOf('shared'));
      await ledger.append(entry(a, 2, 'shared', withdrawn), payloadOf('shared'));
      await ledger.archiveRun({
        workflowId: a,
        runIndex: 0,
        runId: 'run-1',
        historyJson: '{"events":["葉存真"]}',
        sha256: sha256('{"events":["葉存真"]}'),
        archivedAt: END,
      });
      await ledger.raiseAlert({ key: `notice/notice:${a}:ended/yeh@ntu.edu.tw`, kind: 'noticeHeldUp', subject: 'to yeh', detail: 'x', at: END });
      await ledger.raiseAlert({ key: `notice/notice:${b}:ended/chen@ntu.edu.tw`, kind: 'noticeHeldUp', subject: 'to chen', detail: 'x', at: END });

      await expect(ledger.erase(request(a, 'personal-data'))).rejects.toThrow(/has not passed; nothing erased/);
      expect(await ledger.tombstones()).toEqual([]);

      now = new Date('2029-01-10T00:00:01.000Z');
      const erased = await ledger.erase(request(a, 'personal-data'));
      expect(erased.status).toBe('erased');
      expect(erased.entry).toEqual(
        expect.objectContaining({ workflowId: a, entrySeq: 3, event: 'retention.personal-data-erased', from: ['withdrawn'], to: ['withdrawn'] }),
      );
      expect(erased.tombstone?.erased.payloads).toEqual([sha256(payloadOf('葉存真的申請書'))]);
      expect(erased.tombstone?.erased.archivedRuns).toEqual(['run-1']);
      expect((await ledger.payloads([sha256(payloadOf('葉存真的申請書')), sha256(payloadOf('shared'))])).size).toBe(1);
      expect((await ledger.archivedRuns(a))[0]!.historyJson).toBe('');
      expect((await ledger.erase(request(a, 'personal-data'))).status).toBe('alreadyErased');

      const notices = await ledger.erase(request(a, 'notices', 'P1Y'));
      expect(notices.tombstone?.erased.alerts).toBe(1);
      expect((await ledger.alerts()).map((x) => x.key)).toEqual([`notice/notice:${b}:ended/chen@ntu.edu.tw`]);

      const all = await ledger.entries();
      expect(verifyChains(all, 'ledger').broken).toBeNull();
      const report = await checkLedger(ledger);
      expect(report.problem).toBeNull();
      expect(report.erased).toEqual({ tombstones: 2, payloads: 1, archivedRuns: 1 });

      // B ends too: now the shared payload goes with it, and A's entry that shared it still verifies.
      await ledger.append(entry(b, 2, 'b-end', withdrawn), payloadOf('b-end'));
      expect((await ledger.erase(request(b, 'personal-data'))).tombstone?.erased.payloads.sort()).toEqual(
        [sha256(payloadOf('shared')), sha256(payloadOf('b-end'))].sort(),
      );
      expect((await checkLedger(ledger)).problem).toBeNull();
    } finally {
      await ledger.close();
    }
  });
});

describe('what verify asks of a tombstone', () => {
  const end: LedgerEntry = { ...entry('project:c:A', 2, 'x', withdrawn), seq: 2, prevHash: '', prevWorkflowHash: '', hash: 'h2' };
  const tombstoneBody = (over: Record<string, unknown> = {}) =>
    canonicalJson({
      kind: 'personal-data',
      rule: 'afterUnfunded.archive',
      period: 'P3Y',
      endedAt: END,
      endedIn: 'withdrawn',
      erased: { payloads: ['d'.repeat(64)], archivedRuns: [], temporalExecutions: [], notices: 0, alerts: 0, mailFiles: 0 },
      ...over,
    });
  const tombstone = (at: string, body: string): LedgerEntry => ({
    ...end,
    seq: 3,
    entrySeq: 3,
    at,
    actor: { role: 'system', id: 'retention' },
    event: 'retention.personal-data-erased',
    from: ['withdrawn'],
    payloadDigest: sha256(body),
    hash: 'h3',
  });
  const check = (t: LedgerEntry, body: string, before: LedgerEntry = end) => checkTombstones([before, t], new Map([[t.payloadDigest, body]]));

  it('accounts for what a tombstone that holds names', () => {
    const body = tombstoneBody();
    expect(check(tombstone('2029-01-10T00:00:00.000Z', body), body)).toEqual({ tombstones: 1, payloads: new Set(['d'.repeat(64)]), archivedRuns: new Set() });
  });

  it('names a tombstone written before its period passed, one whose end is not the project’s, and one whose payload is gone', () => {
    const body = tombstoneBody();
    expect(check(tombstone('2028-06-01T00:00:00.000Z', body), body)).toEqual({
      problem: expect.objectContaining({ check: 'tombstone', reason: expect.stringMatching(/before afterUnfunded.archive \(P3Y\) had passed/) }),
    });
    const running = { ...end, to: ['submitted'] };
    expect(check(tombstone('2029-01-10T00:00:00.000Z', body), body, running)).toEqual({
      problem: expect.objectContaining({ reason: expect.stringMatching(/last transition before it is application.withdraw/) }),
    });
    const t = tombstone('2029-01-10T00:00:00.000Z', body);
    expect(checkTombstones([end, t], new Map())).toEqual({ problem: expect.objectContaining({ reason: expect.stringMatching(/its payload is missing/) }) });
  });
});
