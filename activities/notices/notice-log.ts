import type { Database } from 'node-sqlite3-wasm';
import { openSqlite } from '../sqlite-file';

export interface NoticeState {
  key: string;
  status: 'pending' | 'sent';
  messageId: string;
  firstAttemptAt: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

/** What has been sent, by idempotency key (workflow, notice, recipient): a retry or a replay sends nothing twice. */
export class SqliteNoticeLog {
  private readonly db: Database;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS notices (
      key TEXT PRIMARY KEY, status TEXT NOT NULL, message_id TEXT NOT NULL, first_attempt_at TEXT NOT NULL,
      attempts INTEGER NOT NULL, last_error TEXT, sent_at TEXT)`);
  }

  get(key: string): NoticeState | null {
    const r = this.db.get('SELECT * FROM notices WHERE key = ?', [key]) as Record<string, string | number | null> | null;
    if (!r) return null;
    return {
      key, status: r.status as NoticeState['status'], messageId: String(r.message_id), firstAttemptAt: String(r.first_attempt_at),
      attempts: Number(r.attempts), lastError: r.last_error === null ? null : String(r.last_error), sentAt: r.sent_at === null ? null : String(r.sent_at),
    };
  }

  /** Records an attempt before it is made, so a long outage is measured from the first one. */
  attempt(key: string, messageId: string, at: string): NoticeState {
    this.db.run(
      `INSERT INTO notices VALUES (?, 'pending', ?, ?, 1, NULL, NULL)
       ON CONFLICT (key) DO UPDATE SET attempts = attempts + 1`,
      [key, messageId, at],
    );
    return this.get(key)!;
  }

  failed(key: string, error: string): void {
    this.db.run('UPDATE notices SET last_error = ? WHERE key = ?', [error, key]);
  }

  sent(key: string, at: string): void {
    this.db.run("UPDATE notices SET status = 'sent', sent_at = ?, last_error = NULL WHERE key = ?", [at, key]);
  }

  undelivered(): NoticeState[] {
    return (this.db.all("SELECT key FROM notices WHERE status = 'pending' ORDER BY first_attempt_at") as { key: string }[]).map((r) => this.get(r.key)!);
  }

  close(): void {
    this.db.close();
  }
}
