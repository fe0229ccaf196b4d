// The embedded store: one SQLite file under SPCONN_DATA_DIR, readable and writable by the app's user only.
import { chmodSync, closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { RequestStore } from './requestStore.js';
import type { Database } from './schema.js';

export const SQLITE_FILE = 'spconn.sqlite';
/** SQLite's write-ahead log and its shared-memory index: they hold recent rows until a checkpoint. */
const SQLITE_COMPANIONS = ['-wal', '-shm'];

export async function openSqliteStore(dataDir: string): Promise<RequestStore> {
  ensurePrivateDir(dataDir);
  const path = join(dataDir, SQLITE_FILE);
  ensurePrivateFiles(path);
  const file = new SQLite(path);
  file.pragma('journal_mode = WAL');
  // With WAL, NORMAL survives a crash of the process (the case that matters here) without an fsync per commit.
  file.pragma('synchronous = NORMAL');
  file.pragma('busy_timeout = 5000');
  file.pragma('foreign_keys = ON');
  const store = new RequestStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) }), 'sqlite');
  await store.migrate();
  return store;
}

/**
 * Creates the data directory 0700 whatever the umask. An existing one that the group or others can
 * enter is refused, not changed: the directory is the operator's choice (a volume's mount point, a
 * home directory, a path other software shares) and a chmod could break whatever else uses it, and
 * as root it would succeed on anything. spconn has always created it 0700, so only a directory made
 * by hand is refused, and the message says how to fix it.
 */
function ensurePrivateDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) {
    // mkdir's mode is masked by the umask (077 would leave 0000 and SQLite unable to write): set it.
    chmodSync(dir, 0o700);
    return;
  }
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `The data directory ${dir} (SPCONN_DATA_DIR) is open to other users (mode ${octal(mode)}); it holds every request and its sealed Atlas call. ` +
        `Make it private with \`chmod 700 ${dir}\`, or point SPCONN_DATA_DIR at a directory that does not exist yet: spconn creates it for its own user.`,
    );
  }
}

/**
 * The database file and its -wal and -shm are 0600, whatever the umask. spconn creates the database
 * file itself because SQLite would make it 0644 less the umask; SQLite then gives the -wal and -shm
 * it creates the database file's mode. Files left readable by an earlier version, or by a crash
 * (which leaves -wal and -shm behind), are tightened: they are spconn's by name, and leaving them
 * open is the defect.
 */
function ensurePrivateFiles(path: string): void {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    if ((fstatSync(fd).mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  for (const suffix of SQLITE_COMPANIONS) {
    let mode: number;
    try {
      mode = statSync(path + suffix).mode & 0o777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (mode !== 0o600) chmodSync(path + suffix, 0o600);
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
