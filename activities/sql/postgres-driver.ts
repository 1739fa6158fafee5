import pg from 'pg';
import type { Parameter, Row, SqlDriver } from './driver';

// BIGINT (row numbers of a ledger) as a number: ledgers stay far below 2^53 entries.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** `?` placeholders numbered the PostgreSQL way; the stores' SQL has no `?` in literals. */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** A 64-bit advisory lock key from a name, the same in every process. */
const lockKey = (name: string): string => {
  let hash = 0n;
  for (const byte of Buffer.from(name, 'utf8')) hash = (hash * 131n + BigInt(byte)) & 0x7fffffffffffffffn;
  return hash.toString();
};

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

const over = (target: Queryable, transaction: SqlDriver['transaction'], close: () => Promise<void>): SqlDriver => ({
  dialect: 'postgres',
  all: async (sql, params = []) => (await target.query(numbered(sql), [...params] as Parameter[])).rows,
  get: async (sql, params = []) => (await target.query(numbered(sql), [...params] as Parameter[])).rows[0] ?? null,
  run: async (sql, params = []) => {
    await target.query(params.length === 0 ? sql : numbered(sql), [...params] as Parameter[]);
  },
  transaction,
  close,
});

/**
 * PostgreSQL at `url` through a small pool. A connection lost to a restart of the server fails
 * the statement (the caller's activity is retried) and the pool connects anew on the next one.
 */
export function postgresDriver(url: string, options: { max?: number } = {}): SqlDriver {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 30_000,
  });
  // A connection the server dropped must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const transaction: SqlDriver['transaction'] = async (lock, work) => {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey(lock)]);
      const inside = over(
        client,
        (_l, w) => w(inside),
        () => Promise.resolve(),
      );
      const result = await work(inside);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };
  return over(pool, transaction, () => pool.end());
}
