import type { SqlDriver } from './driver';

/** One step of a store's schema; applied once, in order, recorded in `schema_migrations`. */
export interface Migration {
  version: number;
  description: string;
  up(db: SqlDriver): Promise<void>;
}

/**
 * Brings a store's schema to its newest version at start-up. Several workers starting at once
 * take turns (one transaction under one lock), and each step is applied exactly once.
 */
export async function migrate(db: SqlDriver, component: string, migrations: readonly Migration[]): Promise<number[]> {
  return db.transaction('migrate', async (tx) => {
    await tx.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, version))',
    );
    const applied = new Set((await tx.all('SELECT version FROM schema_migrations WHERE component = ?', [component])).map((r) => Number(r.version)));
    const done: number[] = [];
    for (const step of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(step.version)) continue;
      await step.up(tx);
      await tx.run('INSERT INTO schema_migrations VALUES (?, ?, ?, ?)', [component, step.version, step.description, new Date().toISOString()]);
      done.push(step.version);
    }
    return done;
  });
}
