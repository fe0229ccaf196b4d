// Reads Atlas API keys (and other JSON secrets) from AWS Secrets Manager, cached the way AWS's own
// caching clients do it: one in-flight fetch per secret shared by every caller, a TTL with
// jitter so replicas do not refresh together, and a forced refresh when Atlas says the key is stale.
// Neither a failed read nor a value its reader cannot parse is kept: an operator who fixes the
// secret in Secrets Manager sees the next use pick it up. Every read has a deadline.
import type { Metrics } from '../metrics/metrics.js';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';

export const atlasApiKeySchema = z.object({
  publicKey: z.string().min(1),
  privateKey: z.string().min(1),
});
export type AtlasApiKey = z.infer<typeof atlasApiKeySchema>;

interface CacheEntry {
  value: Promise<string>;
  /** Bumped on every fetch, so a caller can ask to refresh only the version it saw fail. */
  generation: number;
  expiresAt: number;
}

const MAX_ENTRIES = 1024;
/** The SDK sets no deadline of its own (its requestTimeout defaults to none); a request should fail sooner, in words. */
export const DEFAULT_SECRET_READ_TIMEOUT_MS = 10_000;

export interface SecretCacheOptions {
  ttlMs: number;
  logger: Logger;
  /** The deadline of one read, retries included (default 10 s). */
  timeoutMs?: number;
  now?: () => number;
  random?: () => number;
  metrics?: Pick<Metrics, 'secretFetches'>;
}

export class SecretCache {
  private readonly entries = new Map<string, CacheEntry>();
  private generationCounter = 0;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: SecretCacheOptions,
  ) {}

  /** The secret's string value; `generation` identifies the fetch that produced it. */
  async get(secretId: string): Promise<{ value: string; generation: number }> {
    const now = (this.options.now ?? Date.now)();
    let entry = this.entries.get(secretId);
    if (!entry || entry.expiresAt <= now) entry = this.fetch(secretId);
    return { value: await entry.value, generation: entry.generation };
  }

  /**
   * The secret's value as `parse` reads it. A value `parse` refuses is dropped from the cache (once,
   * however many callers saw it), so the next use reads Secrets Manager again instead of failing
   * until the TTL runs out.
   */
  async getParsed<T>(secretId: string, parse: (value: string) => T): Promise<{ value: T; generation: number }> {
    const { value, generation } = await this.get(secretId);
    try {
      return { value: parse(value), generation };
    } catch (error) {
      this.invalidate(secretId, generation);
      throw error;
    }
  }

  /**
   * Drops the cached value if it is still the one the caller saw fail (e.g. Atlas answered 401),
   * so fifty concurrent 401s cause one new fetch, not fifty.
   */
  invalidate(secretId: string, generation: number): void {
    const entry = this.entries.get(secretId);
    if (entry && entry.generation === generation) this.entries.delete(secretId);
  }

  private fetch(secretId: string): CacheEntry {
    const random = this.options.random ?? Math.random;
    const now = (this.options.now ?? Date.now)();
    const ttl = this.options.ttlMs;
    const entry: CacheEntry = {
      generation: ++this.generationCounter,
      expiresAt: now + ttl / 2 + random() * (ttl / 2),
      value: this.read(secretId),
    };
    // A failed read is not cached: the next caller tries again.
    entry.value.catch(() => {
      if (this.entries.get(secretId) === entry) this.entries.delete(secretId);
    });
    this.entries.delete(secretId);
    this.entries.set(secretId, entry);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry;
  }

  private async read(secretId: string): Promise<string> {
    this.options.logger.info({ secretId }, 'reading secret from Secrets Manager');
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_SECRET_READ_TIMEOUT_MS;
    // One deadline for the whole read: the SDK stops its retries and back-off when it fires.
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: deadline }).catch((err: unknown) => {
        this.options.metrics?.secretFetches.inc({ outcome: 'error' });
        throw err;
      });
      this.options.metrics?.secretFetches.inc({ outcome: 'ok' });
      if (typeof out.SecretString !== 'string') {
        throw new SpconnError('SECRET_MALFORMED', `Secret ${secretId} has no SecretString (binary secrets are not supported).`);
      }
      return out.SecretString;
    } catch (cause) {
      if (cause instanceof SpconnError) throw cause;
      if (deadline.aborted) {
        throw new SpconnError(
          'SECRET_UNAVAILABLE',
          `Secrets Manager did not answer within ${formatSeconds(timeoutMs)} while spconn read secret ${secretId}. Try again later; if it keeps happening, an operator should check the network path to Secrets Manager.`,
          { cause },
        );
      }
      const name = cause instanceof Error ? cause.name : 'Error';
      throw new SpconnError(
        'SECRET_UNAVAILABLE',
        `Could not read secret ${secretId} from AWS Secrets Manager (${name}). Check the app's IAM permissions and the secret's name.`,
        { cause },
      );
    }
  }
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** Parses a secret value as an Atlas API key without ever echoing the value in an error. */
export function parseAtlasApiKey(secretId: string, value: string): AtlasApiKey {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new SpconnError('SECRET_MALFORMED', `Secret ${secretId} is not JSON; expected {"publicKey": "...", "privateKey": "..."}.`);
  }
  const parsed = atlasApiKeySchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(value)').join(', ');
    throw new SpconnError(
      'SECRET_MALFORMED',
      `Secret ${secretId} is not an Atlas API key: missing or empty ${fields}; expected {"publicKey": "...", "privateKey": "..."}.`,
    );
  }
  return parsed.data;
}
