// Atlas's rate limits through the real client and the emulator's token bucket: a paced burst meets
// no 429, Retry-After is honoured on 429 and 503 (within the call's deadline), and Atlas's body is
// told in plain words. Counts and order only; the clock that matters is the emulator's.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError, AtlasUnreachableError } from '../../src/atlas/errors.js';
import { ProjectPacer } from '../../src/atlas/pacer.js';
import { listConnections } from '../../src/atlas/streams.js';
import { createLogger } from '../../src/log.js';
import type { AtlasEmulatorOptions } from '../../src/sandbox/atlasEmulator.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';

const logger = createLogger({ level: 'silent' });
const at = { projectId: WORLD.projectId, instance: WORLD.instance };
const worlds: World[] = [];

afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.stop()));
});

async function world(atlas: Omit<AtlasEmulatorOptions, 'keys'>): Promise<World> {
  const w = await startWorld({ atlas });
  worlds.push(w);
  return w;
}

function client(w: World, options: { pacer?: ProjectPacer; sleep?: (ms: number) => Promise<void> } = {}): AtlasClient {
  return new AtlasClient({
    baseUrl: w.atlas.url,
    apiKeySecret: WORLD.apiKeySecret,
    secrets: new SecretCache(w.secretsManagerClient(), { ttlMs: 60_000, logger }),
    logger,
    timeoutMs: 5_000,
    baseDelayMs: 1,
    maxDelayMs: 2,
    ...options,
  });
}

const statuses = (w: World) => w.atlas.calls.filter((c) => c.authenticated).map((c) => c.status);

describe("Atlas's rate limits", () => {
  it('a burst of calls paced from RateLimit headers meets no 429 and all succeed', async () => {
    const w = await world({ rateLimit: { capacity: 4, refill: 4, periodMs: 400 } });
    // atlas.pacing guesses far too much; the headers say 4.
    const atlas = client(w, { pacer: new ProjectPacer({ calls: 100, perMs: 400 }) });
    const results = await Promise.all(Array.from({ length: 14 }, () => listConnections(atlas, at)));
    expect(results).toHaveLength(14);
    expect(statuses(w).filter((s) => s === 429)).toEqual([]);
    expect(w.atlas.count('listConnections', { status: 200 })).toBe(14);
  });

  it('without a pacer the same burst trips the bucket: what the pacing is for', async () => {
    const w = await world({ rateLimit: { capacity: 4, refill: 4, periodMs: 400 } });
    const atlas = client(w, { sleep: () => new Promise((r) => setTimeout(r, 450)) });
    await Promise.all(Array.from({ length: 8 }, () => listConnections(atlas, at)));
    expect(statuses(w).filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it('waits Retry-After on a 429 from the bucket, then succeeds', async () => {
    let clock = 10_000_000;
    const w = await world({ rateLimit: { capacity: 1, refill: 1, periodMs: 30_000 }, now: () => clock });
    const slept: number[] = [];
    const atlas = client(w, {
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    await listConnections(atlas, at);
    await listConnections(atlas, at);
    expect(statuses(w)).toEqual([200, 429, 200]);
    expect(slept).toEqual([30_000]);
  });

  it('waits Retry-After on a 503', async () => {
    const w = await world({});
    const slept: number[] = [];
    const atlas = client(w, {
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    w.atlas.injectFault({ method: 'GET', path: '/connections', status: 503, retryAfterSeconds: 7 });
    await listConnections(atlas, at);
    expect(statuses(w)).toEqual([503, 200]);
    expect(slept).toEqual([7_000]);
  });

  it('does not wait past the call deadline: the 429 is the answer, in plain words', async () => {
    let clock = 10_000_000;
    const w = await world({ rateLimit: { capacity: 1, refill: 1, periodMs: 30_000 }, now: () => clock });
    const slept: number[] = [];
    const atlas = client(w, {
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    await listConnections(atlas, at);
    const error = await atlas
      .call({ operation: 'list connections', method: 'GET', path: `/groups/${at.projectId}/streams/${at.instance}/connections`, version: '2023-02-01', response: z.unknown(), deadline: Date.now() + 5_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error).toMatchObject({ status: 429, errorCode: 'RATE_LIMITED_TOKEN_BUCKET' });
    expect((error as AtlasApiError).message).toMatch(/rate-limiting this project/);
    expect(slept).toEqual([]);
  });

  it('a call waiting for pacing past its deadline is never sent', async () => {
    const w = await world({ rateLimit: { capacity: 1, refill: 1, periodMs: 60_000 } });
    const pacer = new ProjectPacer({ calls: 1, perMs: 60_000 });
    const atlas = client(w, { pacer });
    await listConnections(atlas, at);
    const before = w.atlas.calls.length;
    const error = await atlas
      .call({ operation: 'list connections', method: 'GET', path: `/groups/${at.projectId}/streams/${at.instance}/connections`, version: '2023-02-01', response: z.unknown(), deadline: Date.now() + 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasUnreachableError);
    expect(w.atlas.calls.length).toBe(before);
  });
});
