// Retiring a payload key, the ledger's part: its payloads and archived histories sealed again under
// the current key. A payload's digest is of its plaintext, so re-sealing one changes nothing the
// tree covers; an archived history's leaf covers its SHA-256 as archived, so each re-sealing is a
// leaf of its own (tlog/leaves.ts `reseal`) that verify follows from the archived SHA-256 to the body kept.
import { sha256 } from '../../tlog/digest';
import { leafOfReseal, type Leaf } from '../../tlog/leaves';
import type { ArchivedRun, ArchiveReseal } from '../../domain/records';
import { sealedTextPattern, sealedTextPrefix, type TextSealer } from '../crypto/key-ring';
import type { Row, SqlDriver } from '../sql/driver';

export const toReseal = (r: Row): ArchiveReseal => ({
  workflowId: String(r.workflow_id),
  runId: String(r.run_id),
  n: Number(r.n),
  fromSha256: String(r.from_sha256),
  toSha256: String(r.to_sha256),
  retiredKeyId: String(r.retired_key_id),
  at: String(r.at),
});

/** What a run's body should hash to now: the last re-sealing's, or the archived SHA-256. */
export const currentSha256 = (run: Pick<ArchivedRun, 'sha256' | 'resealedSha256'>): string => run.resealedSha256 ?? run.sha256;

/**
 * Seals again under the current key every payload and office alert sealed under `keyId`, guarded
 * by the old text (a concurrent writer never has its seal sealed again); returns how many of each.
 */
export async function resealLedgerTexts(
  db: SqlDriver,
  sealer: TextSealer,
  keyId: string,
  payloadContext: (digest: string) => string,
): Promise<{ payloads: number; alerts: number }> {
  const again = (stored: string, context: string): string => {
    const plain = sealer.open(stored, context);
    if (plain === null) throw new Error(`${context} does not open under key ${keyId}: nothing more re-sealed`);
    return sealer.seal(plain, context);
  };
  let payloads = 0;
  for (let rows = await payloadsUnder(db, keyId); rows.length > 0; rows = await payloadsUnder(db, keyId)) {
    for (const row of rows) {
      const [digest, body] = [String(row.digest), String(row.body)];
      await db.run('UPDATE payloads SET body = ? WHERE digest = ? AND body = ?', [again(body, payloadContext(digest)), digest, body]);
      payloads++;
    }
  }
  let alerts = 0;
  for (const row of await db.all("SELECT key, subject, detail FROM office_alerts WHERE subject LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\'", [
    sealedTextPattern(keyId),
    sealedTextPattern(keyId),
  ])) {
    const [key, subject, detail] = [String(row.key), String(row.subject), String(row.detail)];
    const text = (stored: string, what: string) => (stored.startsWith(sealedTextPrefix(keyId)) ? again(stored, `office alert ${what} ${key}`) : stored);
    await db.run('UPDATE office_alerts SET subject = ?, detail = ? WHERE key = ? AND subject = ? AND detail = ?', [
      text(subject, 'subject'),
      text(detail, 'detail'),
      key,
      subject,
      detail,
    ]);
    alerts++;
  }
  return { payloads, alerts };
}

const payloadsUnder = (db: SqlDriver, keyId: string): Promise<Row[]> =>
  db.all("SELECT digest, body FROM payloads WHERE body LIKE ? ESCAPE '\\' LIMIT 500", [sealedTextPattern(keyId)]);

/**
 * One archived run's body replaced by `historyJson` (the same history sealed under the current
 * key), its re-sealing recorded and its leaf appended, in one transaction under the append lock.
 * Refused when the body kept is not the one the chain of re-sealings says (altered meanwhile).
 */
export async function resealRunIn(
  tx: SqlDriver,
  run: { workflowId: string; runId: string; historyJson: string; retiredKeyId: string },
  now: Date,
  insertLeaf: (tx: SqlDriver, leaf: Leaf) => Promise<void>,
): Promise<ArchiveReseal> {
  const row = await tx.get('SELECT history_json, sha256 FROM archive WHERE workflow_id = ? AND run_id = ?', [run.workflowId, run.runId]);
  if (!row) throw new Error(`${run.workflowId} run ${run.runId} is not in the archive`);
  const last = await tx.get('SELECT * FROM archive_reseals WHERE workflow_id = ? AND run_id = ? ORDER BY n DESC LIMIT 1', [run.workflowId, run.runId]);
  const from = last ? String(last.to_sha256) : String(row.sha256);
  if (sha256(String(row.history_json)) !== from)
    throw new Error(`the archived history of ${run.workflowId} run ${run.runId} is not the one its SHA-256 names: it was altered; nothing re-sealed`);
  const reseal: ArchiveReseal = {
    workflowId: run.workflowId,
    runId: run.runId,
    n: last ? Number(last.n) + 1 : 1,
    fromSha256: from,
    toSha256: sha256(run.historyJson),
    retiredKeyId: run.retiredKeyId,
    at: now.toISOString(),
  };
  await tx.run('INSERT INTO archive_reseals VALUES (?, ?, ?, ?, ?, ?, ?)', [
    reseal.workflowId,
    reseal.runId,
    reseal.n,
    reseal.fromSha256,
    reseal.toSha256,
    reseal.retiredKeyId,
    reseal.at,
  ]);
  await tx.run('UPDATE archive SET history_json = ? WHERE workflow_id = ? AND run_id = ?', [run.historyJson, run.workflowId, run.runId]);
  await insertLeaf(tx, leafOfReseal(reseal));
  return reseal;
}

/**
 * Each run's chain of re-sealings checked: the first from the archived SHA-256, each next from the
 * one before; a problem names the first run whose chain breaks. Erased bodies are not looked at.
 */
export function checkResealChains(runs: Iterable<ArchivedRun>, reseals: readonly ArchiveReseal[]): { workflowId: string; reason: string } | null {
  const byRun = new Map<string, ArchiveReseal[]>();
  for (const r of reseals) byRun.set(`${r.workflowId}/${r.runId}`, [...(byRun.get(`${r.workflowId}/${r.runId}`) ?? []), r]);
  for (const run of runs) {
    const chain = (byRun.get(`${run.workflowId}/${run.runId}`) ?? []).sort((a, b) => a.n - b.n);
    let expected = run.sha256;
    for (const [i, r] of chain.entries()) {
      if (r.n !== i + 1 || r.fromSha256 !== expected)
        return {
          workflowId: run.workflowId,
          reason: `the re-sealings of the archived history of ${run.workflowId} run ${run.runId} do not follow on from one another`,
        };
      expected = r.toSha256;
    }
  }
  return null;
}

/** Seals the payloads kept in plaintext before the store had keys, once per ledger; returns how many. */
export async function sealPlaintextIn(db: SqlDriver, sealer: TextSealer, now: Date, context: (digest: string) => string): Promise<number> {
  // Done once per ledger: later starts do not scan every payload again.
  if (await db.get("SELECT value FROM ledger_meta WHERE key = 'payloads_sealed'")) return 0;
  let sealed = 0;
  for (;;) {
    const rows = await db.all("SELECT digest, body FROM payloads WHERE body NOT LIKE 'sealed:v1:%' LIMIT 500");
    if (rows.length === 0) {
      await db.run("INSERT INTO ledger_meta VALUES ('payloads_sealed', ?) ON CONFLICT DO NOTHING", [now.toISOString()]);
      return sealed;
    }
    for (const row of rows) {
      const [digest, body] = [String(row.digest), String(row.body)];
      // Guarded by the old body: two workers sealing at once never seal a seal.
      await db.run('UPDATE payloads SET body = ? WHERE digest = ? AND body = ?', [sealer.seal(body, context(digest)), digest, body]);
      sealed++;
    }
  }
}
