import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SqlDriver } from '../../activities/sql/driver';
import { postgresDriver } from '../../activities/sql/postgres-driver';
import { sqliteDriver } from '../../activities/sql/sqlite-driver';
import { sharedPostgresDatabase } from '../helpers/postgres';

/** The two databases every store contract runs against: a fresh one of each per call. */
export const databases: [string, (name: string) => Promise<() => SqlDriver>][] = [
  [
    'SQLite',
    (name) => {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), `alliance-${name}-`)), `${name}.sqlite`);
      return Promise.resolve(() => sqliteDriver(file));
    },
  ],
  [
    'PostgreSQL',
    async (name) => {
      const url = await sharedPostgresDatabase(name);
      return () => postgresDriver(url);
    },
  ],
];
