// The embedded store: one SQLite file under SPCONN_DATA_DIR, readable and writable by the app's user only.
import { chmodSync, closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
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
  const store = new RequestStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) }), 'sqlite');
  await store.migrate();
  return store;
}

/** How many prepared statements are kept: spconn's queries are a few dozen shapes, plus `in (…)` lists. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The database as Kysely's SQLite driver sees it, with each SQL text prepared once: the driver
 * prepares every query anew, and under the setups bench `prepare` was 8 % of the app's CPU. A
 * statement is reused only after its last use returned (`all` and `run` are synchronous, and spconn
 * never streams a query, the one way a statement stays busy); SQLite re-prepares a kept statement
 * itself when a migration changes the schema.
 */
export function withStatementCache(db: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const kept = new Map<string, SQLite.Statement>();
  return {
    prepare(sql) {
      let statement = kept.get(sql);
      if (statement) {
        // The most recently used last, so the first key is the one to drop.
        kept.delete(sql);
      } else {
        statement = db.prepare(sql);
        if (kept.size >= size) kept.delete(kept.keys().next().value!);
      }
      kept.set(sql, statement);
      return statement;
    },
    close() {
      kept.clear();
      db.close();
    },
  };
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
