import { existsSync, mkdirSync, mkdtempSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite } from '../activities/sqlite-file';

describe('a SQLite file left locked by a killed process', () => {
  it('opens once the lock is recognised as stale, and keeps working', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-sqlite-')), 'notices.sqlite');
    openSqlite(file).close();
    // What a process killed mid-statement leaves behind: the lock directory, a minute old.
    mkdirSync(`${file}.lock`);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, aMinuteAgo, aMinuteAgo);
    const db = openSqlite(file);
    db.exec('CREATE TABLE t (x INTEGER)');
    db.run('INSERT INTO t VALUES (1)');
    expect(db.get('SELECT x FROM t')).toEqual({ x: 1 });
    db.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
