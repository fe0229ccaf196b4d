// Over HTTP, through the app's own wiring (AtlasClients → pacer → GET /rateLimits on the emulator):
// `atlas.pacing` overstates the bucket 10x and Atlas sends no RateLimit headers, so only what Atlas
// states at /rateLimits keeps a burst under its bucket; when that endpoint answers 403 the
// configured pacing is used, and one log line says so (and why), without secrets.
import { afterEach, describe, expect, it } from 'vitest';
import { AtlasClients } from '../../src/atlas/clients.js';
import { listConnections } from '../../src/atlas/streams.js';
import { createLogger } from '../../src/log.js';
import type { AtlasEmulatorOptions } from '../../src/sandbox/atlasEmulator.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';

const at = { projectId: WORLD.projectId, instance: WORLD.instance };
const worlds: World[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.stop()));
});

/** The truth: 3 calls, 3 more every second, and no headers to learn it from. */
const BUCKET = { capacity: 3, refill: 3, periodMs: 1_000, headers: false } as const;

async function burstThroughApp(atlas: Omit<AtlasEmulatorOptions, 'keys'>, calls: number) {
  const w = await startWorld({
    atlas,
    configPatch: (raw) => {
      // Ten times what Atlas allows.
      (raw.atlas as Record<string, unknown>).pacing = { calls: 30, per: '1s' };
    },
  });
  worlds.push(w);
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  const clients = new AtlasClients({ config: w.config, secrets: new SecretCache(w.secretsManagerClient(), { ttlMs: 60_000, logger }), logger });
  const client = clients.for(w.config.targets[0]!);
  await Promise.all(Array.from({ length: calls }, () => listConnections(client, at)));
  const project = w.atlas.calls.filter((c) => c.authenticated && c.path.includes(`/groups/${WORLD.projectId}/`));
  const pacing = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => typeof l.msg === 'string' && l.msg.startsWith('Atlas rate limit: pacing'));
  return { w, project, pacing, lines };
}

describe('pacing by the refill Atlas states at GET /rateLimits', () => {
  it('with atlas.pacing overstating the bucket 10x, a burst paced by what Atlas states meets no 429', async () => {
    const { w, project, pacing, lines } = await burstThroughApp({ rateLimit: BUCKET }, 10);
    expect(w.atlas.count('listConnections', { status: 200 })).toBe(10);
    expect(project.filter((c) => c.status === 429)).toEqual([]);
    // Asked once, paced by its own bucket: none of the project's tokens went to it.
    expect(w.atlas.count('listRateLimits', { status: 200 })).toBe(1);
    expect(w.atlas.calls.find((c) => c.operation === 'listRateLimits')!.query).toMatchObject({ groupId: WORLD.projectId, endpointPath: '/api/atlas/v2/groups/{groupId}/streams/{tenantName}/connections' });
    expect(pacing).toHaveLength(1);
    expect(pacing[0]).toMatchObject({ projectId: WORLD.projectId, source: 'GET /rateLimits', endpointSet: 'Project Endpoints', capacity: 3, refill: 3, periodMs: 1_000 });
    expect(lines.join('\n')).not.toContain(w.atlasKey.privateKey);
  });

  it('with GET /rateLimits answering 403, the configured pacing is used (and trips the bucket), and a line says so', async () => {
    const { w, project, pacing, lines } = await burstThroughApp({ rateLimit: BUCKET, rateLimitsApi: 'forbidden' }, 10);
    // The client retries its 429s: every call ends well, but atlas.pacing's guess did send too many.
    expect(w.atlas.count('listConnections', { status: 200 })).toBe(10);
    expect(project.filter((c) => c.status === 429).length).toBeGreaterThan(1);
    expect(pacing).toHaveLength(1);
    expect(pacing[0]).toMatchObject({
      projectId: WORLD.projectId,
      source: 'atlas.pacing',
      refill: 30,
      periodMs: 1_000,
      reason: "GET /rateLimits answered 403 USER_UNAUTHORIZED: the credential needs the Project Read Only role to read the project's rate limits",
    });
    expect(lines.join('\n')).not.toContain(w.atlasKey.privateKey);
  });
});
