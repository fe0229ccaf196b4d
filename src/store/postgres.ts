// The shared store for several replicas: PostgreSQL at DATABASE_URL, same tables and queries.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { RequestStore } from './requestStore.js';
import type { Database } from './schema.js';

export async function openPostgresStore(databaseUrl: string): Promise<RequestStore> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const store = new RequestStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
  await store.migrate();
  return store;
}
