// Two replicas' pacers on one PostgreSQL share one budget per project: together they stay under
// Atlas's bucket (counted in the emulator), and a PostgreSQL that does not answer makes a replica
// pace alone, with a log line, instead of stalling.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ProjectPacer } from '../../src/atlas/pacer.js';
import { PostgresSharedBudget } from '../../src/atlas/sharedBudget.js';
import { listConnections } from '../../src/atlas/streams.js';
import { createLogger } from '../../src/log.js';
import { startWorld, WORLD } from '../../src/sandbox/world.js';
import { RequestStore } from '../../src/store/requestStore.js';
import type { Database } from '../../src/store/schema.js';
import { pacedClient } from '../support/pacedAtlas.js';
import { usePostgres } from '../support/postgres.js';

const at = { projectId: WORLD.projectId, instance: WORLD.instance };
const server = usePostgres();
const cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

async function replicaStore(url: string): Promise<RequestStore> {
  const store = new RequestStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }) }), 'postgres');
  await store.migrate();
  cleanup.push(() => store.close());
  return store;
}

/** A real logger whose warnings' messages land in `into`. */
function warningsInto(into: string[]) {
  return createLogger({ level: 'warn', destination: { write: (line: string) => void into.push((JSON.parse(line) as { msg: string }).msg) } });
}

const client = pacedClient;

describe('a rate-limit budget shared through PostgreSQL', () => {
  it('two replicas bursting at once stay under one bucket: no 429 after the first', async ({ skip }) => {
    const url = await server.database('shared_budget', skip);
    const world = await startWorld({ atlas: { rateLimit: { capacity: 6, refill: 6, periodMs: 500 } } });
    cleanup.push(() => world.stop());
    const warnings: string[] = [];
    const replicas = await Promise.all(
      [0, 1].map(async () => {
        const store = await replicaStore(url);
        // Each replica alone would believe the whole bucket is its own.
        return client(world, new ProjectPacer({ calls: 6, perMs: 500, shared: new PostgresSharedBudget(store.db), sharedTimeoutMs: 5_000, logger: warningsInto(warnings) }));
      }),
    );
    const results = await Promise.all(replicas.flatMap((atlas) => Array.from({ length: 15 }, () => listConnections(atlas, at))));
    expect(results).toHaveLength(30);
    const answered = world.atlas.calls.filter((c) => c.authenticated && c.operation === 'listConnections');
    expect(answered.filter((c) => c.status === 200)).toHaveLength(30);
    expect(answered.filter((c) => c.status === 429).length).toBeLessThanOrEqual(1);
    expect(warnings).toEqual([]); // PostgreSQL answered every time: no replica paced alone
  });

  it('without sharing, the same two replicas do trip the bucket (what the table is for)', async () => {
    const world = await startWorld({ atlas: { rateLimit: { capacity: 6, refill: 6, periodMs: 500 } } });
    cleanup.push(() => world.stop());
    const replicas = [0, 1].map(() => client(world, new ProjectPacer({ calls: 6, perMs: 500 })));
    await Promise.all(replicas.flatMap((atlas) => Array.from({ length: 15 }, () => listConnections(atlas, at))));
    const answered = world.atlas.calls.filter((c) => c.authenticated && c.operation === 'listConnections');
    expect(answered.filter((c) => c.status === 429).length).toBeGreaterThan(1);
  });

  it('a PostgreSQL that does not answer: the replica paces alone, says so once, and its calls go out', async ({ skip }) => {
    if (server.skipped) return skip(server.skipped);
    const world = await startWorld({ atlas: { rateLimit: { capacity: 50, refill: 50, periodMs: 60_000 } } });
    cleanup.push(() => world.stop());
    const warnings: string[] = [];
    const stuck = { take: () => new Promise<never>(() => {}), observe: () => new Promise<never>(() => {}) };
    const pacer = new ProjectPacer({ calls: 50, perMs: 60_000, shared: stuck, sharedTimeoutMs: 50, logger: warningsInto(warnings) });
    const atlas = client(world, pacer);
    const results = await Promise.all(Array.from({ length: 10 }, () => listConnections(atlas, at)));
    expect(results).toHaveLength(10);
    expect(warnings).toEqual(['shared Atlas rate-limit budget unavailable; pacing this replica alone for now']);
  });
});
