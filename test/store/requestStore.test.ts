// One set of repository tests, run against the embedded SQLite store and a real PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationProvider } from '../../src/store/migrations.js';
import type { RequestStore } from '../../src/store/requestStore.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { usePostgres } from '../support/postgres.js';
import { requestRow } from '../support/requestRow.js';

const pg = usePostgres('PostgreSQL store tests');

let counter = 0;
const stores: Record<string, () => Promise<{ store: RequestStore; cleanup(): Promise<void> } | string>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spconn-store-'));
    const store = await openSqliteStore(dir);
    return { store, cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
  },
  postgres: async () => {
    if (pg.skipped) return pg.skipped;
    const url = await pg.database(`store_test_${++counter}`);
    const store = await openPostgresStore(url);
    return { store, cleanup: () => store.close() };
  },
};

const row = (id: string) => requestRow(id);

describe.each(Object.keys(stores))('%s store', (kind) => {
  let store: RequestStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await stores[kind]!();
    if (typeof opened === 'string') return;
    ({ store, cleanup } = opened);
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('changes a request once when 20 approvals race', async ({ skip }) => {
    if (!store) return skip('no server');
    await store.insert(row('race'), 'U1');
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => store.transition({ id: 'race', from: ['pending'], to: 'approved', actor: `U${i}` })));
    expect(wins.filter(Boolean)).toHaveLength(1);
    const events = await store.events('race');
    expect(events.map((e) => e.to_state)).toEqual(['pending', 'approved']);
  });

  it('drops the sealed secrets with the final transition and keeps the audit trail', async ({ skip }) => {
    if (!store) return skip('no server');
    await store.insert(row('drop'), 'U1');
    await store.transition({ id: 'drop', from: ['pending'], to: 'rejected', actor: 'U2', note: 'no', dropSecrets: true });
    expect((await store.get('drop'))?.sealed_call).toBeNull();
    expect((await store.events('drop')).at(-1)).toMatchObject({ actor: 'U2', from_state: 'pending', to_state: 'rejected', note: 'no' });
  });

  it('stores a request once when the same submission arrives twice', async ({ skip }) => {
    if (!store) return skip('no server');
    const results = await Promise.all([store.insert(row('twice'), 'U1'), store.insert({ ...row('twice'), connection_name: 'other' }, 'U1')]);
    expect(results.sort()).toEqual([false, true]);
    expect(await store.events('twice')).toHaveLength(1);
  });

  it("lists a target's recent requests newest first, with their events, and counts by state", async ({ skip }) => {
    if (!store) return skip('no server');
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    await store.insert({ ...row('old'), target_name: 'audit', created_at: at(10) }, 'U1');
    await store.insert({ ...row('mid'), target_name: 'audit', created_at: at(2) }, 'U1');
    await store.insert({ ...row('new'), target_name: 'audit', created_at: at(1) }, 'U1');
    await store.insert({ ...row('elsewhere'), target_name: 'other-target', created_at: at(1) }, 'U1');
    await store.transition({ id: 'mid', from: ['pending'], to: 'approved', actor: 'U2' });

    const recent = await store.recentRequests(['audit'], new Date(Date.now() - 7 * 86_400_000), 1);
    expect(recent.total).toBe(2);
    expect(recent.rows.map((r) => r.id)).toEqual(['new']);
    const both = await store.recentRequests(['audit'], new Date(Date.now() - 7 * 86_400_000), 10);
    expect(both.rows.map((r) => r.id)).toEqual(['new', 'mid']);
    expect(both.events.filter((e) => e.request_id === 'mid').map((e) => [e.to_state, e.actor])).toEqual([
      ['pending', 'U1'],
      ['approved', 'U2'],
    ]);
    expect(await store.recentRequests([], new Date(0), 10)).toEqual({ rows: [], total: 0, events: [] });

    const counts = await store.requestsByState();
    expect(counts.approved).toBeGreaterThanOrEqual(1);
    expect(Object.values(counts).every((n) => typeof n === 'number')).toBe(true);
  });

  it('refuses a change the lifecycle does not allow, changing nothing', async ({ skip }) => {
    if (!store) return skip('no server');
    await store.insert(row('skip'), 'U1');
    await store.transition({ id: 'skip', from: ['pending'], to: 'approved', actor: 'U2' });
    await expect(store.transition({ id: 'skip', from: ['approved'], to: 'succeeded', actor: 'spconn' })).rejects.toThrow(/cannot move from approved to succeeded/);
    expect((await store.get('skip'))?.state).toBe('approved');
  });

  it('lets one replica at a time tell an outcome, the one that ran it first, and nobody once told', async ({ skip }) => {
    if (!store) return skip('no server');
    await store.insert(row('tell'), 'U1');
    await store.transition({ id: 'tell', from: ['pending'], to: 'approved', actor: 'U2' });
    expect(await store.claimRequest('tell', 'A', 60_000)).toBe(true);
    await store.transition({ id: 'tell', from: ['approved'], to: 'running', actor: 'spconn' });
    await store.transition({ id: 'tell', from: ['running'], to: 'succeeded', actor: 'spconn' });
    expect(await store.claimAnnouncement('tell', 'B', 60_000)).toBe(false);
    expect(await store.claimAnnouncement('tell', 'A', 60_000)).toBe(true);
    expect(await store.markNotified('tell')).toBe(true);
    expect(await store.claimAnnouncement('tell', 'A', 60_000)).toBe(false);
  });

  it('refuses a workflow save based on a stale read', async ({ skip }) => {
    if (!store) return skip('no server');
    await store.insert(row('wf'), 'U1');
    await store.insertWorkflow('wf', 'privatelink', { step: 'a' }, null);
    const read = (await store.getWorkflow('wf'))!;
    expect(await store.saveWorkflow('wf', read.version, { step: 'b' }, { active: true, nextRunAt: null })).toBe(true);
    expect(await store.saveWorkflow('wf', read.version, { step: 'c' }, { active: true, nextRunAt: null })).toBe(false);
    expect(JSON.parse((await store.getWorkflow('wf'))!.state_json)).toEqual({ step: 'b' });
  });

  it('leases work to one replica until the lease runs out or is released', async ({ skip }) => {
    if (!store) return skip('no server');
    await store.insert(row('lease'), 'U1');
    await store.transition({ id: 'lease', from: ['pending'], to: 'approved', actor: 'U2' });
    const claims = await Promise.all(['A', 'B', 'C'].map((owner) => store.claimRequest('lease', owner, 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const owner = ['A', 'B', 'C'][claims.indexOf(true)]!;
    expect(await store.claimRequest('lease', owner, 60_000)).toBe(true);
    expect((await store.interrupted()).map((r) => r.id)).not.toContain('lease');
    await store.releaseAll(owner);
    expect((await store.interrupted()).map((r) => r.id)).toContain('lease');
    expect(await store.claimRequest('lease', 'D', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 5)); // let a 1 ms lease run out
    expect(await store.claimRequest('lease', 'E', 60_000)).toBe(true);
  });

  it('hands a scan only the workflows whose lease ran out, not those parked for a person', async ({ skip }) => {
    if (!store) return skip('no server');
    const ids = (rows: Array<{ request_id: string }>) => rows.map((r) => r.request_id).filter((id) => id.startsWith('wl-')).sort();
    const soon = new Date(Date.now() + 60_000).toISOString();
    for (const id of ['wl-polling', 'wl-parked', 'wl-dead']) await store.insert(row(id), 'U1');
    // Waiting for its next poll: held through the wait by the replica that saved it.
    await store.insertWorkflow('wl-polling', 'privatelink', { step: 'await_link' }, null, { owner: 'A', until: soon });
    // Waiting for a person: parked, held by nobody.
    await store.insertWorkflow('wl-parked', 'privatelink', { step: 'await_access' }, null, { owner: 'A', until: soon });
    await store.releaseWorkflow('wl-parked', 'A');
    // Its replica died mid-step: the lease runs out.
    await store.insertWorkflow('wl-dead', 'privatelink', { step: 'find_link' }, null, { owner: 'B', until: new Date(Date.now() - 1).toISOString() });
    expect(ids(await store.activeWorkflows())).toEqual(['wl-dead']);
    expect(ids(await store.activeWorkflows({ parked: true }))).toEqual(['wl-dead', 'wl-parked']);
    expect(await store.claimWorkflow('wl-polling', 'B', 60_000)).toBe(false);

    // A person's click saved on another replica takes the lease with the state (version checked).
    const read = (await store.getWorkflow('wl-polling'))!;
    expect(await store.saveWorkflow('wl-polling', read.version, { step: 'cancelled' }, { active: true, nextRunAt: null, lease: { owner: 'C', until: soon } })).toBe(true);
    expect((await store.getWorkflow('wl-polling'))!.lease_owner).toBe('C');
    expect(await store.claimWorkflow('wl-polling', 'A', 60_000)).toBe(false);

    // A replica that stops hands its setups back as abandoned, at once: not parked.
    await store.releaseAll('C');
    expect(ids(await store.activeWorkflows())).toEqual(['wl-dead', 'wl-polling']);
  });
});

describe('PostgreSQL migrations', () => {
  /** What a migrated database holds: tables, columns, indexes, and the migrations it records. */
  async function schemaOf(store: RequestStore) {
    const rows = async <T>(query: RawBuilder<T>) => (await query.execute(store.db)).rows;
    return {
      tables: await rows(sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`),
      columns: await rows(
        sql<{ t: string; c: string; type: string }>`select table_name as t, column_name as c, data_type as type from information_schema.columns where table_schema = 'public' order by 1, 2`,
      ),
      indexes: await rows(sql<{ def: string }>`select indexdef as def from pg_indexes where schemaname = 'public' order by 1`),
      migrations: await rows(sql<{ name: string }>`select name from kysely_migration order by name`),
      locks: await rows(sql<{ id: string; is_locked: number }>`select id, is_locked from kysely_migration_lock`),
    };
  }

  it('run safely when several replicas start at once', async ({ skip }) => {
    const alone = await openPostgresStore(await pg.database('migrate_alone', skip));
    const expected = await schemaOf(alone).finally(() => alone.close());

    const url = await pg.database('migrate_race');
    const started = await Promise.allSettled(Array.from({ length: 8 }, () => openPostgresStore(url)));
    const opened = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    try {
      // Every replica starts: none fails on a table another one is creating.
      expect(started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []))).toEqual([]);
      await Promise.all(opened.map((s) => s.ping()));
      // The schema is there once, the same as one migrator alone makes it, each migration recorded once.
      const raced = await schemaOf(opened[0]!);
      expect(raced).toEqual(expected);
      const names = Object.keys(await migrationProvider('postgres').getMigrations()).sort();
      expect(raced.migrations.map((m) => m.name)).toEqual(names);
      expect(raced.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['requests', 'request_events', 'workflows']));
      expect(raced.locks).toEqual([{ id: expect.any(String), is_locked: 0 }]);
    } finally {
      await Promise.all(opened.map((s) => s.close()));
    }
  });
});
