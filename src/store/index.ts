// Which store: PostgreSQL when DATABASE_URL is set (several replicas), else the embedded SQLite file.
import type { RequestStore } from './requestStore.js';

export async function openStore(opts: { databaseUrl?: string; dataDir: string }): Promise<RequestStore> {
  if (opts.databaseUrl) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(opts.databaseUrl);
  }
  const { openSqliteStore } = await import('./sqlite.js');
  return openSqliteStore(opts.dataDir);
}
