// Atlas's rate-limit inspection endpoints as the emulator plays them: `GET /api/atlas/v2/rateLimits`
// and `GET /api/atlas/v2/rateLimits/{endpointSetId}` (2025-03-12, schemas `PaginatedRateLimitEndpointSets`
// and `RateLimitEndpointSetResponse` in atlas-more-openapi.json). What they state is what the
// emulator enforces: one GROUP-scoped set with every project endpoint it serves (they all share
// the project's bucket, `TokenBuckets` in traffic.ts), and the "Rate Limits Inspection" set, whose
// own bucket paces these two endpoints (never the project's). A test can make them answer 403 (a
// key without Project Read Only) or be absent (404).
import { apiError, ATLAS_ERROR_CODES as CODES, type Reply } from './envelope.js';
import { page } from './operations.js';
import { projectEndpoints } from './routes.js';
import type { TokenBuckets } from './traffic.js';

export const RATE_LIMITS_VERSION = '2025-03-12';
/** `served`: as Atlas; `forbidden`: 403 (the key lacks Project Read Only); `absent`: 404 (an Atlas without the endpoint). */
export type RateLimitsApiMode = 'served' | 'forbidden' | 'absent';

export const PROJECT_ENDPOINTS_SET = { endpointSetId: 'projectEndpoints_group', endpointSetName: 'Project Endpoints' } as const;
export const INSPECTION_SET = { endpointSetId: 'rateLimitsInspection_group', endpointSetName: 'Rate Limits Inspection' } as const;

const BASE = '/api/atlas/v2/rateLimits';
const GROUP_ID = /^[a-f0-9]{24}$/;
const MEDIA_TYPES = [`application/vnd.atlas.${RATE_LIMITS_VERSION}+json`, 'application/vnd.atlas.preview+json'];

export const isRateLimitsPath = (pathname: string): boolean => pathname === BASE || pathname === `${BASE}/` || pathname.startsWith(`${BASE}/`);

interface EndpointSet {
  endpointSetId: string;
  endpointSetName: string;
  scope: 'GROUP';
  capacity: { value: number };
  refillRate: { value: number };
  refillDurationSeconds: { value: number };
  endpoints: Array<{ method: string; path: string }>;
}

/**
 * A bucket as an endpoint set states it. Atlas states the refill period in whole seconds: a period
 * that is not (tests use 400 ms) is stated rounded up, slower than enforced, never faster.
 */
function stated(ids: { endpointSetId: string; endpointSetName: string }, bucket: TokenBuckets, endpoints: EndpointSet['endpoints']): EndpointSet {
  return {
    ...ids,
    scope: 'GROUP',
    capacity: { value: bucket.capacity },
    refillRate: { value: bucket.refill },
    refillDurationSeconds: { value: Math.max(1, Math.ceil(bucket.periodMs / 1000)) },
    endpoints,
  };
}

export interface RateLimitsAnswer {
  operation: 'listRateLimits' | 'getRateLimit';
  reply: Reply;
  /** Media type of a successful answer. */
  contentType: string;
  handled: boolean;
}

export class RateLimitsApi {
  constructor(
    private readonly project: TokenBuckets,
    /** The "Rate Limits Inspection" set's bucket, per project (or one for calls without `groupId`). */
    readonly inspection: TokenBuckets,
    public mode: RateLimitsApiMode,
    private readonly hasProject: (groupId: string) => boolean,
  ) {}

  /** The endpoint sets the emulator enforces, in Atlas's words. */
  endpointSets(): EndpointSet[] {
    return [
      stated(PROJECT_ENDPOINTS_SET, this.project, projectEndpoints()),
      stated(INSPECTION_SET, this.inspection, [
        { method: 'GET', path: BASE },
        { method: 'GET', path: `${BASE}/{endpointSetId}` },
      ]),
    ];
  }

  /** An authenticated request to a `/rateLimits` path. */
  handle(method: string, url: URL, accept: string): RateLimitsAnswer {
    const id = url.pathname.length > BASE.length + 1 ? safeDecode(url.pathname.slice(BASE.length + 1)) : undefined;
    const operation = id === undefined ? 'listRateLimits' : 'getRateLimit';
    const answer = (reply: Reply, handled = false, contentType = 'application/json'): RateLimitsAnswer => ({ operation, reply, handled, contentType });
    if (this.mode === 'absent' || (id !== undefined && id.includes('/'))) return answer(apiError(404, CODES.resourceNotFound, `Cannot find resource ${url.pathname}.`, [url.pathname]));
    if (method !== 'GET') return answer({ ...apiError(405, CODES.methodNotAllowed, `${method} is not supported on ${url.pathname}; use GET.`, [method]), headers: { Allow: 'GET' } });
    const groupId = url.searchParams.get('groupId');
    if (groupId !== null && !GROUP_ID.test(groupId)) return answer(apiError(400, CODES.invalidQueryParameter, `Invalid query parameter groupId specified: ${groupId} (24 hexadecimal digits).`, ['groupId']));
    if (this.mode === 'forbidden') return answer(apiError(403, CODES.userUnauthorized, 'Current user is not authorized to perform this action.'));
    if (groupId !== null && !this.hasProject(groupId)) return answer(apiError(404, CODES.groupNotFound, `No group with ID ${groupId} exists.`, [groupId]));

    const key = groupId ?? '';
    const budget = this.inspection.take(key);
    const headers = this.inspection.headers(key);
    if (!budget.ok) {
      const reply = apiError(429, CODES.rateLimitedTokenBucket, `Rate limit exceeded for ${BASE.slice(1)}. Please retry after ${budget.retryAfterSeconds} seconds.`, [key]);
      return answer({ ...reply, headers: { ...headers, 'Retry-After': String(budget.retryAfterSeconds) } });
    }
    const accepted = accept.split(',').map((m) => m.split(';')[0]!.trim().toLowerCase());
    const wanted = MEDIA_TYPES.find((m) => accepted.includes(m));
    if (!wanted) return answer({ ...apiError(406, CODES.invalidVersionDate, `Invalid accept header or version date. This resource wants Accept: ${MEDIA_TYPES[0]}.`, [MEDIA_TYPES[0]]), headers });

    const sets = this.endpointSets();
    if (id !== undefined) {
      const set = sets.find((s) => s.endpointSetId === id);
      if (!set) return answer({ ...apiError(404, CODES.resourceNotFound, `No rate limit endpoint set with ID ${id} exists.`, [id]), headers });
      return answer({ status: 200, body: set, headers }, true, wanted);
    }
    // Only GROUP-scoped sets exist here: asked about an organisation, a user or an IP, the list is empty.
    const otherScope = ['orgId', 'userId', 'ipAddress'].some((name) => url.searchParams.has(name));
    const names = url.searchParams.getAll('name');
    const paths = url.searchParams.getAll('endpointPath').map(withoutTrailingSlash);
    const matching = sets.filter(
      (set) =>
        !otherScope &&
        (names.length === 0 || names.includes(set.endpointSetName)) &&
        (paths.length === 0 || set.endpoints.some((e) => paths.includes(withoutTrailingSlash(e.path)))),
    );
    const reply = page(matching, url.searchParams);
    return answer({ ...reply, headers: { ...headers, ...reply.headers } }, reply.status < 400, wanted);
  }
}

/** A path segment decoded; a malformed escape stays as sent (and matches no set). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const withoutTrailingSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
