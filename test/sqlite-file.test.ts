import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite } from '../activities/sqlite-file';
import { sqliteDriver } from '../activities/sql/sqlite-driver';

const freshFile = (): string => path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-sqlite-')), 'notices.sqlite');

describe('a SQLite file', () => {
  it('is written ahead of a log, so a reader never waits for a writer mid-transaction', () => {
    const file = freshFile();
    const writer = openSqlite(file);
    writer.exec('CREATE TABLE t (x INTEGER)');
    writer.run('INSERT INTO t VALUES (?)', [1]);
    expect(writer.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    writer.exec('BEGIN IMMEDIATE');
    writer.run('INSERT INTO t VALUES (?)', [2]);
    const reader = openSqlite(file, { readOnly: true });
    // The reader sees what was committed, at once, while the writer still holds its transaction.
    expect(reader.all('SELECT x FROM t')).toEqual([{ x: 1 }]);
    writer.exec('COMMIT');
    expect(reader.all('SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }]);
    reader.close();
    writer.close();
  });

  it('left by a process killed in the middle of a transaction opens at once, without what was not committed', async () => {
    const file = freshFile();
    const setup = openSqlite(file);
    setup.exec('CREATE TABLE t (x INTEGER)');
    setup.run('INSERT INTO t VALUES (1)');
    setup.close();
    // A second process takes the write lock, writes, says so and waits to be killed.
    const child = spawn(process.execPath, [
      '-e',
      `
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(${JSON.stringify(file)});
      db.exec('BEGIN IMMEDIATE'); db.exec('INSERT INTO t VALUES (2)');
      process.stdout.write('holding'); setInterval(() => undefined, 1000);`,
    ]);
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    const driver = sqliteDriver(file);
    // While it lives, a write waits (without blocking the event loop) ...
    const write = driver.transaction('t', (tx) => tx.run('INSERT INTO t VALUES (3)'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGKILL');
    // ... and goes through once the kernel has dropped the dead process's locks.
    await write;
    expect(await driver.all('SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }, { x: 3 }]);
    await driver.close();
  });
});
