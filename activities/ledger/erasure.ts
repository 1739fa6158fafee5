import { canonicalJson, sha256 } from '../../tlog/digest';
import { isTombstoneEvent, tombstoneEvent, type Tombstone } from '../../domain/retention';
import { erasedInTime } from '../../machines/retention-plan';
import type { Row, SqlDriver } from '../sql/driver';
import { toEntry } from './rows';
import type { ErasureOutcome, ErasureRequest, LedgerEntry, NewLedgerEntry } from '../../domain/records';

/** Who erases: the service's retention, never a person. */
export const RETENTION_ACTOR = { role: 'system', id: 'retention' } as const;

/** Writes a chained entry with its leaf and payload (the store's own append step). */
export type InsertChained = (tx: SqlDriver, entry: NewLedgerEntry, previous: Row | null, previousOfChain: Row | null, payload: string) => Promise<LedgerEntry>;

/** Digests of this project's payloads that no other project's unerased entry shares (a shared body stays until its last holder goes). */
const ERASABLE_PAYLOADS = `SELECT DISTINCT l.payload_digest AS digest FROM ledger l JOIN payloads p ON p.digest = l.payload_digest
  WHERE l.workflow_id = ? AND l.event NOT IN (?, ?)
  AND NOT EXISTS (SELECT 1 FROM ledger o WHERE o.payload_digest = l.payload_digest AND o.workflow_id <> l.workflow_id
    AND NOT EXISTS (SELECT 1 FROM ledger t WHERE t.workflow_id = o.workflow_id AND t.event = ?))`;

/**
 * One erasure and its tombstone, in one transaction under the append lock: the ledger never holds
 * a project's personal data gone without the tombstone that says so, nor a tombstone for data
 * still there. The end is read from the project's own chain (its last transition), and an erasure
 * before its period has passed is refused whatever the caller thought.
 */
export async function eraseIn(tx: SqlDriver, request: ErasureRequest, now: Date, insert: InsertChained): Promise<ErasureOutcome> {
  const event = tombstoneEvent(request.kind);
  const existing = await tx.get('SELECT * FROM ledger WHERE workflow_id = ? AND event = ? ORDER BY seq LIMIT 1', [request.workflowId, event]);
  if (existing) return { status: 'alreadyErased', entry: toEntry(existing) };
  const chain = (await tx.all('SELECT * FROM ledger WHERE workflow_id = ? ORDER BY seq', [request.workflowId])).map(toEntry);
  const lastOfChain = chain.at(-1);
  const ended = chain.filter((e) => !isTombstoneEvent(e.event)).at(-1);
  if (!lastOfChain || !ended) throw new Error(`The ledger has no entry for ${request.workflowId}: nothing to erase`);
  if (!erasedInTime(now.toISOString(), ended.at, request.period))
    throw new Error(`${request.workflowId} ended ${ended.at}: ${request.rule} (${request.period}) has not passed; nothing erased`);

  let payloads: string[] = [];
  let archivedRuns: string[] = [];
  let alerts = 0;
  if (request.kind === 'personal-data') {
    payloads = (await tx.all(ERASABLE_PAYLOADS, [request.workflowId, tombstoneEvent('notices'), event, event])).map((r) => String(r.digest)).sort();
    archivedRuns = (await tx.all("SELECT run_id FROM archive WHERE workflow_id = ? AND history_json <> '' ORDER BY run_index", [request.workflowId])).map((r) =>
      String(r.run_id),
    );
    for (let i = 0; i < payloads.length; i += 500) {
      const chunk = payloads.slice(i, i + 500);
      await tx.run(`DELETE FROM payloads WHERE digest IN (${chunk.map(() => '?').join(', ')})`, chunk);
    }
    // The row and its SHA-256 stay: the tree's leaf covers them, not the history.
    await tx.run("UPDATE archive SET history_json = '' WHERE workflow_id = ?", [request.workflowId]);
  } else {
    // The office's alerts about this project's notices name recipients: they go with the notices.
    const mark = `notice:${request.workflowId}:`;
    const keys = (await tx.all('SELECT key FROM office_alerts')).map((r) => String(r.key)).filter((key) => key.includes(mark));
    for (const key of keys) await tx.run('DELETE FROM office_alerts WHERE key = ?', [key]);
    alerts = keys.length;
  }
  const tombstone: Tombstone = {
    kind: request.kind,
    rule: request.rule,
    period: request.period,
    endedAt: ended.at,
    endedIn: ended.to.join(' '),
    erased: {
      payloads,
      archivedRuns,
      temporalExecutions: request.outside.temporalExecutions,
      notices: request.outside.notices,
      alerts,
      mailFiles: request.outside.mailFiles,
      documents: request.outside.documents,
    },
  };
  const payload = canonicalJson(tombstone);
  const previous = await tx.get('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1');
  const entry: NewLedgerEntry = {
    workflowId: request.workflowId,
    ...(lastOfChain.chainId ? { chainId: lastOfChain.chainId } : {}),
    entrySeq: lastOfChain.entrySeq + 1,
    at: now.toISOString(),
    actor: { ...RETENTION_ACTOR },
    event,
    from: lastOfChain.to,
    to: lastOfChain.to,
    payloadDigest: sha256(payload),
  };
  const previousOfChain = { entry_seq: lastOfChain.entrySeq, hash: lastOfChain.hash };
  return { status: 'erased', entry: await insert(tx, entry, previous, previousOfChain, payload), tombstone };
}
