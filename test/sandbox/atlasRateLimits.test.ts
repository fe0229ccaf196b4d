// The emulated Atlas states its rate limits at `GET /rateLimits` and `/rateLimits/{endpointSetId}`
// (2025-03-12) as it enforces them: bodies valid against the official schemas (an excerpt of
// atlas-more-openapi.json, verbatim), the `endpointPath` / `name` filters and pagination, Digest and
// bearer auth, its own "Rate Limits Inspection" bucket, and the 403 / 404 switches. Read through
// spconn's own client (src/atlas/rateLimits.ts).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { getRateLimit, listRateLimits, RATE_LIMITS_VERSION, STREAMS_CONNECTIONS_PATH, streamsRefill } from '../../src/atlas/rateLimits.js';
import { listConnections } from '../../src/atlas/streams.js';
import { createLogger } from '../../src/log.js';
import type { AtlasEmulatorOptions } from '../../src/sandbox/atlasEmulator.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';

const logger = createLogger({ level: 'silent' });
const worlds: World[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.stop()));
});

async function world(atlas: Omit<AtlasEmulatorOptions, 'keys'> = {}): Promise<{ w: World; atlas: AtlasClient }> {
  const w = await startWorld({ atlas });
  worlds.push(w);
  const client = new AtlasClient({
    baseUrl: w.atlas.url,
    apiKeySecret: WORLD.apiKeySecret,
    secrets: new SecretCache(w.secretsManagerClient(), { ttlMs: 60_000, logger }),
    logger,
    timeoutMs: 5_000,
    maxAttempts: 1,
  });
  return { w, atlas: client };
}

// The official schemas, made strict (no attribute the schema does not declare) for the check.
const spec = JSON.parse(readFileSync(new URL('../../src/sandbox/atlas/atlas-ratelimits-openapi.json', import.meta.url), 'utf8')) as { components: { schemas: Record<string, unknown> } };
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strict(v)]));
  if (out.type === 'object' && out.properties !== undefined) out.additionalProperties = false;
  return out;
}
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addSchema({ components: { schemas: strict(spec.components.schemas) } }, 'atlas');
function expectSchema(name: string, body: unknown): void {
  const validate = ajv.compile({ $ref: `atlas#/components/schemas/${name}` });
  expect(validate(body) ? [] : validate.errors).toEqual([]);
}

const raw = (atlas: AtlasClient, path: string, query: Record<string, string | number> = {}, version: string = RATE_LIMITS_VERSION) =>
  atlas.call({ operation: 'read rate limits', method: 'GET', path, version, query, response: z.unknown() });
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('GET /rateLimits in the emulated Atlas', () => {
  it('states the project bucket it enforces for every project endpoint, and its own inspection bucket, in the official schema', async () => {
    const { w, atlas } = await world({ rateLimit: { capacity: 3, refill: 2, periodMs: 60_000 }, rateLimitsInspection: { capacity: 5, refill: 1, periodMs: 10_000 } });
    const body = await raw(atlas, '/rateLimits', { groupId: WORLD.projectId });
    expectSchema('PaginatedRateLimitEndpointSets', body);
    const sets = await listRateLimits(atlas, { groupId: WORLD.projectId });
    expect(sets.map((s) => [s.endpointSetId, s.endpointSetName, s.scope, s.capacity?.value, s.refillRate?.value, s.refillDurationSeconds?.value])).toEqual([
      ['projectEndpoints_group', 'Project Endpoints', 'GROUP', 3, 2, 60],
      ['rateLimitsInspection_group', 'Rate Limits Inspection', 'GROUP', 5, 1, 10],
    ]);
    const paths = sets[0]!.endpoints!.map((e) => `${e.method} ${e.path}`);
    expect(paths).toEqual(expect.arrayContaining([
      'GET /api/atlas/v2/groups/{groupId}/streams/{tenantName}/connections',
      'POST /api/atlas/v2/groups/{groupId}/streams/{tenantName}/connections',
      'PATCH /api/atlas/v2/groups/{groupId}/streams/{tenantName}/connections/{connectionName}',
      'GET /api/atlas/v2/groups/{groupId}/streams/privateLinkConnections/{connectionId}',
      'GET /api/atlas/v2/groups/{groupId}/cloudProviderAccess/{roleId}',
    ]));
    expect(sets[1]!.endpoints).toEqual([
      { method: 'GET', path: '/api/atlas/v2/rateLimits' },
      { method: 'GET', path: '/api/atlas/v2/rateLimits/{endpointSetId}' },
    ]);

    // What it states is what it enforces: 3 calls, then 429 with the same numbers in Atlas's words.
    for (let i = 0; i < 3; i++) await listConnections(atlas, { projectId: WORLD.projectId, instance: WORLD.instance });
    const limited = await failure(listConnections(atlas, { projectId: WORLD.projectId, instance: WORLD.instance }));
    expect(limited).toMatchObject({ status: 429 });
    expect((limited as AtlasApiError).detail).toMatch(/Request capacity: 3\. Refill rate: 2 per 60 seconds\./);

    // The inspection calls took from their own bucket (5 - 2 so far), never the project's.
    const last = w.atlas.calls.filter((c) => c.operation === 'listRateLimits');
    expect(last.map((c) => c.status)).toEqual([200, 200]);
    expect(w.atlas.rateLimitRemaining(WORLD.projectId)).toBe(0);
    await raw(atlas, '/rateLimits', { groupId: WORLD.projectId });
    await raw(atlas, '/rateLimits', { groupId: WORLD.projectId });
    await raw(atlas, '/rateLimits', { groupId: WORLD.projectId });
    const empty = await failure(raw(atlas, '/rateLimits', { groupId: WORLD.projectId }));
    expect(empty).toMatchObject({ status: 429, errorCode: 'RATE_LIMITED_TOKEN_BUCKET' });
  });

  it('sends the inspection bucket in RateLimit headers', async () => {
    const { w } = await world({ rateLimitsInspection: { capacity: 7 } });
    const token = await mint(w);
    const res = await fetch(`${w.atlas.url}/api/atlas/v2/rateLimits?groupId=${WORLD.projectId}`, { headers: { Authorization: `Bearer ${token}`, Accept: `application/vnd.atlas.${RATE_LIMITS_VERSION}+json` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(`application/vnd.atlas.${RATE_LIMITS_VERSION}+json`);
    expect([res.headers.get('ratelimit-limit'), res.headers.get('ratelimit-remaining')]).toEqual(['7', '6']);
  });

  it('filters by endpointPath and name, pages, and refuses a bad page or groupId', async () => {
    const { atlas } = await world();
    const ids = async (query: Record<string, string | number>) => ((await raw(atlas, '/rateLimits', { groupId: WORLD.projectId, ...query })) as { results: Array<{ endpointSetId: string }> }).results.map((s) => s.endpointSetId);
    expect(await ids({ endpointPath: STREAMS_CONNECTIONS_PATH })).toEqual(['projectEndpoints_group']);
    expect(await ids({ endpointPath: '/api/atlas/v2/rateLimits/{endpointSetId}' })).toEqual(['rateLimitsInspection_group']);
    expect(await ids({ endpointPath: '/api/atlas/v2/clusters' })).toEqual([]);
    expect(await ids({ name: 'Rate Limits Inspection' })).toEqual(['rateLimitsInspection_group']);
    expect(await ids({ orgId: '0123456789abcdef01234567' })).toEqual([]);
    const second = await raw(atlas, '/rateLimits', { groupId: WORLD.projectId, itemsPerPage: 1, pageNum: 2 });
    expectSchema('PaginatedRateLimitEndpointSets', second);
    expect(second).toMatchObject({ results: [{ endpointSetId: 'rateLimitsInspection_group' }], totalCount: 2 });
    expect(await failure(raw(atlas, '/rateLimits', { itemsPerPage: 501 }))).toMatchObject({ status: 400, errorCode: 'INVALID_QUERY_PARAMETER' });
    expect(await failure(raw(atlas, '/rateLimits', { groupId: 'nope' }))).toMatchObject({ status: 400, errorCode: 'INVALID_QUERY_PARAMETER' });
    expect(await failure(raw(atlas, '/rateLimits', { groupId: 'ffffffffffffffffffffffff' }))).toMatchObject({ status: 404, errorCode: 'GROUP_NOT_FOUND' });
    expect(await failure(raw(atlas, '/rateLimits', { groupId: WORLD.projectId }, '2023-01-01'))).toMatchObject({ status: 406 });
  });

  it('returns one endpoint set by id, and 404 for an unknown one', async () => {
    const { atlas } = await world({ rateLimit: { capacity: 40, refill: 10, periodMs: 30_000 } });
    const body = await raw(atlas, '/rateLimits/projectEndpoints_group', { groupId: WORLD.projectId });
    expectSchema('RateLimitEndpointSetResponse', body);
    expect(await getRateLimit(atlas, 'projectEndpoints_group', { groupId: WORLD.projectId })).toMatchObject({ capacity: { value: 40 }, refillRate: { value: 10 }, refillDurationSeconds: { value: 30 } });
    const missing = await failure(raw(atlas, '/rateLimits/nothing_group', { groupId: WORLD.projectId }));
    expect(missing).toMatchObject({ status: 404, errorCode: 'RESOURCE_NOT_FOUND' });
  });

  it('spconn reads the streams bucket from it; a period in ms is stated in whole seconds, rounded up', async () => {
    const { atlas } = await world({ rateLimit: { capacity: 4, refill: 4, periodMs: 400 } });
    expect(await streamsRefill(atlas, WORLD.projectId)).toEqual({ stated: true, endpointSet: 'Project Endpoints', capacity: 4, refill: 4, periodMs: 1_000 });
  });

  it('asks Digest or a bearer token like every endpoint: none gets 401', async () => {
    const { w } = await world();
    const res = await fetch(`${w.atlas.url}/api/atlas/v2/rateLimits?groupId=${WORLD.projectId}`, { headers: { Accept: `application/vnd.atlas.${RATE_LIMITS_VERSION}+json` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Digest /);
  });

  it('answers 403 for a key without Project Read Only, or 404 when switched off; spconn says why in plain words', async () => {
    const { w, atlas } = await world({ rateLimitsApi: 'forbidden' });
    const forbidden = await failure(raw(atlas, '/rateLimits', { groupId: WORLD.projectId }));
    expect(forbidden).toMatchObject({ status: 403, errorCode: 'USER_UNAUTHORIZED' });
    expect(await streamsRefill(atlas, WORLD.projectId)).toEqual({
      stated: false,
      reason: "GET /rateLimits answered 403 USER_UNAUTHORIZED: the credential needs the Project Read Only role to read the project's rate limits",
    });
    w.atlas.setRateLimitsApi('absent');
    expect(await failure(raw(atlas, '/rateLimits/projectEndpoints_group', { groupId: WORLD.projectId }))).toMatchObject({ status: 404 });
    expect(await streamsRefill(atlas, WORLD.projectId)).toEqual({ stated: false, reason: 'GET /rateLimits answered 404 RESOURCE_NOT_FOUND: this Atlas does not state its rate limits' });
    w.atlas.setRateLimitsApi('served');
    expect(await streamsRefill(atlas, WORLD.projectId)).toMatchObject({ stated: true });
  });
});

async function mint(w: World): Promise<string> {
  const { clientId, clientSecret } = w.serviceAccount;
  const res = await fetch(`${w.atlas.url}/api/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  return z.object({ access_token: z.string() }).parse(await res.json()).access_token;
}
