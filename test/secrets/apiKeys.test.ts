// The secret cache against the Secrets Manager emulator, spoken to by the real AWS SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpconnError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { DEFAULT_SECRET_READ_TIMEOUT_MS, parseAtlasApiKey, SecretCache } from '../../src/secrets/apiKeys.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';

let world: World;
const logger = createLogger({ level: 'silent' });
const GET = 'secretsmanager.GetSecretValue';

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.stop();
});

describe('SecretCache', () => {
  it('fetches once for 100 concurrent callers and serves the cache afterwards', async () => {
    const cache = new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger });
    const before = world.secrets.count(GET);
    const values = await Promise.all(Array.from({ length: 100 }, () => cache.get(WORLD.apiKeySecret)));
    await cache.get(WORLD.apiKeySecret);
    expect(new Set(values.map((v) => v.value)).size).toBe(1);
    expect(world.secrets.count(GET) - before).toBe(1);
  });

  it('fetches again after the TTL, at a jittered point in its second half', async () => {
    let now = 1_000_000;
    const cache = new SecretCache(world.secretsManagerClient(), { ttlMs: 10_000, logger, now: () => now, random: () => 0.5 });
    const before = world.secrets.count(GET);
    await cache.get(WORLD.apiKeySecret);
    now += 7_400; // before 5 s + 0.5 × 5 s
    await cache.get(WORLD.apiKeySecret);
    expect(world.secrets.count(GET) - before).toBe(1);
    now += 200;
    await cache.get(WORLD.apiKeySecret);
    expect(world.secrets.count(GET) - before).toBe(2);
  });

  it('refreshes once when many callers report the same stale generation', async () => {
    const cache = new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger });
    const before = world.secrets.count(GET);
    const { generation } = await cache.get(WORLD.apiKeySecret);
    for (let i = 0; i < 10; i++) cache.invalidate(WORLD.apiKeySecret, generation);
    await Promise.all(Array.from({ length: 10 }, () => cache.get(WORLD.apiKeySecret)));
    const again = await cache.get(WORLD.apiKeySecret);
    cache.invalidate(WORLD.apiKeySecret, generation); // an old generation no longer drops the new value
    await cache.get(WORLD.apiKeySecret);
    expect(again.generation).not.toBe(generation);
    expect(world.secrets.count(GET) - before).toBe(2);
  });

  it('does not cache a failure, and names the secret but not its value', async () => {
    const cache = new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger });
    const error = await cache.get('spconn/missing').catch((e: unknown) => e);
    expect(isSpconnError(error, 'SECRET_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('spconn/missing');
    world.secrets.putSecret('spconn/missing', 'now-here');
    await expect(cache.get('spconn/missing')).resolves.toMatchObject({ value: 'now-here' });
  });

  it('drops a value its reader cannot parse, once for all concurrent callers, and reads the fixed one next time', async () => {
    const id = 'spconn/malformed-then-fixed';
    const canary = 'CANARY-half-written-77';
    world.secrets.putSecret(id, `{"publicKey": "p", "privateKey": "${canary}"`);
    const cache = new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger });
    const parse = (value: string) => parseAtlasApiKey(id, value);
    const failures = await Promise.all(Array.from({ length: 20 }, () => cache.getParsed(id, parse).catch((e: unknown) => e)));
    expect(world.secrets.count(GET, id)).toBe(1);
    for (const failure of failures) {
      expect(isSpconnError(failure, 'SECRET_MALFORMED')).toBe(true);
      expect((failure as Error).message).toBe(`Secret ${id} is not JSON; expected {"publicKey": "...", "privateKey": "..."}.`);
    }

    world.secrets.putSecret(id, JSON.stringify({ publicKey: 'p', privateKey: 'q' }));
    const values = await Promise.all(Array.from({ length: 20 }, () => cache.getParsed(id, parse)));
    expect(values.map((v) => v.value)).toEqual(Array.from({ length: 20 }, () => ({ publicKey: 'p', privateKey: 'q' })));
    await cache.getParsed(id, parse);
    // One read for the bad value, one for the good one: a good value is kept for its TTL.
    expect(world.secrets.count(GET, id)).toBe(2);
  });

  it('gives up on a read that Secrets Manager does not answer within its deadline, and says so', async () => {
    const id = 'spconn/slow';
    world.secrets.putSecret(id, 'value');
    // One read hangs far longer than the deadline (the SDK alone would wait for it).
    world.secrets.injectFault({ target: GET, secretId: id, delayMs: 1_500 });
    const cache = new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, timeoutMs: 300, logger });
    const started = performance.now();
    const failures = await Promise.all(Array.from({ length: 5 }, () => cache.get(id).catch((e: unknown) => e)));
    expect(performance.now() - started).toBeLessThan(1_500);
    // All five callers waited on that one read, and were told why it failed.
    for (const failure of failures) {
      expect(isSpconnError(failure, 'SECRET_UNAVAILABLE')).toBe(true);
      expect((failure as Error).message).toMatch(/^Secrets Manager did not answer within 300 ms while spconn read secret spconn\/slow\./);
    }
    // A read that timed out is not kept: the next use reads again, and gets the value.
    await world.secrets.waitFor(() => world.secrets.count(GET, id) === 1);
    await expect(cache.get(id)).resolves.toMatchObject({ value: 'value' });
    expect(world.secrets.count(GET, id)).toBe(2);
  });

  it('waits up to ten seconds by default, not the minutes the SDK allows', () => {
    expect(DEFAULT_SECRET_READ_TIMEOUT_MS).toBe(10_000);
  });

  it('parses an Atlas API key without echoing the value in errors', () => {
    expect(parseAtlasApiKey('s', '{"publicKey":"p","privateKey":"q"}')).toEqual({ publicKey: 'p', privateKey: 'q' });
    const canary = 'CANARY-private-5511';
    for (const bad of [`not json ${canary}`, JSON.stringify({ publicKey: canary }), JSON.stringify({ privateKey: canary, publicKey: '' })]) {
      const error = (() => {
        try {
          parseAtlasApiKey('spconn/atlas', bad);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error?.message).toMatch(/spconn\/atlas/);
      expect(error?.message).not.toContain(canary);
    }
  });
});
