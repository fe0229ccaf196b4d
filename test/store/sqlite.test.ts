// The embedded store's files on disk: for the app's user only, whatever the umask.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, SQLITE_FILE } from '../../src/store/sqlite.js';
import { requestRow } from '../support/requestRow.js';

const modeOf = (path: string) => `0${(statSync(path).mode & 0o777).toString(8)}`;

const row = (id: string) => requestRow(id);

describe('the SQLite store on disk', () => {
  let root: string;
  let umask: number;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'spconn-sqlite-modes-'));
    umask = process.umask();
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it.each(['022', '000', '277'])('creates its directory 0700 and the database, -wal and -shm 0600 under umask %s', async (mask) => {
    process.umask(parseInt(mask, 8));
    const dir = join(root, 'data');
    const store = await openSqliteStore(dir);
    try {
      await store.insert(row('r1'), 'U1');
      const db = join(dir, SQLITE_FILE);
      // While the store is open, SQLite keeps its log and index beside the database: they must exist to be checked.
      expect(existsSync(`${db}-wal`) && existsSync(`${db}-shm`)).toBe(true);
      expect([dir, db, `${db}-wal`, `${db}-shm`].map(modeOf)).toEqual(['0700', '0600', '0600', '0600']);
    } finally {
      await store.close();
    }
  });

  it('tightens a database, -wal and -shm that an earlier version left readable by others', async () => {
    process.umask(0o022);
    const dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o700 });
    const db = join(dir, SQLITE_FILE);
    // An older spconn still holding the file: its -wal and -shm are there, as after a crash.
    const older = new SQLite(db);
    try {
      older.pragma('journal_mode = WAL');
      older.exec('create table t (x)');
      for (const f of [db, `${db}-wal`, `${db}-shm`]) chmodSync(f, 0o644);
      const store = await openSqliteStore(dir);
      await store.close();
      expect([db, `${db}-wal`, `${db}-shm`].map(modeOf)).toEqual(['0600', '0600', '0600']);
    } finally {
      older.close();
    }
  });

  it('refuses a data directory that other users can enter, says how to fix it, and changes nothing', async () => {
    process.umask(0o022);
    const dir = join(root, 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    await expect(openSqliteStore(dir)).rejects.toThrow(`is open to other users (mode 0755)`);
    await expect(openSqliteStore(dir)).rejects.toThrow(`chmod 700 ${dir}`);
    expect(modeOf(dir)).toBe('0755');
    expect(existsSync(join(dir, SQLITE_FILE))).toBe(false);
  });
});
