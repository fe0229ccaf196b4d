// Faults a test injects into the emulated Atlas, and Atlas's per-project rate limit.
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
  /** Adds `Retry-After: <seconds>`. */
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

export function faultReply(fault: AtlasFault, requestBody?: unknown): Reply {
  const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
  if (fault.body !== undefined) return { status: fault.status, body: fault.body, headers };
  if (fault.echo) {
    const code = fault.status === 400 ? ATLAS_ERROR_CODES.invalidAttribute : ATLAS_ERROR_CODES.unexpectedError;
    return { ...apiError(fault.status, code, fault.echo(requestBody)), headers };
  }
  const code =
    fault.status === 429
      ? ATLAS_ERROR_CODES.rateLimitExceeded
      : fault.status === 502 || fault.status === 503 || fault.status === 504
        ? ATLAS_ERROR_CODES.serviceUnavailable
        : ATLAS_ERROR_CODES.unexpectedError;
  return { ...apiError(fault.status, code, `Injected fault: HTTP ${fault.status}.`), headers };
}

/** A sliding window of authenticated requests per project, like Atlas's per-project limits. */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(
    /** Requests per window; undefined: counted (for the headers) but never refused. */
    private readonly limit: number | undefined,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Takes one request from the project's budget; the seconds to wait when there is none left. */
  take(project: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const window = this.window(project);
    if (this.limit !== undefined && window.length >= this.limit) {
      const wait = this.windowMs - (this.now() - window[0]!);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
    }
    window.push(this.now());
    return { ok: true };
  }

  /** `RateLimit-Limit` and `RateLimit-Remaining` for the project (1200 is what Atlas was seen to send). */
  headers(project: string | undefined): Record<string, string> {
    const limit = this.limit ?? 1200;
    const used = project === undefined ? 0 : this.window(project).length;
    return { 'RateLimit-Limit': String(limit), 'RateLimit-Remaining': String(Math.max(0, limit - used)) };
  }

  private window(project: string): number[] {
    let window = this.windows.get(project);
    if (!window) {
      window = [];
      this.windows.set(project, window);
    }
    // Times are pushed in order, so the expired ones are at the front.
    const oldest = this.now() - this.windowMs;
    let expired = 0;
    while (expired < window.length && window[expired]! <= oldest) expired++;
    if (expired > 0) window.splice(0, expired);
    return window;
  }
}
