import type { Row, SqlDriver } from '../sql/driver';
import { migrate, type Migration } from '../sql/migrate';

export interface NoticeState {
  key: string;
  /**
   * `pending`: not sent yet; `committing`: the relay has the whole message and the attempt is
   * letting it end DATA; `sent`: the relay accepted it; `uncertain`: the attempt stopped between
   * ending DATA and hearing the answer, so nobody knows whether the relay took it — never sent
   * again on its own (that could be a second copy): the office is told and decides.
   */
  status: 'pending' | 'committing' | 'sent' | 'uncertain';
  messageId: string;
  firstAttemptAt: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  /** The attempt sending it right now, and until when its lease holds unless renewed. */
  leaseHolder: string | null;
  leaseUntil: string | null;
}

export type Claim =
  | { status: 'claimed'; state: NoticeState }
  | { status: 'sent'; state: NoticeState }
  /** Another attempt is sending it (its lease is live): try again after `until`. */
  | { status: 'held'; state: NoticeState; until: string }
  /** An attempt ended DATA and was not heard from again: whether it arrived is unknown. */
  | { status: 'uncertain'; state: NoticeState };

/**
 * What has been sent, by idempotency key (workflow, notice, recipient), shared by every worker:
 * an attempt takes a lease on a key before it talks to the relay, so two workers never send the
 * same mail at the same time, and a sent key is never sent again.
 */
export interface NoticeLog {
  get(key: string): Promise<NoticeState | null>;
  /**
   * Counts an attempt and takes the lease for `holder` until `now + leaseMs`, unless sent or held
   * by another. A key left `committing` by a holder whose lease ran out becomes `uncertain`.
   */
  claim(key: string, messageId: string, holder: string, now: Date, leaseMs: number): Promise<Claim>;
  /** Extends the holder's lease; false when it is no longer theirs. */
  renew(key: string, holder: string, until: Date): Promise<boolean>;
  /**
   * The holder is about to let the relay end DATA: recorded first, so that if the holder dies
   * before it hears the answer, no later attempt sends a second copy. False when the lease is no
   * longer the holder's (another attempt may be sending): the holder must then abort DATA.
   */
  committing(key: string, holder: string): Promise<boolean>;
  /** The attempt failed before the relay could have taken the message: its error is kept and the lease released for the retry. */
  failed(key: string, holder: string, error: string): Promise<void>;
  /** The attempt lost the relay after ending DATA, before its answer: the key is `uncertain`, never retried on its own. */
  uncertain(key: string, holder: string, error: string): Promise<void>;
  sent(key: string, at: Date): Promise<void>;
  undelivered(): Promise<NoticeState[]>;
  /** Deletes every notice whose key starts with `prefix` (one project's, under retention), and its reminders waiting for a digest; returns their message ids. */
  erase(prefix: string): Promise<string[]>;
  /** Whether `email` chose a daily digest of the reminders that may wait. */
  digestChosen(email: string): Promise<boolean>;
  /** Records the person's choice (the preferences workflow's activity: its only writer). */
  chooseDigest(email: string, daily: boolean, at: Date): Promise<void>;
  /** Keeps a reminder for the recipient's next digest, once per key. */
  queueForDigest(item: DigestItem): Promise<void>;
  /** The reminders waiting, by recipient, oldest first. */
  waitingForDigest(): Promise<{ email: string; items: DigestItem[] }[]>;
  /** The reminders went out in the digest mail `digestKey`. */
  digested(keys: readonly string[], digestKey: string): Promise<void>;
  close(): Promise<void>;
}

/** A reminder kept for a person's daily digest: what the digest lists of it. */
export interface DigestItem {
  /** The reminder's mail key (notice and recipient): kept once. */
  key: string;
  email: string;
  language: string;
  subject: string;
  /** The reminder's own paragraph, as its mail would have said it. */
  line: string;
  queuedAt: string;
}

const noticeMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'notices by key',
    up: (db) =>
      db.run(`CREATE TABLE IF NOT EXISTS notices (
      key TEXT PRIMARY KEY, status TEXT NOT NULL, message_id TEXT NOT NULL, first_attempt_at TEXT NOT NULL,
      attempts INTEGER NOT NULL, last_error TEXT, sent_at TEXT)`),
  },
  {
    version: 2,
    description: 'a lease per key, so one attempt at a time talks to the relay',
    async up(db) {
      await db.run('ALTER TABLE notices ADD COLUMN lease_holder TEXT');
      await db.run('ALTER TABLE notices ADD COLUMN lease_until TEXT');
    },
  },
  {
    version: 3,
    description: 'who chose a daily digest of reminders, and the reminders waiting for it',
    async up(db) {
      await db.run('CREATE TABLE digest_choices (email TEXT PRIMARY KEY, daily INTEGER NOT NULL, chosen_at TEXT NOT NULL)');
      await db.run(
        'CREATE TABLE digest_queue (key TEXT PRIMARY KEY, email TEXT NOT NULL, language TEXT NOT NULL, subject TEXT NOT NULL, line TEXT NOT NULL, queued_at TEXT NOT NULL, digest_key TEXT)',
      );
      await db.run('CREATE INDEX digest_queue_waiting ON digest_queue (digest_key, email)');
    },
  },
];

const toState = (r: Row): NoticeState => ({
  key: String(r.key),
  status: r.status as NoticeState['status'],
  messageId: String(r.message_id),
  firstAttemptAt: String(r.first_attempt_at),
  attempts: Number(r.attempts),
  lastError: r.last_error === null ? null : String(r.last_error),
  sentAt: r.sent_at === null ? null : String(r.sent_at),
  leaseHolder: r.lease_holder === null || r.lease_holder === undefined ? null : String(r.lease_holder),
  leaseUntil: r.lease_until === null || r.lease_until === undefined ? null : String(r.lease_until),
});

/** The notice log over SQL: SQLite for one machine, PostgreSQL for many workers. */
export class SqlNoticeLog implements NoticeLog {
  private constructor(private readonly db: SqlDriver) {}

  static async open(db: SqlDriver): Promise<SqlNoticeLog> {
    await migrate(db, 'notices', noticeMigrations);
    return new SqlNoticeLog(db);
  }

  async get(key: string): Promise<NoticeState | null> {
    const row = await this.db.get('SELECT * FROM notices WHERE key = ?', [key]);
    return row ? toState(row) : null;
  }

  claim(key: string, messageId: string, holder: string, now: Date, leaseMs: number): Promise<Claim> {
    return this.db.transaction(`notice ${key}`, async (tx) => {
      const row = await tx.get('SELECT * FROM notices WHERE key = ?', [key]);
      const known = row ? toState(row) : null;
      if (known?.status === 'sent') return { status: 'sent', state: known };
      if (known?.status === 'uncertain') return { status: 'uncertain', state: known };
      if (known?.leaseHolder && known.leaseHolder !== holder && known.leaseUntil && known.leaseUntil > now.toISOString()) {
        return { status: 'held', state: known, until: known.leaseUntil };
      }
      if (known?.status === 'committing') {
        const why = `the attempt ${known.leaseHolder ?? ''} stopped after it let the relay end the message and before the relay's answer was recorded`;
        await tx.run("UPDATE notices SET status = 'uncertain', last_error = ?, lease_holder = NULL, lease_until = NULL WHERE key = ?", [why, key]);
        return { status: 'uncertain', state: toState((await tx.get('SELECT * FROM notices WHERE key = ?', [key]))!) };
      }
      const until = new Date(now.getTime() + leaseMs).toISOString();
      if (known) await tx.run('UPDATE notices SET attempts = attempts + 1, lease_holder = ?, lease_until = ? WHERE key = ?', [holder, until, key]);
      else
        await tx.run(
          "INSERT INTO notices (key, status, message_id, first_attempt_at, attempts, last_error, sent_at, lease_holder, lease_until) VALUES (?, 'pending', ?, ?, 1, NULL, NULL, ?, ?)",
          [key, messageId, now.toISOString(), holder, until],
        );
      return { status: 'claimed', state: toState((await tx.get('SELECT * FROM notices WHERE key = ?', [key]))!) };
    });
  }

  async renew(key: string, holder: string, until: Date): Promise<boolean> {
    await this.db.run("UPDATE notices SET lease_until = ? WHERE key = ? AND lease_holder = ? AND status IN ('pending', 'committing')", [
      until.toISOString(),
      key,
      holder,
    ]);
    const state = await this.get(key);
    return state?.leaseHolder === holder;
  }

  committing(key: string, holder: string): Promise<boolean> {
    return this.db.transaction(`notice ${key}`, async (tx) => {
      const row = await tx.get('SELECT * FROM notices WHERE key = ?', [key]);
      if (!row || toState(row).leaseHolder !== holder || toState(row).status !== 'pending') return false;
      await tx.run("UPDATE notices SET status = 'committing' WHERE key = ?", [key]);
      return true;
    });
  }

  failed(key: string, holder: string, error: string): Promise<void> {
    return this.db.run(
      "UPDATE notices SET status = 'pending', last_error = ?, lease_holder = NULL, lease_until = NULL WHERE key = ? AND status IN ('pending', 'committing') AND (lease_holder = ? OR lease_holder IS NULL)",
      [error, key, holder],
    );
  }

  uncertain(key: string, holder: string, error: string): Promise<void> {
    return this.db.run(
      "UPDATE notices SET status = 'uncertain', last_error = ?, lease_holder = NULL, lease_until = NULL WHERE key = ? AND status = 'committing' AND lease_holder = ?",
      [error, key, holder],
    );
  }

  sent(key: string, at: Date): Promise<void> {
    return this.db.run("UPDATE notices SET status = 'sent', sent_at = ?, last_error = NULL, lease_holder = NULL, lease_until = NULL WHERE key = ?", [
      at.toISOString(),
      key,
    ]);
  }

  async undelivered(): Promise<NoticeState[]> {
    return (await this.db.all("SELECT * FROM notices WHERE status <> 'sent' ORDER BY first_attempt_at, key")).map(toState);
  }

  erase(prefix: string): Promise<string[]> {
    return this.db.transaction(`notices ${prefix}`, async (tx) => {
      const where = 'substr(key, 1, ?) = ?';
      const ids = (await tx.all(`SELECT message_id FROM notices WHERE ${where}`, [prefix.length, prefix])).map((r) => String(r.message_id));
      await tx.run(`DELETE FROM notices WHERE ${where}`, [prefix.length, prefix]);
      await tx.run(`DELETE FROM digest_queue WHERE ${where}`, [prefix.length, prefix]);
      return ids;
    });
  }

  async digestChosen(email: string): Promise<boolean> {
    const row = await this.db.get('SELECT daily FROM digest_choices WHERE email = ?', [email.toLowerCase()]);
    return Number(row?.daily ?? 0) === 1;
  }

  chooseDigest(email: string, daily: boolean, at: Date): Promise<void> {
    const address = email.toLowerCase();
    return this.db.transaction(`digest ${address}`, async (tx) => {
      await tx.run('DELETE FROM digest_choices WHERE email = ?', [address]);
      await tx.run('INSERT INTO digest_choices (email, daily, chosen_at) VALUES (?, ?, ?)', [address, daily ? 1 : 0, at.toISOString()]);
    });
  }

  queueForDigest(item: DigestItem): Promise<void> {
    return this.db.transaction(`digest ${item.key}`, async (tx) => {
      if (await tx.get('SELECT key FROM digest_queue WHERE key = ?', [item.key])) return;
      await tx.run('INSERT INTO digest_queue (key, email, language, subject, line, queued_at, digest_key) VALUES (?, ?, ?, ?, ?, ?, NULL)', [
        item.key,
        item.email.toLowerCase(),
        item.language,
        item.subject,
        item.line,
        item.queuedAt,
      ]);
    });
  }

  async waitingForDigest(): Promise<{ email: string; items: DigestItem[] }[]> {
    const rows = await this.db.all('SELECT * FROM digest_queue WHERE digest_key IS NULL ORDER BY email, queued_at, key');
    const byEmail = new Map<string, DigestItem[]>();
    for (const r of rows) {
      const item = {
        key: String(r.key),
        email: String(r.email),
        language: String(r.language),
        subject: String(r.subject),
        line: String(r.line),
        queuedAt: String(r.queued_at),
      };
      byEmail.set(item.email, [...(byEmail.get(item.email) ?? []), item]);
    }
    return [...byEmail].map(([email, items]) => ({ email, items }));
  }

  digested(keys: readonly string[], digestKey: string): Promise<void> {
    return this.db.transaction(`digest ${digestKey}`, async (tx) => {
      for (const key of keys) await tx.run('UPDATE digest_queue SET digest_key = ? WHERE key = ?', [digestKey, key]);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
