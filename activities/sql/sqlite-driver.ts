import { openSqlite, type Database } from '../sqlite-file';
import { createQueue, type SqlDriver } from './driver';

/** Another connection (a reader, a second store in this process, the CLI) holds the file: wait this long at most. */
const BUSY_FOR_MS = 15_000;
const BUSY_PAUSE_MS = 10;

const isBusy = (error: unknown): boolean => /database is locked|SQLITE_BUSY/i.test(String((error as Error)?.message));

/** Runs a statement, waiting (without blocking the event loop) while another connection holds the database. */
async function patiently<T>(statement: () => T): Promise<T> {
  const deadline = Date.now() + BUSY_FOR_MS;
  for (;;) {
    try {
      return statement();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, BUSY_PAUSE_MS));
    }
  }
}

/** SQLite (node:sqlite): statements are synchronous, transactions queued one at a time. */
export function sqliteDriver(file: string, options: { readOnly?: boolean } = {}): SqlDriver {
  const db: Database = openSqlite(file, options);
  const queue = createQueue();
  const direct = (inTransaction: boolean): SqlDriver => ({
    dialect: 'sqlite',
    all: (sql, params = []) => patiently(() => db.all(sql, params)),
    get: (sql, params = []) => patiently(() => db.get(sql, params)),
    run: (sql, params = []) =>
      patiently(() => {
        db.run(sql, params);
      }),
    transaction: (_lock, work) => {
      if (inTransaction) return work(direct(true));
      return queue(async () => {
        await patiently(() => db.exec('BEGIN IMMEDIATE'));
        try {
          const result = await work(direct(true));
          await patiently(() => db.exec('COMMIT'));
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      });
    },
    close: () =>
      queue(() => {
        db.close();
        return Promise.resolve();
      }),
  });
  // Plain statements outside a transaction wait for a running one, so they never land inside it.
  const outside = direct(false);
  return {
    ...outside,
    all: (sql, params) => queue(() => outside.all(sql, params)),
    get: (sql, params) => queue(() => outside.get(sql, params)),
    run: (sql, params) => queue(() => outside.run(sql, params)),
  };
}
