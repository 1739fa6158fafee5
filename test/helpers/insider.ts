import { toEntry } from '../../activities/ledger/rows';
import { entryHash, type LedgerEntry } from '../../activities/ledger/store';
import type { SqlDriver } from '../../activities/sql/driver';
import { leafOfArchivedRun, leafOfEntry } from '../../tlog/leaves';

/**
 * An insider with write access to the ledger's database, after changing it: every hash and link
 * recomputed in seq order, every leaf rebuilt, the ledger's own record of checkpoints deleted, so
 * that the ledger agrees with itself (test/ledger/attacks.test.ts, test/ledger/published-only.test.ts).
 */
export async function rewriteDerived(db: SqlDriver, options: { leaves: boolean } = { leaves: true }): Promise<void> {
  const entries = (await db.all('SELECT * FROM ledger ORDER BY seq')).map(toEntry);
  const lastOfChain = new Map<string, string>();
  let previous = '';
  const rewritten = new Map<number, LedgerEntry>();
  for (const e of entries) {
    const chain = `${e.workflowId}/${e.chainId ?? ''}`;
    const { hash: _old, ...content } = { ...e, prevHash: previous, prevWorkflowHash: lastOfChain.get(chain) ?? '' };
    const hash = entryHash(content);
    await db.run('UPDATE ledger SET prev_hash = ?, prev_workflow_hash = ?, hash = ? WHERE seq = ?', [content.prevHash, content.prevWorkflowHash, hash, e.seq]);
    rewritten.set(e.seq, { ...content, hash });
    lastOfChain.set(chain, hash);
    previous = hash;
  }
  if (!options.leaves) return;
  const leaves = await db.all('SELECT idx, kind, ref FROM merkle_leaves ORDER BY idx');
  await db.run('DELETE FROM merkle_leaves');
  let idx = 0;
  for (const leaf of leaves) {
    if (leaf.kind === 'entry') {
      const current = rewritten.get(Number(leaf.ref));
      if (current) await db.run('INSERT INTO merkle_leaves VALUES (?, ?, ?, ?)', [idx++, 'entry', String(current.seq), leafOfEntry(current).hash]);
    } else {
      const ref = String(leaf.ref);
      const run = await db.get('SELECT * FROM archive WHERE workflow_id = ? AND run_id = ?', [
        ref.slice(0, ref.lastIndexOf('/')),
        ref.slice(ref.lastIndexOf('/') + 1),
      ]);
      if (run)
        await db.run('INSERT INTO merkle_leaves VALUES (?, ?, ?, ?)', [
          idx++,
          'archive',
          ref,
          leafOfArchivedRun({ workflowId: String(run.workflow_id), runIndex: Number(run.run_index), runId: String(run.run_id), sha256: String(run.sha256) })
            .hash,
        ]);
    }
  }
  await db.run('DELETE FROM checkpoints');
}
