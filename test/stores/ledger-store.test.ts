import { SqlLedgerStore } from '../../activities/ledger/sql-store';
import type { NewLedgerEntry } from '../../activities/ledger/store';
import { verifyChains } from '../../activities/ledger/verify';
import { archiveLeafData, entryLeafData } from '../../tlog/leaves';
import { leafHash, rootOf } from '../../tlog/merkle';
import { entryHash } from '../../activities/ledger/store';
import { sqliteDriver } from '../../activities/sql/sqlite-driver';
import { openSqlite } from '../../activities/sqlite-file';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databases } from './contract';

const entry = (workflowId: string, entrySeq: number, over: Partial<NewLedgerEntry> = {}): NewLedgerEntry => ({
  workflowId,
  chainId: 'run-1',
  entrySeq,
  at: `2026-11-26T00:00:${String(entrySeq).padStart(2, '0')}.000Z`,
  actor: { role: 'pi', id: 'PI-1' },
  event: 'application.submit',
  from: ['draft'],
  to: ['submitted'],
  payloadDigest: 'a'.repeat(64),
  ...over,
});

describe.each(databases)('the ledger store on %s', (_name, fresh) => {
  it('appends once per (workflow, chain, transition) and chains every entry', async () => {
    const ledger = await SqlLedgerStore.open((await fresh('ledger_once'))());
    try {
      expect((await ledger.append(entry('project:c:A', 1))).status).toBe('appended');
      expect((await ledger.append(entry('project:c:B', 1))).status).toBe('appended');
      const again = await ledger.append(entry('project:c:A', 1));
      expect(again.status).toBe('alreadyThere');
      expect((await ledger.append(entry('project:c:A', 2))).status).toBe('appended');
      const all = await ledger.entries();
      expect(all.map((e) => [e.seq, e.workflowId, e.entrySeq])).toEqual([
        [1, 'project:c:A', 1],
        [2, 'project:c:B', 1],
        [3, 'project:c:A', 2],
      ]);
      expect(all[2]!.prevWorkflowHash).toBe(all[0]!.hash);
      expect(verifyChains(all, 'ledger').broken).toBeNull();
      expect(await ledger.alerts()).toEqual([]);
    } finally {
      await ledger.close();
    }
  });

  it('lets one application at a time hold the phase 2 of a phase-1 project, against racing claims, until its holder ends unfunded', async () => {
    const ledger = await SqlLedgerStore.open((await fresh('ledger_phase2'))());
    try {
      const phase1 = 'project:alliance-102:TE2-0001';
      // Ten registrations racing, in two calls: one holds it, the others are told who.
      const claimants = Array.from({ length: 10 }, (_, i) => `project:alliance-${105 + (i % 2)}:TE2-${String(i).padStart(4, '0')}`);
      const holders = await Promise.all(claimants.map((c) => ledger.claimPhase2(phase1, c)));
      const holder = holders.find((h, i) => h === claimants[i]);
      expect(holders.filter((h, i) => h === claimants[i])).toHaveLength(1);
      expect(new Set(holders)).toEqual(new Set([holder]));
      expect(await ledger.claimPhase2(phase1, holder!)).toBe(holder);
      // Its holder withdrew (its record says so): the phase 2 is free for another application.
      await ledger.upsertProject({
        workflowId: holder!,
        callId: 'alliance-105',
        rocYear: 105,
        division: 'TE2',
        region: 'north',
        institution: 'NTU',
        state: 'withdrawn',
        phase: 2,
        projectYear: 0,
        overdue: false,
        updatedAt: '2026-12-01T00:00:00.000Z',
      });
      const next = claimants.find((c) => c !== holder)!;
      expect(await ledger.claimPhase2(phase1, next)).toBe(next);
      expect(await ledger.claimPhase2(phase1, holder!)).toBe(next);
      expect(await ledger.claimPhase2('project:alliance-102:TE2-0002', holder!)).toBe(holder);
    } finally {
      await ledger.close();
    }
  });

  it('quarantines other content under a taken key and alerts the office, once, without throwing', async () => {
    const ledger = await SqlLedgerStore.open((await fresh('ledger_conflict'))());
    try {
      await ledger.append(entry('project:c:A', 1));
      const reset = entry('project:c:A', 1, { event: 'application.withdraw', at: '2026-11-26T01:00:00.000Z' });
      const outcome = await ledger.append(reset);
      expect(outcome.status).toBe('quarantined');
      expect((await ledger.append(reset)).status).toBe('quarantined');
      const quarantined = await ledger.quarantined('project:c:A');
      expect(quarantined).toHaveLength(1);
      expect(quarantined[0]).toMatchObject({ entrySeq: 1, reason: 'conflict', entry: { event: 'application.withdraw' } });
      expect(quarantined[0]!.detail).toMatch(/already in the ledger as application\.submit/);
      const alerts = await ledger.alerts();
      expect(alerts.map((a) => a.kind)).toEqual(['ledgerQuarantine']);
      expect((await ledger.entries()).map((e) => e.event)).toEqual(['application.submit']);
    } finally {
      await ledger.close();
    }
  });

  it('keeps a re-used workflow id apart: a new chain, no collision, both chains verify', async () => {
    const ledger = await SqlLedgerStore.open((await fresh('ledger_chains'))());
    try {
      await ledger.append(entry('call:c', 1));
      await ledger.append(entry('call:c', 2));
      expect((await ledger.append(entry('call:c', 1, { chainId: 'run-9', event: 'call.open' }))).status).toBe('appended');
      const all = await ledger.entries({ workflowId: 'call:c' });
      expect(all.map((e) => [e.chainId, e.entrySeq])).toEqual([
        ['run-1', 1],
        ['run-1', 2],
        ['run-9', 1],
      ]);
      expect(all[2]!.prevWorkflowHash).toBe('');
      expect(verifyChains(all, 'project').broken).toBeNull();
      expect(await ledger.quarantined()).toEqual([]);
    } finally {
      await ledger.close();
    }
  });

  it('appends an entry whose predecessors are missing, alerts the office, and verify names the hole', async () => {
    const ledger = await SqlLedgerStore.open((await fresh('ledger_gap'))());
    try {
      await ledger.append(entry('project:c:A', 1));
      const outcome = await ledger.append(entry('project:c:A', 4));
      expect(outcome).toMatchObject({ status: 'appended', gap: 'transitions 2–3 of project:c:A are not in the ledger' });
      expect((await ledger.alerts()).map((a) => a.kind)).toEqual(['ledgerGap']);
      expect(verifyChains(await ledger.entries(), 'ledger').broken?.reason).toBe('transition 2 of project:c:A is missing before it');
    } finally {
      await ledger.close();
    }
  });
});

describe.each(databases)('the ledger store on %s: entries in order, and their facts', (_name, fresh) => {
  it('writes nothing for an entry told to come after one not there yet, and writes it once that one is', async () => {
    const ledger = await SqlLedgerStore.open((await fresh('ledger_after'))());
    try {
      await ledger.append(entry('project:c:A', 1));
      // Transition 3 was scheduled while 2's append was still on its way (another worker, a retry).
      expect(await ledger.append(entry('project:c:A', 3), undefined, { after: 2 })).toEqual({ status: 'predecessorPending' });
      expect((await ledger.entries()).map((e) => e.entrySeq)).toEqual([1]);
      expect(await ledger.alerts()).toEqual([]);
      const facts = {
        workflowId: 'project:c:A',
        callId: 'c',
        rocYear: 115,
        division: 'TE2',
        region: 'north',
        institution: 'NTU',
        phase: 1,
        projectYear: 0,
        overdue: false,
      };
      await ledger.append(entry('project:c:A', 2), undefined, { after: 1, project: { ...facts, state: 'submitted', updatedAt: entry('project:c:A', 2).at } });
      expect(
        (await ledger.append(entry('project:c:A', 3), undefined, { after: 2, project: { ...facts, state: 'endorsed', updatedAt: entry('project:c:A', 3).at } }))
          .status,
      ).toBe('appended');
      // The facts went in with each entry: the second's, never the first's after it.
      expect((await ledger.projects()).map((p) => p.state)).toEqual(['endorsed']);
      // A retry of an append already done answers as before, whatever it names.
      expect((await ledger.append(entry('project:c:A', 3), undefined, { after: 2 })).status).toBe('alreadyThere');
      expect((await ledger.entries()).map((e) => e.entrySeq)).toEqual([1, 2, 3]);
      expect(verifyChains(await ledger.entries(), 'ledger').broken).toBeNull();
    } finally {
      await ledger.close();
    }
  });

  it("writes a found entry's facts only while it is the last of its chain, so the project record never steps back", async () => {
    const ledger = await SqlLedgerStore.open((await fresh('ledger_found_facts'))());
    // Transitions 1 and 2 of one step: the same time, so the records' newest-wins by time cannot tell them apart.
    const sameStep = { at: '2026-11-26T00:00:01.000Z' };
    const facts = (state: string, updatedAt = sameStep.at) => ({
      workflowId: 'project:c:A',
      callId: 'c',
      rocYear: 115,
      division: 'TE2',
      region: 'north',
      institution: 'NTU',
      phase: 1,
      projectYear: 0,
      overdue: false,
      state,
      updatedAt,
    });
    try {
      // Transitions 1 and 2 carried in by 2's append without facts, 2's facts with it.
      await ledger.append(entry('project:c:A', 1, sameStep));
      await ledger.append(entry('project:c:A', 2, sameStep), undefined, { project: facts('endorsed') });
      // 1's own activity comes last: found there, its older facts are not written.
      expect((await ledger.append(entry('project:c:A', 1, sameStep), undefined, { project: facts('submitted') })).status).toBe('alreadyThere');
      expect((await ledger.projects()).map((p) => p.state)).toEqual(['endorsed']);
      // The last entry found again, its facts not written with it (an attempt of older code): they go in now.
      await ledger.append(entry('project:c:A', 3));
      expect((await ledger.append(entry('project:c:A', 3), undefined, { project: facts('reviewing', entry('project:c:A', 3).at) })).status).toBe(
        'alreadyThere',
      );
      expect((await ledger.projects()).map((p) => p.state)).toEqual(['reviewing']);
    } finally {
      await ledger.close();
    }
  });
});

describe.each(databases)('the ledger store on %s: many processes, the tree and the records', (_name, fresh) => {
  it('serialises appends from two processes sharing the database into one chain', async () => {
    const open = await fresh('ledger_two');
    const [a, b] = [await SqlLedgerStore.open(open()), await SqlLedgerStore.open(open())];
    try {
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).append(entry(`project:c:P${i % 5}`, Math.floor(i / 5) + 1))));
      // Two writers at once: nothing duplicated or lost, and the whole ledger is one unbroken chain.
      const all = await a.entries();
      expect(all).toHaveLength(40);
      expect(new Set(all.map((e) => e.seq)).size).toBe(40);
      expect(all.every((e, i) => e.prevHash === (i === 0 ? '' : all[i - 1]!.hash))).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('adds a Merkle leaf per entry and per archived run, in append order, whose root covers them all', async () => {
    const ledger = await SqlLedgerStore.open((await fresh('ledger_leaves'))());
    try {
      await ledger.append(entry('project:c:A', 1));
      const run = { workflowId: 'project:c:A', runIndex: 0, runId: 'r1', historyJson: '{"events":[]}', sha256: 'x', archivedAt: '2026-11-26T00:00:00.000Z' };
      await ledger.archiveRun(run);
      await ledger.archiveRun(run);
      await ledger.append(entry('project:c:A', 2));
      await ledger.append(entry('project:c:A', 2));
      const leaves = await ledger.leaves();
      const entries = await ledger.entries();
      expect(leaves.map((l) => `${l.kind} ${l.ref}`)).toEqual(['entry 1', 'archive project:c:A/r1', 'entry 2']);
      expect(leaves[0]!.hash).toBe(leafHash(entryLeafData(entries[0]!)).toString('hex'));
      expect(leaves[1]!.hash).toBe(leafHash(archiveLeafData(run)).toString('hex'));
      expect(await ledger.leaves(2)).toEqual(leaves.slice(0, 2));
      expect(rootOf(leaves.map((l) => Buffer.from(l.hash, 'hex'))).toString('hex')).toHaveLength(64);
    } finally {
      await ledger.close();
    }
  });

  it('keeps project records newest-first-wins and archived runs once', async () => {
    const ledger = await SqlLedgerStore.open((await fresh('ledger_records'))());
    try {
      const record = {
        workflowId: 'project:c:B',
        callId: 'c',
        rocYear: 115,
        division: 'engineering',
        region: 'north',
        institution: 'NTU',
        state: 'submitted',
        phase: 1,
        projectYear: 0,
        overdue: false,
        updatedAt: '2026-11-26T00:00:02.000Z',
      };
      await ledger.upsertProject(record);
      await ledger.upsertProject({ ...record, workflowId: 'project:c:A' });
      await ledger.upsertProject({ ...record, state: 'draft', updatedAt: '2026-11-26T00:00:01.000Z' });
      expect((await ledger.projects({ callId: 'c' })).map((p) => [p.workflowId, p.state])).toEqual([
        ['project:c:A', 'submitted'],
        ['project:c:B', 'submitted'],
      ]);
      expect(await ledger.projects({ overdue: true })).toEqual([]);
      const run = { workflowId: 'project:c:A', runIndex: 0, runId: 'r1', historyJson: '{}', sha256: 'x', archivedAt: '2026-11-26T00:00:00.000Z' };
      await ledger.archiveRun(run);
      await ledger.archiveRun(run);
      expect(await ledger.archivedRuns('project:c:A')).toEqual([run]);
    } finally {
      await ledger.close();
    }
  });
});

describe('a ledger written before versioned migrations', () => {
  it('is migrated in place: its entries keep their hashes and new ones chain on', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-old-ledger-')), 'ledger.sqlite');
    const old = openSqlite(file);
    old.exec(`CREATE TABLE ledger (seq INTEGER PRIMARY KEY, workflow_id TEXT NOT NULL, entry_seq INTEGER NOT NULL, at TEXT NOT NULL, actor_role TEXT NOT NULL,
      actor_id TEXT NOT NULL, event TEXT NOT NULL, from_states TEXT NOT NULL, to_states TEXT NOT NULL, payload_digest TEXT NOT NULL, prev_hash TEXT NOT NULL,
      prev_workflow_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (workflow_id, entry_seq));
      ALTER TABLE ledger ADD COLUMN actor_via TEXT`);
    const first = { ...entry('project:c:A', 1), chainId: undefined, seq: 1, prevHash: '', prevWorkflowHash: '' };
    const hash = entryHash(first);
    old.run("INSERT INTO ledger VALUES (1, ?, 1, ?, ?, ?, ?, ?, ?, ?, '', '', ?, NULL)", [
      first.workflowId,
      first.at,
      'pi',
      'PI-1',
      first.event,
      '["draft"]',
      '["submitted"]',
      first.payloadDigest,
      hash,
    ]);
    old.close();
    const ledger = await SqlLedgerStore.open(sqliteDriver(file));
    try {
      expect((await ledger.append({ ...entry('project:c:A', 1), chainId: undefined })).status).toBe('alreadyThere');
      await ledger.append({ ...entry('project:c:A', 2), chainId: undefined });
      const all = await ledger.entries();
      expect(all[0]!.hash).toBe(hash);
      expect(all[1]!.prevWorkflowHash).toBe(hash);
      expect(verifyChains(all, 'ledger').broken).toBeNull();
      // The migration gave the old entry its leaf; the new one followed it.
      expect((await ledger.leaves()).map((l) => [l.ref, l.hash])).toEqual(all.map((e) => [String(e.seq), leafHash(entryLeafData(e)).toString('hex')]));
    } finally {
      await ledger.close();
    }
  });
});
