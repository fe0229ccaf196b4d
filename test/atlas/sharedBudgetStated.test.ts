// Two replicas on one PostgreSQL, each with `atlas.pacing` overstating the bucket 10x and Atlas
// sending no RateLimit headers: both learn the refill and capacity Atlas states at GET /rateLimits,
// hand them to the shared budget with every take, and together meet no 429.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AtlasClient } from '../../src/atlas/client.js';
import { ProjectPacer } from '../../src/atlas/pacer.js';
import { streamsRefill } from '../../src/atlas/rateLimits.js';
import { PostgresSharedBudget } from '../../src/atlas/sharedBudget.js';
import { listConnections } from '../../src/atlas/streams.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';
import { RequestStore } from '../../src/store/requestStore.js';
import type { Database } from '../../src/store/schema.js';
import { pacedClient } from '../support/pacedAtlas.js';
import { freshDatabase, startPostgres, type PostgresServer } from '../support/postgres.js';

const at = { projectId: WORLD.projectId, instance: WORLD.instance };
let server: PostgresServer | { skipped: string };
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  if (server && !('skipped' in server)) await server.stop();
});
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

/** One replica: its own store connection, pacer (wrongly configured) and client. */
async function replica(world: World, url: string): Promise<AtlasClient> {
  const store = new RequestStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }) }), 'postgres');
  await store.migrate();
  cleanup.push(() => store.close());
  const holder: { client?: AtlasClient } = {};
  const pacer = new ProjectPacer({
    calls: 30,
    perMs: 1_000,
    shared: new PostgresSharedBudget(store.db),
    refillSource: (projectId) => streamsRefill(holder.client!, projectId),
  });
  holder.client = pacedClient(world, pacer);
  return holder.client;
}

describe('the refill Atlas states, shared through PostgreSQL', () => {
  it('two replicas paced by what /rateLimits states stay under one bucket: no 429', async ({ skip }) => {
    if ('skipped' in server) return skip(server.skipped);
    const url = await freshDatabase(server, 'shared_budget_stated');
    const world = await startWorld({ atlas: { rateLimit: { capacity: 3, refill: 3, periodMs: 1_000, headers: false } } });
    cleanup.push(() => world.stop());
    const [a, b] = await Promise.all([replica(world, url), replica(world, url)]);
    await Promise.all([...Array.from({ length: 6 }, () => listConnections(a, at)), ...Array.from({ length: 6 }, () => listConnections(b, at))]);
    expect(world.atlas.count('listConnections', { status: 200 })).toBe(12);
    expect(world.atlas.calls.filter((c) => c.status === 429)).toEqual([]);
    expect(world.atlas.count('listRateLimits', { status: 200 })).toBe(2);
  }, 60_000);
});
