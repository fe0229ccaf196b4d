// Faults a test injects into the emulated Atlas, and Atlas's per-project token bucket.
import { apiError, ATLAS_ERROR_CODES, type Reply } from './envelope.js';

export interface AtlasFault {
  /** Only requests with this method (default: any). */
  method?: string;
  /** Only paths containing this string, or matching this expression (default: any). */
  path?: string | RegExp;
  /** The answer's status. Below 400 without a `body`: the real answer, only slowed by `delayMs`. */
  status: number;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** The answer's body instead of Atlas's envelope; a string is sent as is, as text/html (a proxy's page). */
  body?: unknown;
  /**
   * Atlas's envelope with a `detail` built from the request's body, as Atlas writes when it quotes
   * a value it refused (e.g. `(body) => \`Invalid header value ${JSON.stringify(body.headers)}\``).
   */
  echo?: (requestBody: unknown) => string;
  /** Adds `Retry-After: <seconds>` (a 429 always has one, as Atlas's do: 1 unless given). */
  retryAfterSeconds?: number;
  /** Waits this long before answering (cut short by `stop()`). */
  delayMs?: number;
  /** Holds the request until this settles (a test's gate; cut short by `stop()`). */
  until?: Promise<unknown>;
  /** Carries the operation out, then answers with the fault: a create that happened but whose answer was lost. */
  afterHandling?: boolean;
}

interface ArmedFault extends AtlasFault {
  remaining: number;
}

export class FaultBook {
  private faults: ArmedFault[] = [];

  add(fault: AtlasFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  armed(): Array<AtlasFault & { remaining: number }> {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The first armed fault for this request, used up by one. */
  take(method: string, pathname: string): AtlasFault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || (typeof f.path === 'string' ? pathname.includes(f.path) : f.path.test(pathname))),
    );
    if (!fault) return undefined;
    fault.remaining--;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return fault;
  }
}

/** Whether the fault replaces Atlas's answer (or only delays it). */
export const replacesAnswer = (fault: AtlasFault): boolean => fault.status >= 400 || fault.body !== undefined;

/**
 * The answer an injected fault gives. A 429 is the one Atlas's token bucket gives (errorCode
 * `RATE_LIMITED_TOKEN_BUCKET`, its detail from `rateLimit`, `Retry-After`), so a client cannot tell
 * an injected 429 from a real one.
 */
export function faultReply(fault: AtlasFault, requestBody?: unknown, rateLimit?: { project: string; detail: (retryAfterSeconds: number) => string }): Reply {
  const retryAfterSeconds = fault.retryAfterSeconds ?? (fault.status === 429 ? 1 : undefined);
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  if (fault.body !== undefined) return { status: fault.status, body: fault.body, headers };
  if (fault.echo) {
    const code = fault.status === 400 ? ATLAS_ERROR_CODES.invalidAttribute : ATLAS_ERROR_CODES.unexpectedError;
    return { ...apiError(fault.status, code, fault.echo(requestBody)), headers };
  }
  if (fault.status === 429) {
    const seconds = retryAfterSeconds ?? 1;
    const detail = rateLimit ? rateLimit.detail(seconds) : `Rate limit exceeded. Please retry after ${seconds} seconds.`;
    return { ...apiError(429, ATLAS_ERROR_CODES.rateLimitedTokenBucket, detail, rateLimit ? [rateLimit.project] : []), headers };
  }
  const code = fault.status === 502 || fault.status === 503 || fault.status === 504 ? ATLAS_ERROR_CODES.serviceUnavailable : ATLAS_ERROR_CODES.unexpectedError;
  return { ...apiError(fault.status, code, `Injected fault: HTTP ${fault.status}.`), headers };
}

/** Atlas's token bucket of one scope: what the emulator was told to enforce. */
export interface RateLimitOptions {
  /** Requests the bucket holds, sent as `RateLimit-Limit` (default 1,200, as Atlas's streams endpoints were seen to send). */
  capacity?: number;
  /** Tokens put back every `periodMs` (default: `capacity`), all at once at the end of each period. */
  refill?: number;
  /** The refill period (default 60 000 ms). */
  periodMs?: number;
  /** False: no `RateLimit-*` headers (Atlas "may not always return" them); a 429 still has `Retry-After`. */
  headers?: boolean;
}

interface Bucket {
  tokens: number;
  /** When the next `refill` tokens are put back. */
  nextRefillAt: number;
}

/**
 * A token bucket per project, as Atlas states its limits (GA 2026-02): a bucket starts full, each
 * authenticated request takes one token, `refill` tokens come back at the end of every period
 * (counted from the bucket's first use), and an empty bucket answers 429 with `Retry-After` until
 * the next refill.
 */
export class TokenBuckets {
  readonly capacity: number;
  readonly refill: number;
  readonly periodMs: number;
  readonly sendHeaders: boolean;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number,
  ) {
    this.capacity = options.capacity ?? 1200;
    this.refill = options.refill ?? this.capacity;
    this.periodMs = options.periodMs ?? 60_000;
    this.sendHeaders = options.headers ?? true;
    if (!(this.capacity >= 1 && this.refill >= 1 && this.periodMs >= 1)) throw new Error('Atlas emulator: a rate limit needs capacity, refill and period of at least 1');
  }

  /** Takes one token from the project's bucket; the seconds until the next refill when there is none. */
  take(project: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const bucket = this.bucket(project);
    if (bucket.tokens < 1) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((bucket.nextRefillAt - this.now()) / 1000)) };
    bucket.tokens--;
    return { ok: true };
  }

  /** Atlas's words on a 429, like the README's example. */
  detail(project: string, retryAfterSeconds: number): string {
    return (
      `Rate limit exceeded for api/atlas/v2/groups/${project}. Please retry after ${retryAfterSeconds} seconds. ` +
      `Request capacity: ${this.capacity}. Refill rate: ${this.refill} per ${Math.round(this.periodMs / 1000)} seconds.`
    );
  }

  /** `RateLimit-Limit` and `RateLimit-Remaining` for the project (none when switched off or outside a project). */
  headers(project: string | undefined): Record<string, string> {
    if (!this.sendHeaders || project === undefined) return {};
    return { 'RateLimit-Limit': String(this.capacity), 'RateLimit-Remaining': String(Math.floor(this.bucket(project).tokens)) };
  }

  /** Tokens left in the project's bucket now (for tests and the playground). */
  remaining(project: string): number {
    return this.bucket(project).tokens;
  }

  private bucket(project: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(project);
    if (!bucket) {
      bucket = { tokens: this.capacity, nextRefillAt: now + this.periodMs };
      this.buckets.set(project, bucket);
    }
    if (now >= bucket.nextRefillAt) {
      const periods = Math.floor((now - bucket.nextRefillAt) / this.periodMs) + 1;
      bucket.tokens = Math.min(this.capacity, bucket.tokens + periods * this.refill);
      bucket.nextRefillAt += periods * this.periodMs;
    }
    return bucket;
  }
}
