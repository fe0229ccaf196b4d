// Atlas's own statement of its rate limits (`GET /api/atlas/v2/rateLimits`, 2025-03-12): the
// endpoint sets, each a token bucket with a capacity and a refill (`refillRate` tokens every
// `refillDurationSeconds`). The refill is in no response header, so the pacer asks here once per
// project (and again hourly) for the set that covers the streams connection paths, and falls back
// to `atlas.pacing` when Atlas does not say (403 without Project Read Only, 404, no such set, an error).
// The call is not under `/groups/…`, so the project's pacer does not pace it: Atlas paces it by its
// own "Rate Limits Inspection" set.
import { z } from 'zod';
import type { AtlasClient } from './client.js';
import { AtlasApiError } from './errors.js';
import type { RefillAnswer } from './pacer.js';

export const RATE_LIMITS_VERSION = '2025-03-12';
/** The path spconn's connection calls take, as Atlas writes endpoints in its endpoint sets. */
export const STREAMS_CONNECTIONS_PATH = '/api/atlas/v2/groups/{groupId}/streams/{tenantName}/connections';
/** How long the look-up may take, retries included. */
const LOOKUP_DEADLINE_MS = 15_000;
const PAGE_SIZE = 100;
const MAX_PAGES = 20;

const setting = z.looseObject({ value: z.number().int().positive(), defaultValue: z.number().int().nullish() });

export const endpointSetSchema = z.looseObject({
  endpointSetId: z.string(),
  endpointSetName: z.string().optional(),
  scope: z.string().optional(),
  capacity: setting.optional(),
  refillRate: setting.optional(),
  refillDurationSeconds: setting.optional(),
  endpoints: z.array(z.looseObject({ method: z.string().optional(), path: z.string() })).optional(),
});
export type EndpointSet = z.infer<typeof endpointSetSchema>;

const pageSchema = z.looseObject({ results: z.array(endpointSetSchema), totalCount: z.number().optional() });

export interface RateLimitQuery {
  groupId: string;
  /** Only the sets with an endpoint of this path (Atlas's form, `{groupId}` and all). */
  endpointPath?: string;
  deadline?: number;
}

/** Every endpoint set Atlas lists for the project (GROUP-scoped), following its pages. */
export async function listRateLimits(atlas: AtlasClient, query: RateLimitQuery): Promise<EndpointSet[]> {
  const deadline = query.deadline ?? Date.now() + LOOKUP_DEADLINE_MS;
  const all: EndpointSet[] = [];
  for (let pageNum = 1; pageNum <= MAX_PAGES; pageNum++) {
    const { results } = await atlas.call({
      operation: 'read the project’s rate limits',
      method: 'GET',
      path: '/rateLimits',
      version: RATE_LIMITS_VERSION,
      query: { groupId: query.groupId, ...(query.endpointPath === undefined ? {} : { endpointPath: query.endpointPath }), itemsPerPage: PAGE_SIZE, pageNum },
      response: pageSchema,
      maxAttempts: 2,
      deadline,
    });
    all.push(...results);
    if (results.length < PAGE_SIZE) break;
  }
  return all;
}

/** One endpoint set, with the limits that apply to the project. */
export async function getRateLimit(atlas: AtlasClient, endpointSetId: string, query: { groupId: string; deadline?: number }): Promise<EndpointSet> {
  return atlas.call({
    operation: 'read a rate limit endpoint set',
    method: 'GET',
    path: `/rateLimits/${encodeURIComponent(endpointSetId)}`,
    version: RATE_LIMITS_VERSION,
    query: { groupId: query.groupId },
    response: endpointSetSchema,
    maxAttempts: 2,
    deadline: query.deadline ?? Date.now() + LOOKUP_DEADLINE_MS,
  });
}

/** The project's bucket for the streams connection endpoints, as Atlas states it; or why not. */
export async function streamsRefill(atlas: AtlasClient, groupId: string): Promise<RefillAnswer> {
  let sets: EndpointSet[];
  try {
    sets = await listRateLimits(atlas, { groupId, endpointPath: STREAMS_CONNECTIONS_PATH });
  } catch (error) {
    return { stated: false, reason: whyNot(error) };
  }
  // Atlas filters by path already; checked again (exactly, any method) in case it matched more loosely.
  const set = sets.find((s) => (s.scope === undefined || s.scope === 'GROUP') && (s.endpoints ?? []).some((e) => e.path === STREAMS_CONNECTIONS_PATH));
  if (!set) return { stated: false, reason: 'GET /rateLimits lists no endpoint set for the streams connection endpoints' };
  if (!set.capacity || !set.refillRate || !set.refillDurationSeconds) return { stated: false, reason: `endpoint set ${set.endpointSetId} states no capacity or refill` };
  return {
    stated: true,
    endpointSet: set.endpointSetName ?? set.endpointSetId,
    capacity: set.capacity.value,
    refill: set.refillRate.value,
    periodMs: set.refillDurationSeconds.value * 1000,
  };
}

/** Plain words without Atlas's detail (status and code only: nothing Atlas echoed reaches the log). */
function whyNot(error: unknown): string {
  if (error instanceof AtlasApiError) {
    const code = error.errorCode === undefined ? '' : ` ${error.errorCode}`;
    if (error.status === 401 || error.status === 403) return `GET /rateLimits answered ${error.status}${code}: the credential needs the Project Read Only role to read the project's rate limits`;
    if (error.status === 404) return `GET /rateLimits answered 404${code}: this Atlas does not state its rate limits`;
    return `GET /rateLimits answered ${error.status}${code}`;
  }
  return 'GET /rateLimits did not answer';
}
