/** A row as both databases return it: column name to value (PostgreSQL's BIGINT arrives as a string). */
export type Row = Record<string, string | number | null>;
export type Parameter = string | number | null;

/**
 * The little SQL the stores need, spoken the same way to SQLite (one machine) and PostgreSQL
 * (many workers). Statements use `?` placeholders; the PostgreSQL driver numbers them.
 */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  all(sql: string, params?: readonly Parameter[]): Promise<Row[]>;
  get(sql: string, params?: readonly Parameter[]): Promise<Row | null>;
  run(sql: string, params?: readonly Parameter[]): Promise<void>;
  /**
   * Runs `work` in one transaction that no other writer of the same database interleaves with
   * (SQLite: BEGIN IMMEDIATE behind an in-process queue; PostgreSQL: a transaction-scoped advisory
   * lock named `lock`), committed if it resolves, rolled back if it throws.
   */
  transaction<T>(lock: string, work: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One piece of work at a time, in the order asked: SQLite has one connection per process. */
export function createQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work);
    tail = run.catch(() => undefined);
    return run;
  };
}
