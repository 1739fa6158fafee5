import { SqlNoticeLog } from '../../activities/notices/notice-log';
import { databases } from './contract';

const at = (seconds: number): Date => new Date(Date.UTC(2026, 10, 26, 0, 0, seconds));

describe.each(databases)('the notice log on %s', (_name, fresh) => {
  it('lets one attempt at a time hold a key, frees it when the holder fails or its lease runs out, and never re-sends a sent key', async () => {
    const log = await SqlNoticeLog.open((await fresh('notices'))());
    try {
      expect((await log.claim('k', '<m@x>', 'worker-a#1', at(0), 60_000)).status).toBe('claimed');
      const held = await log.claim('k', '<m@x>', 'worker-b#2', at(10), 60_000);
      expect(held).toMatchObject({ status: 'held', until: at(60).toISOString() });
      expect(await log.renew('k', 'worker-a#1', at(90))).toBe(true);
      expect((await log.claim('k', '<m@x>', 'worker-b#2', at(70), 60_000)).status).toBe('held');
      await log.failed('k', 'worker-a#1', 'connection refused');
      const claimed = await log.claim('k', '<m@x>', 'worker-b#2', at(71), 60_000);
      expect(claimed).toMatchObject({ status: 'claimed', state: { attempts: 2, lastError: 'connection refused', leaseHolder: 'worker-b#2' } });
      // worker-b dies mid-send: after its lease, a third attempt may take over.
      expect((await log.claim('k', '<m@x>', 'worker-c#3', at(132), 60_000)).status).toBe('claimed');
      expect(await log.renew('k', 'worker-b#2', at(140))).toBe(false);
      expect((await log.undelivered()).map((n) => [n.key, n.attempts])).toEqual([['k', 3]]);
      await log.sent('k', at(133));
      expect((await log.claim('k', '<m@x>', 'worker-d#4', at(200), 60_000)).status).toBe('sent');
      expect(await log.undelivered()).toEqual([]);
      expect(await log.get('k')).toMatchObject({ status: 'sent', attempts: 3, firstAttemptAt: at(0).toISOString(), leaseHolder: null });
    } finally {
      await log.close();
    }
  });

  it('turns a key whose holder died after the end of DATA into `uncertain`, which no attempt sends again', async () => {
    const log = await SqlNoticeLog.open((await fresh('notices_uncertain'))());
    try {
      expect((await log.claim('k', '<m@x>', 'worker-a#1', at(0), 60_000)).status).toBe('claimed');
      expect(await log.committing('k', 'worker-b#9')).toBe(false);
      expect(await log.committing('k', 'worker-a#1')).toBe(true);
      expect(await log.renew('k', 'worker-a#1', at(90))).toBe(true);
      expect((await log.claim('k', '<m@x>', 'worker-b#2', at(80), 60_000)).status).toBe('held');
      // worker-a dies before the relay's answer is recorded; its lease runs out.
      const after = await log.claim('k', '<m@x>', 'worker-b#2', at(91), 60_000);
      expect(after).toMatchObject({ status: 'uncertain', state: { status: 'uncertain', leaseHolder: null, lastError: expect.stringContaining('worker-a#1') } });
      expect((await log.claim('k', '<m@x>', 'worker-c#3', at(200), 60_000)).status).toBe('uncertain');
      expect((await log.undelivered()).map((n) => [n.key, n.status])).toEqual([['k', 'uncertain']]);
      // A holder that lost the relay after the end of DATA says so itself; one that heard a refusal releases the key.
      await log.claim('k2', '<n@x>', 'worker-a#1', at(0), 60_000);
      await log.committing('k2', 'worker-a#1');
      await log.failed('k2', 'worker-a#1', '451 try again later');
      expect(await log.get('k2')).toMatchObject({ status: 'pending', leaseHolder: null, lastError: '451 try again later' });
      await log.claim('k2', '<n@x>', 'worker-a#2', at(1), 60_000);
      await log.committing('k2', 'worker-a#2');
      await log.uncertain('k2', 'worker-a#2', 'connection lost');
      expect(await log.get('k2')).toMatchObject({ status: 'uncertain', lastError: 'connection lost' });
    } finally {
      await log.close();
    }
  });

  it('gives a key to exactly one of many attempts claiming it at once', async () => {
    const open = await fresh('notices_race');
    const logs = await Promise.all([open(), open(), open()].map((db) => SqlNoticeLog.open(db)));
    try {
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => logs[i % 3]!.claim('race', '<r@x>', `attempt-${i}`, at(0), 60_000)));
      expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
    } finally {
      await Promise.all(logs.map((l) => l.close()));
    }
  });
});
