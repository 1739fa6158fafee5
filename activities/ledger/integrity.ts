import { sha256 } from '../../tlog/digest';
import { leafOfArchivedRun, leafOfEntry, leafOfReseal, resealRef } from '../../tlog/leaves';
import { consistencyProof, rootOf, type Hash } from '../../tlog/merkle';
import type { Checkpoint } from '../../tlog/checkpoint';
import type { ArchivedRun, LedgerEntry, LedgerStore } from './store';
import { verifyChains } from './verify';
import { checkTombstones, type ErasureAccount } from './tombstones';
import { checkResealChains, currentSha256 } from './reseal';
import type { ArchiveReseal } from '../../domain/records';
import type { Leaf } from '../../tlog/leaves';
import type { IntegrityProblem, IntegrityReport } from '../../tlog/reports';

/** `project:alliance-105:TE2-0001/<run id>` → workflow and run (workflow ids hold no `/`). */
const splitRunRef = (ref: string): { workflowId: string; runId: string } => ({
  workflowId: ref.slice(0, ref.lastIndexOf('/')),
  runId: ref.slice(ref.lastIndexOf('/') + 1),
});

/** The checkpoints a check is made against: the auditor's, the last published, and the ones that narrow down a rewrite. */
type CheckOptions = { trusted?: Checkpoint; latest?: Checkpoint; published?: Checkpoint[] };

/**
 * Checks the whole ledger from its content up, trusting none of what it derived and stored: every
 * entry's hash and links, every kept payload against its entry's digest, every archived history
 * against its SHA-256, every leaf recomputed from what it covers; then, against a checkpoint the
 * auditor trusts (already opened with the auditor's key), that the tree still starts with the
 * tree that checkpoint signed. `latest`, the last checkpoint the writer published (never one signed
 * on request): the tree must start with its tree too, and the consistency proof runs from the trusted
 * checkpoint to it, so that it is what the auditor is handed as their next one. `published` (signed
 * checkpoints, opened the same way) only narrow down where a rewrite lies.
 */
export async function checkLedger(ledger: LedgerStore, options: CheckOptions = {}): Promise<IntegrityReport> {
  // Leaves first: an entry appended after them (with its leaf, in one transaction) is simply not
  // covered yet and left for the next check, rather than reported as missing its leaf.
  const stored = await ledger.leaves();
  const coveredUpTo = stored.reduce((most, l) => (l.kind === 'entry' ? Math.max(most, Number(l.ref)) : most), 0);
  const entries = (await ledger.entries()).filter((e) => e.seq <= coveredUpTo);
  const payloadsFrom = await ledger.payloadsFromSeq();
  const report = (problem: IntegrityProblem | null, extra: Partial<IntegrityReport> = {}): IntegrityReport => ({
    entries: entries.length,
    payloads: 0,
    payloadsFrom,
    archivedRuns: 0,
    leaves: stored.length,
    size: 0,
    root: rootOf([]).toString('hex'),
    problem,
    ...extra,
  });
  const named = (e: LedgerEntry) => ({ seq: e.seq, workflowId: e.workflowId, entrySeq: e.entrySeq });

  const chains = verifyChains(entries, 'ledger');
  if (chains.broken)
    return report({
      check: 'entry',
      reason: chains.broken.reason,
      seq: chains.broken.seq,
      workflowId: chains.broken.workflowId,
      entrySeq: chains.broken.entrySeq,
    });

  const kept = await checkKept(ledger, entries, stored, payloadsFrom);
  if ('problem' in kept) return report(kept.problem);
  const { withPayload, runs, erasure, reseals } = kept;
  const bySeq = new Map(entries.map((e) => [e.seq, e]));

  const recomputed: Hash[] = [];
  const covered = new Set<number>();
  for (const [index, leaf] of stored.entries()) {
    if (leaf.kind === 'entry') {
      const entry = bySeq.get(Number(leaf.ref));
      if (!entry) return report({ check: 'leaves', reason: `leaf ${index} covers entry ${leaf.ref}, which is no longer in the ledger: it was removed` });
      const hash = leafOfEntry(entry).hash;
      if (hash !== leaf.hash)
        return report({
          check: 'entry',
          reason: `entry ${entry.seq} is not the entry its leaf was made of: it was altered after it was written`,
          ...named(entry),
        });
      covered.add(entry.seq);
      recomputed.push(Buffer.from(hash, 'hex'));
    } else if (leaf.kind === 'reseal') {
      const reseal = reseals.get(leaf.ref);
      if (!reseal) return report({ check: 'archive', reason: `leaf ${index} covers the re-sealing ${leaf.ref}, which is no longer recorded: it was removed` });
      const hash = leafOfReseal(reseal).hash;
      if (hash !== leaf.hash)
        return report({ check: 'archive', reason: `the re-sealing ${leaf.ref} is not the one its leaf was made of`, workflowId: reseal.workflowId });
      recomputed.push(Buffer.from(hash, 'hex'));
    } else {
      const run = runs.get(leaf.ref);
      const { workflowId, runId } = splitRunRef(leaf.ref);
      if (!run)
        return report({
          check: 'archive',
          reason: `leaf ${index} covers the archived history of ${workflowId} run ${runId}, which is no longer in the archive: it was removed`,
          workflowId,
        });
      const hash = leafOfArchivedRun(run).hash;
      if (hash !== leaf.hash)
        return report({ check: 'archive', reason: `the archived history of ${workflowId} run ${runId} is not the one its leaf was made of`, workflowId });
      recomputed.push(Buffer.from(hash, 'hex'));
    }
  }
  const uncovered = entries.find((e) => !covered.has(e.seq));
  if (uncovered) return report({ check: 'leaves', reason: `entry ${uncovered.seq} has no leaf in the tree`, ...named(uncovered) });
  const counts = {
    payloads: withPayload.length,
    archivedRuns: runs.size,
    size: recomputed.length,
    root: rootOf(recomputed).toString('hex'),
    ...(erasure.tombstones > 0 ? { erased: { tombstones: erasure.tombstones, payloads: erasure.payloads.size, archivedRuns: erasure.archivedRuns.size } } : {}),
  };

  const trusted = options.trusted;
  const latest = options.latest;
  if (!trusted) return report(latest ? extendsLatest(recomputed, latest, options.published ?? []) : null, counts);
  if (recomputed.length < trusted.size) {
    return report(
      {
        check: 'removed',
        reason: `the ledger has ${recomputed.length} leaves and the checkpoint you trust vouches for ${trusted.size}: ${trusted.size - recomputed.length} of the entries or archived histories it covers were removed`,
      },
      counts,
    );
  }
  if (!rootOf(recomputed, 0, trusted.size).equals(trusted.root)) {
    return report(
      {
        check: 'rewritten',
        reason: `the first ${trusted.size} leaves no longer have the root of the checkpoint you trust: an entry or archived history among them was changed, removed, inserted or reordered after it was signed`,
        leaves: narrowDown(recomputed, trusted, options.published ?? []),
      },
      counts,
    );
  }
  const upTo = latest && latest.size >= trusted.size ? latest : undefined;
  const problem = upTo ? extendsLatest(recomputed, upTo, options.published ?? []) : null;
  if (problem) return report(problem, counts);
  return report(null, { ...counts, consistency: consistencyProof(recomputed, trusted.size, upTo?.size).map((h) => h.toString('base64')) });
}

type Kept = {
  withPayload: LedgerEntry[];
  runs: Map<string, ArchivedRun>;
  erasure: Exclude<ErasureAccount, { problem: IntegrityProblem }>;
  /** Each archived history's re-sealings under a newer key, by their leaf's ref. */
  reseals: Map<string, ArchiveReseal>;
};

/** Every kept payload against its entry's digest and every archived history against its SHA-256; what is gone, only where a tombstone accounts for it. */
async function checkKept(ledger: LedgerStore, entries: LedgerEntry[], stored: Leaf[], payloadsFrom: number): Promise<Kept | { problem: IntegrityProblem }> {
  const named = (e: LedgerEntry) => ({ seq: e.seq, workflowId: e.workflowId, entrySeq: e.entrySeq });
  const withPayload = entries.filter((e) => e.seq >= payloadsFrom);
  const bodies = await ledger.payloads(withPayload.map((e) => e.payloadDigest));
  const erasure = checkTombstones(entries, bodies);
  if ('problem' in erasure) return erasure;
  for (const entry of withPayload) {
    const body = bodies.get(entry.payloadDigest);
    if (body === undefined && erasure.payloads.has(entry.payloadDigest)) continue;
    if (body === undefined) return { problem: { check: 'payload', reason: `the payload of entry ${entry.seq} is missing from the ledger`, ...named(entry) } };
    if (sha256(body) !== entry.payloadDigest)
      return {
        problem: {
          check: 'payload',
          reason: `the payload kept for entry ${entry.seq} was altered: it no longer has the digest the entry records`,
          ...named(entry),
        },
      };
  }
  const runs = new Map<string, ArchivedRun>();
  for (const workflowId of new Set(stored.filter((l) => l.kind === 'archive').map((l) => splitRunRef(l.ref).workflowId))) {
    for (const run of await ledger.archivedRuns(workflowId)) runs.set(`${run.workflowId}/${run.runId}`, run);
  }
  const resealed = await ledger.archiveReseals();
  const broken = checkResealChains(runs.values(), resealed);
  if (broken) return { problem: { check: 'archive', ...broken } };
  for (const run of runs.values()) {
    if (run.historyJson === '' && erasure.archivedRuns.has(`${run.workflowId}/${run.runId}`)) continue;
    if (sha256(run.historyJson) !== currentSha256(run))
      return {
        problem: {
          check: 'archive',
          reason: `the archived history of ${run.workflowId} run ${run.runId} was altered: it no longer has its SHA-256`,
          workflowId: run.workflowId,
        },
      };
  }
  return { withPayload, runs, erasure, reseals: new Map(resealed.map((r) => [resealRef(r), r])) };
}

/** Whether the tree recomputed from the ledger still starts with the tree of the last checkpoint the writer published. */
function extendsLatest(leaves: readonly Hash[], latest: Checkpoint, published: readonly Checkpoint[]): IntegrityProblem | null {
  if (leaves.length < latest.size)
    return {
      check: 'removed',
      reason: `the ledger has ${leaves.length} leaves and the last published checkpoint vouches for ${latest.size}: ${latest.size - leaves.length} of the entries or archived histories it covers were removed`,
    };
  if (rootOf(leaves, 0, latest.size).equals(latest.root)) return null;
  return {
    check: 'rewritten',
    reason: `the first ${latest.size} leaves no longer have the root of the last published checkpoint: an entry or archived history among them was changed, removed, inserted or reordered after it was signed`,
    leaves: narrowDown(leaves, latest, published),
  };
}

/** Between the largest published checkpoint the tree still matches and the smallest it does not. */
function narrowDown(leaves: readonly Hash[], trusted: Checkpoint, published: readonly Checkpoint[]): { from: number; to: number } {
  let from = 0;
  let to = trusted.size;
  for (const c of published) {
    if (c.size > leaves.length || c.size > trusted.size) continue;
    if (rootOf(leaves, 0, c.size).equals(c.root)) from = Math.max(from, c.size);
    else to = Math.min(to, c.size);
  }
  return { from: Math.min(from, to - 1), to };
}
