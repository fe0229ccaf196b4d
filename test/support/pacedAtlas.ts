// Atlas as the pacer tests see it: a fake that answers tickets from the emulator's own token
// bucket on the test's (fake) clock, and a real Atlas client of the emulated world with a pacer.
import { AtlasClient } from '../../src/atlas/client.js';
import type { ProjectPacer, Ticket } from '../../src/atlas/pacer.js';
import { createLogger } from '../../src/log.js';
import { TokenBuckets, type RateLimitOptions } from '../../src/sandbox/atlas/traffic.js';
import { WORLD, type World } from '../../src/sandbox/world.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';

/** The project the fake Atlas keeps a bucket for. */
export const PROJECT = '0123456789abcdef01234567';

/** A fake Atlas answering each ticket after `rttMs` from its bucket (as the emulator would). */
export function fakeAtlas(pacer: ProjectPacer, bucket: RateLimitOptions, rttMs = 50) {
  const buckets = new TokenBuckets(bucket, Date.now);
  const answers: Array<{ at: number; status: number }> = [];
  const send = (ticket: Ticket) => {
    setTimeout(() => {
      const taken = buckets.take(PROJECT);
      const headers = new Headers(buckets.headers(PROJECT));
      if (!taken.ok) headers.set('Retry-After', String(taken.retryAfterSeconds));
      const status = taken.ok ? 200 : 429;
      answers.push({ at: Date.now(), status });
      pacer.observe(ticket, { status, headers });
    }, rttMs);
  };
  return { answers, send, buckets };
}

const quiet = createLogger({ level: 'silent' });

/** An Atlas client of the emulated world whose calls go through `pacer` (quick retries, quiet). */
export function pacedClient(world: World, pacer: ProjectPacer): AtlasClient {
  return new AtlasClient({
    baseUrl: world.atlas.url,
    apiKeySecret: WORLD.apiKeySecret,
    secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger: quiet }),
    logger: quiet,
    timeoutMs: 5_000,
    baseDelayMs: 1,
    maxDelayMs: 2,
    pacer,
  });
}
