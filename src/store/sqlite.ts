// The embedded store: one SQLite file under SPCONN_DATA_DIR.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { RequestStore } from './requestStore.js';
import type { Database } from './schema.js';

export async function openSqliteStore(dataDir: string): Promise<RequestStore> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = new SQLite(join(dataDir, 'spconn.sqlite'));
  file.pragma('journal_mode = WAL');
  // With WAL, NORMAL survives a crash of the process (the case that matters here) without an fsync per commit.
  file.pragma('synchronous = NORMAL');
  file.pragma('busy_timeout = 5000');
  file.pragma('foreign_keys = ON');
  const store = new RequestStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) }), 'sqlite');
  await store.migrate();
  return store;
}
