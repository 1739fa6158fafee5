import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import type { Parameter as Value, Row } from './sql/driver';

/** A SQLite connection as the stores use it: statements with `?` parameters, one transaction at a time. */
export interface Database {
  all(sql: string, params?: readonly Value[]): Row[];
  get(sql: string, params?: readonly Value[]): Row | null;
  run(sql: string, params?: readonly Value[]): void;
  exec(sql: string): void;
  readonly inTransaction: boolean;
  close(): void;
}

/**
 * Opens a SQLite file through Node's built-in SQLite (`node:sqlite`). Until 2026-11-28 the stores
 * ran on SQLite compiled to WebAssembly, whose statements, file locks (a `.lock` directory per
 * database) and copies in and out of its memory cost a project's command 14 ms of the worker's main
 * thread; natively, and with one disk wait per commit instead of three, the worker's process spends
 * 19–29 ms of CPU a command with 50 projects at once where it spent 35 (docs/performance.md, "Speed beside bare
 * Temporal").
 *
 * Write-ahead logging: a commit waits for one sync of the log (`synchronous=FULL`, as durable as
 * the rollback journal), and an auditor's long read never holds up the worker's appends. A process
 * killed mid-transaction leaves no lock behind (the kernel drops its file locks) and its unfinished
 * transaction is rolled back by the next connection. Busy is reported at once (`timeout: 0`): the
 * driver waits for another connection without blocking the event loop.
 */
export function openSqlite(file: string, options: { readOnly?: boolean } = {}): Database {
  const readOnly = options.readOnly ?? false;
  if (!readOnly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new DatabaseSync(file, { readOnly, timeout: 0 });
  // secure_delete: what is deleted (an erasure under the retention policy) is overwritten, not left in free pages.
  if (!readOnly) db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON');
  // Prepared once per connection: the stores speak a few dozen statements, each many times.
  const statements = new Map<string, StatementSync>();
  const prepared = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  // Rows arrive without a prototype; the stores compare and spread them as plain objects.
  // The stores keep text, integers, reals and NULL only, so a value is never a bigint or bytes.
  const plain = (row: Record<string, SQLOutputValue>): Row => ({ ...(row as Row) });
  return {
    all: (sql, params = []) =>
      prepared(sql)
        .all(...params)
        .map(plain),
    get: (sql, params = []) => {
      const row = prepared(sql).get(...params);
      return row ? plain(row) : null;
    },
    run: (sql, params = []) => {
      prepared(sql).run(...params);
    },
    exec: (sql) => db.exec(sql),
    get inTransaction() {
      return db.isTransaction;
    },
    close: () => db.close(),
  };
}
