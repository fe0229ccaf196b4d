// The Atlas Administration API client: credentials from an auth strategy (Digest with an API key
// from Secrets Manager, or a service account's bearer token; see auth.ts), the dated media type each
// endpoint documents, timeouts, retries with back-off and jitter, and one error type.
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';
import { atlasEndpoint, type Metrics } from '../metrics/metrics.js';
import type { SecretCache } from '../secrets/apiKeys.js';
import { SecretScrubber } from '../secrets/scrub.js';
import { DigestAuth, type AtlasAuth, type AuthSession } from './auth.js';
import type { ProjectPacer, Ticket } from './pacer.js';
import { MAX_RETRY_AFTER_MS, readRateLimitHeaders } from './rateLimitHeaders.js';
import { AtlasApiError, AtlasUnreachableError, atlasErrorEnvelopeSchema } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface AtlasCall<T> {
  /** Says what the call does, in words for a person: "create connection orders-api". */
  operation: string;
  method: HttpMethod;
  /** Path below /api/atlas/v2, e.g. `/groups/{id}/streams/{tenant}/connections`. */
  path: string;
  /** The resource version date the endpoint documents, e.g. "2023-02-01". */
  version: string;
  query?: Record<string, string | number>;
  body?: unknown;
  response: z.ZodType<T>;
  /**
   * For a call that is not idempotent: after an ambiguous failure (timeout, network error, 5xx)
   * the call may have happened. `recover` looks; a value means it did and is returned as the result.
   */
  recover?: () => Promise<T | undefined>;
  /** Overrides the client's attempts, e.g. 1 for a look-up that must answer within Slack's deadline. */
  maxAttempts?: number;
  /**
   * Values that must never appear in an error (e.g. header values sent), in any form Atlas may
   * echo them (see secrets/scrub.ts). The credentials' secrets (private key, client secret, token) are always scrubbed too.
   */
  scrub?: readonly string[];
  /** Epoch ms after which the call is not worth making: no wait (pacing, Retry-After) goes past it. */
  deadline?: number;
}

export interface AtlasClientOptions {
  baseUrl: string;
  /** How calls authenticate; without it, Digest with the API key in `apiKeySecret`. */
  auth?: AtlasAuth;
  apiKeySecret?: string;
  secrets?: SecretCache;
  logger: Logger;
  timeoutMs: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Shared pacing per project; every request to `/groups/{id}/…` waits its turn. */
  pacer?: ProjectPacer;
  /** Aborted when the process stops: waits for pacing or Retry-After end at once. */
  signal?: AbortSignal;
  metrics?: Pick<Metrics, 'atlasCalls' | 'atlasSeconds'>;
  /** Called for each 429 answer to a call in a project (the metric by project). */
  onRateLimited?: (projectId: string) => void;
}

class RetryableFailure {
  constructor(
    readonly reason: string,
    /** True when the request may have been carried out (so a create must look before retrying). */
    readonly ambiguous: boolean,
    readonly retryAfterMs: number | undefined,
    readonly last: AtlasApiError | AtlasUnreachableError,
  ) {}
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class AtlasClient {
  private readonly auth: AtlasAuth;

  constructor(private readonly options: AtlasClientOptions) {
    if (options.auth) this.auth = options.auth;
    else if (options.secrets && options.apiKeySecret !== undefined) this.auth = new DigestAuth(options.secrets, options.apiKeySecret);
    else throw new Error('AtlasClient needs an auth strategy, or an apiKeySecret and a secret cache');
  }

  async call<T>(call: AtlasCall<T>): Promise<T> {
    const maxAttempts = call.maxAttempts ?? this.options.maxAttempts ?? 4;
    let failure: RetryableFailure | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (failure) {
        const delay = this.backoff(attempt - 1, failure.retryAfterMs);
        // A wait that would outlive the call's deadline, or a stopping process, is not worth it.
        if ((call.deadline !== undefined && Date.now() + delay > call.deadline) || this.options.signal?.aborted) throw failure.last;
        await (this.options.sleep ?? defaultSleep)(delay);
        if (failure.ambiguous && call.recover) {
          const recovered = await call.recover();
          if (recovered !== undefined) {
            this.options.logger.info({ operation: call.operation }, 'Atlas call had succeeded before its failure; not repeating it');
            return recovered;
          }
        }
      }
      let outcome: T | RetryableFailure;
      try {
        outcome = await this.attempt(call);
      } catch (error) {
        // A conflict right after an ambiguous failure is usually our own earlier try landing late.
        if (failure?.ambiguous && call.recover && error instanceof AtlasApiError && error.status === 409) {
          const recovered = await call.recover();
          if (recovered !== undefined) return recovered;
        }
        throw error;
      }
      if (!(outcome instanceof RetryableFailure)) return outcome;
      failure = outcome;
      this.options.logger.warn({ operation: call.operation, attempt, reason: failure.reason }, 'Atlas call failed; will retry');
    }
    throw failure!.last;
  }

  /** Every item of a paginated list, following Atlas's pages until a short one. */
  async listAll<T>(call: { operation: string; path: string; version: string; item: z.ZodType<T>; itemsPerPage?: number; maxAttempts?: number }): Promise<T[]> {
    const itemsPerPage = call.itemsPerPage ?? 100;
    const page = z.looseObject({ results: z.array(call.item) });
    const all: T[] = [];
    for (let pageNum = 1; ; pageNum++) {
      const { results } = await this.call<{ results: T[] }>({
        operation: call.operation,
        path: call.path,
        version: call.version,
        method: 'GET',
        query: { itemsPerPage, pageNum },
        response: page as unknown as z.ZodType<{ results: T[] }>,
        maxAttempts: call.maxAttempts,
      });
      all.push(...results);
      if (results.length < itemsPerPage) return all;
    }
  }

  private backoff(retry: number, retryAfterMs: number | undefined): number {
    const base = this.options.baseDelayMs ?? 250;
    const max = this.options.maxDelayMs ?? 10_000;
    const jittered = Math.random() * Math.min(max, base * 2 ** retry);
    return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
  }

  /** Scrubs what the call sent (and the key it signed with) from text that came back. */
  private scrubberFor(call: AtlasCall<unknown>): SecretScrubber {
    return SecretScrubber.for([...(call.scrub ?? []), ...this.auth.secretValues()]);
  }

  private async attempt<T>(call: AtlasCall<T>): Promise<T | RetryableFailure> {
    const url = new URL(`/api/atlas/v2${call.path}`, this.options.baseUrl);
    for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { Accept: `application/vnd.atlas.${call.version}+json` };
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      // A string, not a stream: digest-fetch sends the body again after the 401 challenge.
      body = JSON.stringify(call.body);
    }

    const projectId = /^\/groups\/([^/]+)/.exec(call.path)?.[1];
    const pacer = projectId ? this.options.pacer : undefined;
    let ticket: Ticket | undefined;
    const paced = async () => {
      if (!pacer || !projectId) return;
      try {
        ticket = await pacer.acquire(projectId, { ...(this.options.signal ? { signal: this.options.signal } : {}), ...(call.deadline === undefined ? {} : { deadline: call.deadline }) });
      } catch (cause) {
        // Never sent: not ambiguous, and not worth a retry (stopping, or past the deadline).
        throw new AtlasUnreachableError(call.operation, cause);
      }
    };
    const sendPaced = async (session: AuthSession): Promise<Response> => {
      await paced();
      try {
        const answer = await this.measured(call, () => session.fetch(url.toString(), { method: call.method, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs) }));
        if (ticket) pacer?.observe(ticket, { status: answer.status, headers: answer.headers });
        return answer;
      } catch (error) {
        if (ticket) pacer?.observe(ticket, { status: 0 });
        throw error;
      }
    };
    let response: Response;
    try {
      let session = await this.auth.session();
      response = await sendPaced(session);
      if (response.status === 401) {
        // The key may have been rotated, the token may have expired: refresh (once for all concurrent callers) and retry once.
        await response.body?.cancel();
        session = await this.auth.session(session);
        response = await sendPaced(session);
      }
    } catch (cause) {
      if (cause instanceof SpconnError) throw cause;
      // A network error's text is not Atlas's, but it is outside text all the same: it is logged.
      const scrubber = this.scrubberFor(call);
      const reason = cause instanceof Error ? scrubber.scrub(`${cause.name}: ${cause.message}`) : 'network error';
      return new RetryableFailure(reason, true, undefined, new AtlasUnreachableError(call.operation, scrubber.scrubError(cause)));
    }

    const text = await response.text().catch(() => '');
    if (response.ok) {
      let json: unknown = {};
      try {
        if (text !== '') json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const parsed = call.response.safeParse(json);
      if (!parsed.success) {
        this.options.logger.error({ operation: call.operation, issues: parsed.error.issues.slice(0, 5) }, 'unexpected Atlas response shape');
        throw new AtlasApiError(response.status, 'UNEXPECTED_RESPONSE', 'Atlas answered in an unexpected shape.', call.operation);
      }
      return parsed.data;
    }

    const error = this.toError(response.status, text, call);
    const now = Date.now();
    const { retryAt } = readRateLimitHeaders(response.headers, now);
    const retryAfterMs = retryAt === undefined ? undefined : retryAt - now;
    if (response.status === 429) return new RetryableFailure('429', false, retryAfterMs, error);
    if (response.status >= 500) return new RetryableFailure(String(response.status), true, retryAfterMs, error);
    throw error;
  }

  /** Counts and times one HTTP exchange (Digest challenge included); logs it with the request id in scope. */
  private async measured(call: AtlasCall<unknown>, send: () => Promise<Response>): Promise<Response> {
    const endpoint = atlasEndpoint(call.path);
    const started = performance.now();
    let status = 'network';
    try {
      const response = await send();
      status = String(response.status);
      return response;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.options.metrics?.atlasCalls.inc({ endpoint, method: call.method, status });
      this.options.metrics?.atlasSeconds.observe({ endpoint, method: call.method }, seconds);
      const projectId = status === '429' ? /^\/groups\/([^/]+)/.exec(call.path)?.[1] : undefined;
      if (projectId !== undefined) this.options.onRateLimited?.(projectId);
      this.options.logger.info({ atlas: { method: call.method, endpoint, status, ms: Math.round(seconds * 1000) }, operation: call.operation }, 'Atlas call');
    }
  }

  private toError(status: number, text: string, call: AtlasCall<unknown>): AtlasApiError {
    let envelope: z.infer<typeof atlasErrorEnvelopeSchema> = {};
    try {
      const parsed = atlasErrorEnvelopeSchema.safeParse(JSON.parse(text));
      if (parsed.success) envelope = parsed.data;
    } catch {
      // Not JSON (a proxy's HTML page, say): the status alone has to do.
    }
    // Scrubbed before the error exists: its message, and so its stack, are built from the detail.
    const scrubber = this.scrubberFor(call);
    const detail = envelope.detail === undefined ? undefined : scrubber.scrub(envelope.detail);
    const errorCode = envelope.errorCode === undefined ? undefined : scrubber.scrub(envelope.errorCode);
    return new AtlasApiError(status, errorCode, detail, call.operation);
  }
}
