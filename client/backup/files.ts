// The file handling a backup and a restore share: fresh directories, flushed copies, SQLite snapshots.
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AllianceError } from '../../domain/errors';

/** Refuses a target that holds anything: a backup set and a restored data directory are written only into fresh ones. */
export async function mustBeFresh(target: string, what: string): Promise<void> {
  const info = await lstat(target).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) throw new AllianceError('VALIDATION', `${what} ${target} exists and is not a directory: give a new or empty directory.`);
  if ((await readdir(target)).length > 0)
    throw new AllianceError('VALIDATION', `${what} ${target} is not empty: it is written only into a new or empty directory (move the old one aside).`);
}

/** A file does not exist there (a restore never overwrites one). */
export async function mustNotExist(target: string, what: string): Promise<void> {
  const info = await lstat(target).catch(() => null);
  if (info) throw new AllianceError('VALIDATION', `${what} ${target} exists: a restore writes only where nothing is (move it aside).`);
}

export const isFile = (file: string): Promise<boolean> =>
  lstat(file).then(
    (info) => info.isFile(),
    () => false,
  );

export const isDirectory = (dir: string): Promise<boolean> =>
  lstat(dir).then(
    (info) => info.isDirectory(),
    () => false,
  );

/** Flushes a file or a directory (its entries) to the disk: a set or a restore must outlive a power cut. */
export async function flush(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes every file and directory under `dir`, and `dir` itself. */
export async function flushTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const inner = path.join(dir, entry.name);
    if (entry.isDirectory()) await flushTree(inner);
    else if (entry.isFile()) await flush(inner);
  }
  await flush(dir);
}

/** The first line of a sealed document: the id of the payload key it is sealed under (activities/documents/document-store.ts). */
export async function sealedUnder(file: string): Promise<string | null> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(80);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const newline = head.subarray(0, bytesRead).indexOf(0x0a);
    return newline > 0 ? head.subarray(0, newline).toString('utf8') : null;
  } finally {
    await handle.close();
  }
}

/** Each store's schema as a database holds it: our stores' newest migration (schema_migrations). */
function schemasOf(db: DatabaseSync, name: string): Record<string, number> {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return {};
  const rows = db.prepare('SELECT component, MAX(version) AS version FROM schema_migrations GROUP BY component').all();
  return Object.fromEntries(rows.map((r) => [`${name}:${String(r.component)}`, Number(r.version)]));
}

/**
 * One SQLite database as one consistent snapshot, taken while the service writes to it: `VACUUM
 * INTO` from a connection of its own runs in one read transaction, so the copy is the database as
 * one commit left it (with write-ahead logging, as the service's stores and the embedded Temporal
 * server keep theirs, the writers go on meanwhile). Temporal's schema writes its JSON paths in
 * double quotes, which this SQLite reads only when told. The copy is checked (quick_check) before
 * it counts.
 */
export function snapshotSqlite(source: string, target: string, name: string): Record<string, number> {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(source, { timeout: 15_000, enableDoubleQuotedStringLiterals: true });
  } catch (error) {
    throw new AllianceError('VALIDATION', `Cannot open ${source}: ${(error as Error).message}.`);
  }
  try {
    db.prepare('VACUUM INTO ?').run(target);
  } finally {
    db.close();
  }
  const copy = new DatabaseSync(target, { readOnly: true, enableDoubleQuotedStringLiterals: true });
  try {
    const check = copy.prepare('PRAGMA quick_check').get();
    if (check?.quick_check !== 'ok') throw new AllianceError('INTEGRITY', `The snapshot of ${source} does not check: ${String(check?.quick_check)}.`);
    return schemasOf(copy, name);
  } finally {
    copy.close();
  }
}

/** The SQLite library's version this process links (the snapshots' writer). */
export function sqliteVersion(): string {
  const db = new DatabaseSync(':memory:');
  try {
    return String(db.prepare('SELECT sqlite_version() AS v').get()?.v);
  } finally {
    db.close();
  }
}
