// Retiring a payload key, the ledger's part, on both databases: payloads and alerts sealed again
// under the current key, an archived history re-sealed with a leaf of its own; verify follows the
// chain from the archived SHA-256 to the body kept, and names a re-sealing altered or removed.
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { textSealer } from '../../activities/crypto/key-ring';
import { checkLedger } from '../../activities/ledger/integrity';
import { SqlLedgerStore } from '../../activities/ledger/sql-store';
import type { NewLedgerEntry } from '../../activities/ledger/store';
import type { SqlDriver } from '../../activities/sql/driver';
import { decodeHistoryJson, payloadToJson, resealHistoryJson } from '../../gateway/history-codec';
import { EncryptionCodec } from '../../gateway/payload-codec';
import { canonicalJson, sha256 } from '../../tlog/digest';
import { retiringKeys } from '../fixtures/retiring-keys';
import { databases } from './contract';

const { underA: ringA, rotated: ringAB, onlyB: ringB } = retiringKeys;
const workflowId = 'project:alliance-115:TE2-0001';
const body = canonicalJson({ pi: '葉存真', email: 'yeh@ntu.edu.tw' });
const entry: NewLedgerEntry = {
  workflowId,
  chainId: 'run-1',
  entrySeq: 1,
  at: '2026-03-01T00:00:00.000Z',
  actor: { role: 'pi', id: 'pi-yeh' },
  event: 'application.submit',
  from: ['draft'],
  to: ['submitted'],
  payloadDigest: sha256(body),
};

/** A history as the archive keeps it (Temporal's indented JSON), its one payload sealed under key A. */
async function historySealedUnderA(): Promise<string> {
  const [sealed] = await new EncryptionCodec(ringA).encode([
    { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ pi: '葉存真' })) },
  ]);
  return JSON.stringify({ events: [{ eventId: '1', workflowExecutionStartedEventAttributes: { input: { payloads: [payloadToJson(sealed!)] } } }] }, null, 2);
}

const stored = (driver: SqlDriver, sql: string, params: string[] = []) => driver.all(sql, params);

describe.each(databases)('a payload key retired from the ledger on %s', (_name, fresh) => {
  it('seals payloads, alerts and archived histories again; verify follows the re-sealings and names one altered or removed', async () => {
    const open = await fresh('ledger_reseal');
    const before = await SqlLedgerStore.open(open(), { sealer: textSealer(ringA) });
    await before.append(entry, body);
    await before.raiseAlert({
      key: `notice/notice:${workflowId}:x/yeh@ntu.edu.tw`,
      kind: 'noticeHeldUp',
      subject: 'to yeh@ntu.edu.tw',
      detail: 'held',
      at: entry.at,
    });
    const archived = await historySealedUnderA();
    await before.archiveRun({ workflowId, runIndex: 0, runId: 'run-1', historyJson: archived, sha256: sha256(archived), archivedAt: entry.at });
    await before.close();

    const ledger = await SqlLedgerStore.open(open(), { sealer: textSealer(ringAB) });
    const raw = open();
    try {
      expect(await ledger.resealTexts('A-2026')).toEqual({ payloads: 1, alerts: 1 });
      expect(await ledger.resealTexts('A-2026')).toEqual({ payloads: 0, alerts: 0 });
      const mentioning = await ledger.archivedRunsMentioning(Buffer.from('A-2026').toString('base64'));
      expect(mentioning).toEqual([{ workflowId, runId: 'run-1' }]);
      const again = await resealHistoryJson(archived, 'A-2026', new EncryptionCodec(ringAB));
      expect(again.resealed).toBe(1);
      const reseal = await ledger.resealArchivedRun({ workflowId, runId: 'run-1', historyJson: again.json, retiredKeyId: 'A-2026' });
      expect(reseal).toEqual(expect.objectContaining({ n: 1, fromSha256: sha256(archived), toSha256: sha256(again.json), retiredKeyId: 'A-2026' }));
      expect(await ledger.archivedRunsMentioning(Buffer.from('A-2026').toString('base64'))).toEqual([]);

      // Nothing under A is left; what was there opens with B alone, as it was.
      const texts = [
        ...(await stored(raw, 'SELECT body AS t FROM payloads')),
        ...(await stored(raw, 'SELECT subject AS t FROM office_alerts')),
        ...(await stored(raw, 'SELECT detail AS t FROM office_alerts')),
      ].map((r) => String(r.t));
      expect(texts.every((t) => t.startsWith('sealed:v1:B-2027:'))).toBe(true);
      const onlyB = await SqlLedgerStore.open(open(), { sealer: textSealer(ringB) });
      expect([...(await onlyB.payloads([entry.payloadDigest])).values()]).toEqual([body]);
      expect((await onlyB.alerts())[0]!.subject).toBe('to yeh@ntu.edu.tw');
      const [run] = await onlyB.archivedRuns(workflowId);
      expect(run!.resealedSha256).toBe(sha256(again.json));
      const decoded = await decodeHistoryJson(JSON.parse(run!.historyJson) as unknown, [new EncryptionCodec(ringB)]);
      expect(JSON.stringify(decoded)).toContain(Buffer.from(JSON.stringify({ pi: '葉存真' })).toString('base64'));
      await onlyB.close();

      // The tree grew by the re-sealing's leaf and verifies; an altered or missing re-sealing does not.
      const green = await checkLedger(ledger);
      expect([green.problem, green.leaves]).toEqual([null, 3]);
      await raw.run('UPDATE archive_reseals SET to_sha256 = ?', [sha256('something else')]);
      expect((await checkLedger(ledger)).problem).toEqual(
        expect.objectContaining({ check: 'archive', reason: expect.stringMatching(/no longer has its SHA-256|is not the one its leaf/) }),
      );
      await raw.run('UPDATE archive_reseals SET to_sha256 = ?', [sha256(again.json)]);
      await raw.run('UPDATE archive_reseals SET from_sha256 = ?', [sha256('not the archived one')]);
      expect((await checkLedger(ledger)).problem?.reason).toMatch(/re-sealings of the archived history .* do not follow on/);
      await raw.run('UPDATE archive_reseals SET from_sha256 = ?', [sha256(archived)]);
      await raw.run('DELETE FROM archive_reseals');
      expect((await checkLedger(ledger)).problem?.reason).toMatch(/no longer has its SHA-256|re-sealing .* no longer recorded/);
      // A body altered since is never sealed again.
      await raw.run('UPDATE archive SET history_json = ?', ['{"events":[]}']);
      await expect(ledger.resealArchivedRun({ workflowId, runId: 'run-1', historyJson: again.json, retiredKeyId: 'A-2026' })).rejects.toThrow(
        /it was altered; nothing re-sealed/,
      );
    } finally {
      await raw.close();
      await ledger.close();
    }
  });
});
