import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../domain/environment';
import { ledgerFile } from './ledger/file';
import { SqlLedgerStore } from './ledger/sql-store';
import type { LedgerStore } from './ledger/store';
import type { KeyRing, TextSealer } from './crypto/key-ring';
import { DiskDocumentStore, SqlDocumentStore, type DocumentStore } from './documents/document-store';
import { SqlNoticeLog, type NoticeLog } from './notices/notice-log';
import { SqlSessionStore } from './sessions/session-store';
import { postgresDriver } from './sql/postgres-driver';
import { sqliteDriver } from './sql/sqlite-driver';

export interface ServiceStores {
  ledger: LedgerStore;
  notices: NoticeLog;
  /** Where they are, for the start-up banner (no credentials). */
  where: { ledger: string; notices: string };
  close(): Promise<void>;
}

/** host:port/database of a PostgreSQL URL, without its credentials. */
export const describePostgres = (url: string): string => {
  const u = new URL(url);
  return `PostgreSQL ${u.host}${u.pathname} (DATABASE_URL)`;
};

/**
 * The worker's stores: PostgreSQL at DATABASE_URL (shared by every worker), or SQLite files in
 * the data directory for a single machine. Schemas are migrated to their newest version here.
 */
export async function openStores(env: Environment, sealer?: TextSealer): Promise<ServiceStores> {
  if (env.DATABASE_URL) {
    const ledger = await SqlLedgerStore.open(postgresDriver(env.DATABASE_URL), sealer ? { sealer } : {});
    const notices = await SqlNoticeLog.open(postgresDriver(env.DATABASE_URL, { max: 8 }));
    const where = describePostgres(env.DATABASE_URL);
    return {
      ledger,
      notices,
      where: { ledger: where, notices: where },
      close: async () => {
        await ledger.close();
        await notices.close();
      },
    };
  }
  const ledgerPath = ledgerFile(env);
  const noticesPath = path.resolve(env.ALLIANCE_DATA_DIR, 'notices.sqlite');
  const ledger = await SqlLedgerStore.open(sqliteDriver(ledgerPath), sealer ? { sealer } : {});
  const notices = await SqlNoticeLog.open(sqliteDriver(noticesPath));
  return {
    ledger,
    notices,
    where: { ledger: ledgerPath, notices: noticesPath },
    close: async () => {
      await ledger.close();
      await notices.close();
    },
  };
}

/** A ledger in one SQLite file (created and migrated unless read-only). */
export function openSqliteLedger(file: string, options: { readOnly?: boolean; sealer?: TextSealer } = {}): Promise<SqlLedgerStore> {
  return SqlLedgerStore.open(sqliteDriver(file, { ...(options.readOnly ? { readOnly: true } : {}) }), {
    migrate: !options.readOnly,
    ...(options.sealer ? { sealer: options.sealer } : {}),
  });
}

/** A notice log in one SQLite file. */
export function openSqliteNoticeLog(file: string): Promise<SqlNoticeLog> {
  return SqlNoticeLog.open(sqliteDriver(file));
}

/** The API's read-only view of the ledger: PostgreSQL, or the SQLite file if a worker has written one; else none. */
export async function openLedgerForReading(env: Environment, exists: (file: string) => boolean, sealer?: TextSealer): Promise<LedgerStore | null> {
  const options = { migrate: false, ...(sealer ? { sealer } : {}) };
  if (env.DATABASE_URL) return SqlLedgerStore.open(postgresDriver(env.DATABASE_URL), options);
  const file = ledgerFile(env);
  return exists(file) ? SqlLedgerStore.open(sqliteDriver(file, { readOnly: true }), options) : null;
}

/**
 * The document store every Temporal client and worker of the service reads and writes through
 * its data converter: ALLIANCE_DOCUMENTS_DIR, else PostgreSQL at DATABASE_URL (what a cluster
 * shares), else documents/ in the data directory.
 */
export async function openDocumentStore(
  env: Pick<Environment, 'ALLIANCE_DOCUMENTS_DIR' | 'DATABASE_URL' | 'ALLIANCE_DATA_DIR'>,
  ring: KeyRing,
): Promise<DocumentStore> {
  if (env.ALLIANCE_DOCUMENTS_DIR) return new DiskDocumentStore(path.resolve(env.ALLIANCE_DOCUMENTS_DIR), ring);
  if (env.DATABASE_URL) return SqlDocumentStore.open(postgresDriver(env.DATABASE_URL, { max: 4 }), ring, describePostgres(env.DATABASE_URL));
  return new DiskDocumentStore(path.resolve(env.ALLIANCE_DATA_DIR, 'documents'), ring);
}

/**
 * The API's browser sessions: PostgreSQL at DATABASE_URL (what every replica shares), else
 * sessions.sqlite in the data directory (one machine). Refresh tokens are sealed under the ring.
 */
export async function openSessionStore(env: Pick<Environment, 'DATABASE_URL' | 'ALLIANCE_DATA_DIR'>, sealer?: TextSealer): Promise<SqlSessionStore> {
  const options = sealer ? { sealer } : {};
  if (env.DATABASE_URL) return SqlSessionStore.open(postgresDriver(env.DATABASE_URL, { max: 4 }), options);
  mkdirSync(env.ALLIANCE_DATA_DIR, { recursive: true });
  return SqlSessionStore.open(sqliteDriver(path.resolve(env.ALLIANCE_DATA_DIR, 'sessions.sqlite')), options);
}
