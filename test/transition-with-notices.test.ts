import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAuditActivities } from '../activities/audit';
import { createNoticeActivities } from '../activities/notices';
import { loopbackTransport } from '../activities/notices/mail-sink';
import { openSqliteLedger, openSqliteNoticeLog } from '../activities/stores';
import {
  createTransitionWithNoticesActivity,
  type TransitionsWithNoticesOutcome,
  type TransitionWithNoticesInput,
} from '../activities/transition-with-notices';
import { verifyChains } from '../activities/ledger/verify';
import { NOTICE_QUICK_ATTEMPTS } from '../domain/notification-policy';
import { freePort } from './helpers/environments';
import { startRecordingSmtp } from './helpers/smtp';

const workflowId = 'project:alliance-105:TE2-0001';
const input: TransitionWithNoticesInput = {
  workflowId,
  chainId: 'first-run',
  entry: {
    seq: 1,
    at: '2017-02-10T02:00:00.000Z',
    actor: { role: 'office', id: 'kao' },
    event: 'tranche.pay',
    from: ['execution.funding.requested'],
    to: ['execution.funding.paid'],
  },
  payload: { paymentReference: 'PAY-1-1' },
  notices: [
    {
      key: `notice:${workflowId}:t1-tranchePaid`,
      kind: 'tranchePaid',
      language: 'en',
      variables: { projectTitle: '5G 邊緣運算產業聯盟', year: 1, tranche: 1, amount: 1_000_000, paymentReference: 'PAY-1-1' },
      recipients: [{ role: 'pi', name: 'Lin Chih-ming', email: 'lin@ntu.edu.tw' }],
    },
  ],
};

describe("a transition's ledger append and its notices in one activity", () => {
  it('appends first, so a relay that is away holds up no ledger entry; its third attempt hands the notices over, and a later one sends them once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-transition-'));
    const ledger = await openSqliteLedger(path.join(dir, 'ledger.sqlite'));
    const log = await openSqliteNoticeLog(path.join(dir, 'notices.sqlite'));
    const port = await freePort();
    const mail = { transport: loopbackTransport(port, { connectionTimeout: 2_000 }), from: 'office@example.tw', log };
    const { recordTransitionWithNotices } = createTransitionWithNoticesActivity(
      createAuditActivities({ ledger, client: {} as Client }),
      createNoticeActivities({ mail, ledger }),
    );
    const attempt = (n: number) => new MockActivityEnvironment({ attempt: n }).run(recordTransitionWithNotices, input);

    // The relay is away: the first attempts fail for Temporal to retry, the entry already in the ledger.
    await expect(attempt(1)).rejects.toThrow();
    expect((await ledger.entries()).map((e) => [e.workflowId, e.entrySeq, e.event])).toEqual([[workflowId, 1, 'tranche.pay']]);
    expect(await attempt(NOTICE_QUICK_ATTEMPTS)).toEqual({ ledger: 'alreadyThere', notices: 'relayAway' });

    // The relay is back (a retry of the notice's own workflow, or of this activity): one copy, one entry.
    const relay = await startRecordingSmtp({ port });
    expect(await attempt(NOTICE_QUICK_ATTEMPTS + 1)).toEqual({
      ledger: 'alreadyThere',
      notices: [{ key: input.notices[0]!.key, status: 'delivered', sent: 1, alreadySent: 0, uncertain: 0 }],
    });
    expect(await attempt(NOTICE_QUICK_ATTEMPTS + 2)).toMatchObject({ notices: [{ status: 'delivered', sent: 0, alreadySent: 1 }] });
    expect(relay.accepted.map((m) => m.subject)).toHaveLength(1);
    expect(await ledger.entries()).toHaveLength(1);
    await Promise.all([relay.stop(), ledger.close(), log.close()]);
  });
  it('appends the transitions it carries first, in order, and finds there those their own activities wrote', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-carry-'));
    const ledger = await openSqliteLedger(path.join(dir, 'ledger.sqlite'));
    const log = await openSqliteNoticeLog(path.join(dir, 'notices.sqlite'));
    const { recordTransitionsWithNotices } = createTransitionWithNoticesActivity(
      createAuditActivities({ ledger, client: {} as Client }),
      createNoticeActivities({ mail: { transport: loopbackTransport(await freePort()), from: 'office@example.tw', log }, ledger }),
    );
    const transition = (seq: number) => ({
      entry: { ...input.entry, seq, at: `2017-02-10T02:00:0${seq}.000Z` },
      payload: { paymentReference: `PAY-1-${seq}` },
    });
    const appendAlone = (seq: number, after?: number): Promise<TransitionsWithNoticesOutcome> =>
      new MockActivityEnvironment().run(recordTransitionsWithNotices, {
        ...(after === undefined ? {} : { after }),
        transitions: [{ workflowId, chainId: 'first-run', ...transition(seq), notices: [] }],
      });
    await appendAlone(1);
    // 2 and 3 were on their way when 4 came: 4's append writes them, after 1.
    const carried = [transition(2), transition(3)];
    const outcome = await new MockActivityEnvironment().run(recordTransitionsWithNotices, {
      after: 1,
      carried,
      transitions: [{ workflowId, chainId: 'first-run', ...transition(4), notices: [] }],
    });
    expect(outcome).toEqual({ ledger: ['appended'], notices: [] });
    expect((await ledger.entries()).map((e) => e.entrySeq)).toEqual([1, 2, 3, 4]);
    // 3's own activity, later: found there, nothing added.
    expect((await appendAlone(3, 2)).ledger).toEqual(['alreadyThere']);
    expect(verifyChains(await ledger.entries(), 'ledger').broken).toBeNull();
    expect(await ledger.alerts()).toEqual([]);
    await Promise.all([ledger.close(), log.close()]);
  });
});
