// A service account's bearer token against the Atlas emulator's token endpoint: one token for many
// concurrent calls, reused until shortly before it expires, one re-mint after a 401, Atlas's cap
// told in plain words, and the client secret and token never in an error or a log line.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerAuth } from '../../src/atlas/auth.js';
import { AtlasClient } from '../../src/atlas/client.js';
import { TokenSource } from '../../src/atlas/serviceAccount.js';
import { listConnections } from '../../src/atlas/streams.js';
import { isSpconnError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { Sealer } from '../../src/secrets/sealing.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';
import { StoredAtlasTokens } from '../../src/store/atlasTokens.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { RequestStore } from '../../src/store/requestStore.js';
import { usePostgres } from '../support/postgres.js';

const CANARY_SECRET = 'mdb_sa_sk_CANARY7f3e9b2a41d8c6';
let world: World;
let clock = Date.now();
const logs: string[] = [];
const logger = createLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  }),
});
const at = { projectId: WORLD.projectId, instance: WORLD.instance };

beforeAll(async () => {
  world = await startWorld({ serviceAccountSecret: CANARY_SECRET, atlas: { now: () => clock } });
});
afterAll(async () => {
  await world.stop();
});

function client(secretId: string = WORLD.serviceAccountSecret) {
  const tokens = new TokenSource({
    baseUrl: world.atlas.url,
    secretId,
    secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger }),
    logger,
    timeoutMs: 5_000,
    now: () => clock,
  });
  const atlas = new AtlasClient({ baseUrl: world.atlas.url, auth: new BearerAuth(tokens), logger, timeoutMs: 5_000, maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 });
  return { atlas, tokens };
}

const minted = () => world.atlas.oauth.minted(world.serviceAccount.clientId);

describe('service account tokens', () => {
  it('mints one token for 50 concurrent calls, and every call carries it as a bearer', async () => {
    const before = minted();
    const { atlas } = client();
    const firstCall = world.atlas.calls.length;
    await Promise.all(Array.from({ length: 50 }, () => listConnections(atlas, at)));
    expect(minted() - before).toBe(1);
    const apiCalls = world.atlas.calls.slice(firstCall).filter((c) => c.operation === 'listConnections');
    expect(apiCalls).toHaveLength(50);
    expect(apiCalls.every((c) => c.status === 200 && c.clientId === world.serviceAccount.clientId && c.publicKey === undefined)).toBe(true);
  });

  it('reuses the token until shortly before it expires, then mints one more', async () => {
    const { atlas } = client();
    await listConnections(atlas, at);
    const before = minted();
    clock += 50 * 60_000; // 10 minutes left: still good
    await Promise.all(Array.from({ length: 10 }, () => listConnections(atlas, at)));
    expect(minted()).toBe(before);
    clock += 6 * 60_000; // 4 minutes left: inside the 5-minute margin
    await Promise.all(Array.from({ length: 10 }, () => listConnections(atlas, at)));
    expect(minted()).toBe(before + 1);
  });

  it('mints exactly once more when Atlas answers 401 to a token it holds, however many calls saw it', async () => {
    const { atlas } = client();
    await listConnections(atlas, at);
    const before = minted();
    world.atlas.oauth.expire(world.atlas.oauth.issued.at(-1)!);
    const firstCall = world.atlas.calls.length;
    await Promise.all(Array.from({ length: 20 }, () => listConnections(atlas, at)));
    expect(minted()).toBe(before + 1);
    expect(world.atlas.calls.slice(firstCall).filter((c) => c.operation === 'listConnections' && c.status === 401).length).toBeGreaterThan(0);
  });

  it('gives up after one re-mint when the new token is refused too (no loop)', async () => {
    const { atlas } = client();
    await listConnections(atlas, at);
    const before = minted();
    world.atlas.oauth.refuseBearers = true;
    try {
      const error = await listConnections(atlas, at).catch((e: unknown) => e);
      expect(isSpconnError(error, 'ATLAS_API_ERROR')).toBe(true);
      expect((error as { status?: number }).status).toBe(401);
      expect(minted()).toBe(before + 1);
    } finally {
      world.atlas.oauth.refuseBearers = false;
    }
  });

  it('retries the call with back-off when the token endpoint is briefly unavailable', async () => {
    const { atlas } = client();
    const before = minted();
    const mints = world.atlas.calls.filter((c) => c.operation === 'mintToken').length;
    world.atlas.oauth.unavailable = 1;
    await listConnections(atlas, at);
    expect(minted()).toBe(before + 1);
    expect(world.atlas.calls.filter((c) => c.operation === 'mintToken').slice(mints).map((c) => c.status)).toEqual([503, 200]);
  });

  it("reports Atlas's 100-token cap in plain words, and asks once", async () => {
    const { atlas } = client();
    const limit = world.atlas.oauth.limit;
    world.atlas.oauth.limit = 0;
    const mints = world.atlas.calls.filter((c) => c.operation === 'mintToken').length;
    try {
      const error = await listConnections(atlas, at).catch((e: unknown) => e);
      expect(isSpconnError(error, 'ATLAS_TOKEN_LIMIT')).toBe(true);
      expect((error as Error).message).toContain('it already has 100 active tokens');
      expect(world.atlas.calls.filter((c) => c.operation === 'mintToken').length - mints).toBe(1);
    } finally {
      world.atlas.oauth.limit = limit;
    }
  });

  it('says which secret Atlas refused when the client secret is wrong, without the secret', async () => {
    const wrong = 'spconn/atlas-sa-wrong';
    world.secrets.putSecret(wrong, JSON.stringify({ clientId: world.serviceAccount.clientId, clientSecret: 'mdb_sa_sk_WRONGCANARY9911' }));
    const error = await listConnections(client(wrong).atlas, at).catch((e: unknown) => e);
    expect(isSpconnError(error, 'ATLAS_TOKEN_REFUSED')).toBe(true);
    expect((error as Error).message).toContain(`service account in secret ${wrong}`);
    expect((error as Error).message).not.toContain('WRONGCANARY');
  });

  it('refuses a malformed secret in words, never echoing it', async () => {
    const bad = 'spconn/atlas-sa-bad';
    world.secrets.putSecret(bad, JSON.stringify({ clientId: 'x', secret: CANARY_SECRET }));
    const error = await listConnections(client(bad).atlas, at).catch((e: unknown) => e);
    expect(isSpconnError(error, 'SECRET_MALFORMED')).toBe(true);
    expect((error as Error).message).toContain('missing or empty clientSecret');
    expect((error as Error).message).not.toContain(CANARY_SECRET);
  });

  it("scrubs the token and the client secret from Atlas's error echoes", async () => {
    const { atlas } = client();
    await listConnections(atlas, at);
    const token = world.atlas.oauth.issued.at(-1)!;
    world.atlas.injectFault({ method: 'GET', path: '/connections', status: 400, body: { error: 400, errorCode: 'INVALID_ATTRIBUTE', detail: `Bad header Authorization: Bearer ${token} (client ${JSON.stringify(CANARY_SECRET)})` } });
    const error = await listConnections(atlas, at).catch((e: unknown) => e);
    expect(isSpconnError(error, 'ATLAS_API_ERROR')).toBe(true);
    const text = `${(error as Error).message}\n${(error as Error).stack}`;
    expect(text).toContain('Bad header Authorization: Bearer ••••');
    expect(text).not.toContain(token);
    expect(text).not.toContain(CANARY_SECRET);
  });

  it('never logs the client secret or a token', () => {
    const text = logs.join('\n');
    expect(text).toContain('minted an Atlas access token');
    expect(text).not.toContain(CANARY_SECRET);
    for (const token of world.atlas.oauth.issued) expect(text).not.toContain(token);
  });
});

describe('one token shared by replicas on PostgreSQL', () => {
  const pg = usePostgres();
  const stores: RequestStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
  });

  it('mints once for two replicas starting together, and once again when both see the same 401', async ({ skip }) => {
    const url = await pg.database('shared_tokens', skip);
    const sealer = new Sealer(randomBytes(32));
    const replica = async () => {
      const store = await openPostgresStore(url);
      stores.push(store);
      const tokens = new TokenSource({
        baseUrl: world.atlas.url,
        secretId: WORLD.serviceAccountSecret,
        secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger }),
        logger,
        timeoutMs: 5_000,
        now: () => clock,
        shared: new StoredAtlasTokens(store.db, sealer),
      });
      return { tokens, atlas: new AtlasClient({ baseUrl: world.atlas.url, auth: new BearerAuth(tokens), logger, timeoutMs: 5_000, maxAttempts: 1 }) };
    };
    const [a, b] = await Promise.all([replica(), replica()]);
    const before = minted();
    await Promise.all([a, b].flatMap((r) => Array.from({ length: 10 }, () => listConnections(r.atlas, at))));
    expect(minted()).toBe(before + 1);
    expect(a.tokens.minted + b.tokens.minted).toBe(1);

    world.atlas.oauth.expire(world.atlas.oauth.issued.at(-1)!);
    await Promise.all([a, b].flatMap((r) => Array.from({ length: 10 }, () => listConnections(r.atlas, at))));
    expect(minted()).toBe(before + 2);

    const rows = await stores[0]!.db.selectFrom('atlas_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    for (const token of world.atlas.oauth.issued) expect(stored).not.toContain(token);
    expect(stored).not.toContain(world.serviceAccount.clientId);
  }, 60_000);

  it('waits for another replica\'s mint only so long', async ({ skip }) => {
    const url = await pg.database('token_lock', skip);
    const store = await openPostgresStore(url);
    stores.push(store);
    const sealer = new Sealer(randomBytes(32));
    const { default: pgm } = await import('pg');
    const holder = new pgm.Client({ connectionString: url });
    await holder.connect();
    try {
      // Another replica is minting for this account and does not finish.
      await holder.query('select pg_advisory_lock($1, hashtext($2))', [0x7370636e, sealer.digest('atlas-service-account:acct')]);
      let minted = 0;
      const started = Date.now();
      const outcome = await new StoredAtlasTokens(store.db, sealer)
        .obtain('acct', { usable: () => true, waitMs: 300 }, async () => {
          minted += 1;
          return { token: 't', mintedAt: 0, expiresAt: 1 };
        })
        .catch((e: unknown) => e);
      expect(String(outcome)).toMatch(/lock timeout/);
      expect(minted).toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await holder.end();
    }
  }, 60_000);
});
