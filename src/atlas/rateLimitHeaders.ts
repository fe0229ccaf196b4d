// What an Atlas answer says about its rate limit: `RateLimit-Limit` (the bucket's capacity),
// `RateLimit-Remaining` and `Retry-After` (seconds, or an HTTP date). Outside text: parsed with zod,
// and a malformed header is ignored (as if Atlas had not sent it), never trusted.
import { z } from 'zod';

/** The longest Retry-After spconn honours; a longer one is treated as this. */
export const MAX_RETRY_AFTER_MS = 120_000;

const count = z
  .string()
  .trim()
  .regex(/^\d{1,9}$/)
  .transform(Number);
const seconds = z
  .string()
  .trim()
  .regex(/^\d{1,9}$/)
  .transform((s) => Number(s) * 1000);
const httpDate = z
  .string()
  .trim()
  .refine((s) => /[a-z]/i.test(s) && Number.isFinite(Date.parse(s)))
  .transform((s) => Date.parse(s));

export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  /** When Retry-After allows the next call (bounded by MAX_RETRY_AFTER_MS). */
  retryAt?: number;
}

export function readRateLimitHeaders(headers: Headers, now: number): RateLimitHeaders {
  const out: RateLimitHeaders = {};
  const limit = count.pipe(z.number().int().min(1)).safeParse(headers.get('ratelimit-limit') ?? undefined);
  if (limit.success) out.limit = limit.data;
  const remaining = count.safeParse(headers.get('ratelimit-remaining') ?? undefined);
  if (remaining.success) out.remaining = remaining.data;
  const retryAfter = headers.get('retry-after') ?? undefined;
  const delay = seconds.safeParse(retryAfter);
  const date = delay.success ? undefined : httpDate.safeParse(retryAfter);
  const waitMs = delay.success ? delay.data : date?.success ? Math.max(0, date.data - now) : undefined;
  if (waitMs !== undefined) out.retryAt = now + Math.min(waitMs, MAX_RETRY_AFTER_MS);
  return out;
}
