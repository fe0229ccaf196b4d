// The Atlas emulator holds to Atlas's contract (README and OpenAPI spec): Digest, dated versions,
// schemas and rules, the error envelope, pagination, state transitions, faults and rate limits.
import { createHash } from 'node:crypto';
import DigestClient from 'digest-fetch';
import { afterEach, describe, expect, it } from 'vitest';
import { AtlasEmulator, type AtlasEmulatorOptions } from '../../src/sandbox/atlasEmulator.js';

const G = '0123456789abcdef01234567';
const OTHER = '0123456789abcdef0123456a';
const KEY = { publicKey: 'pubkey', privateKey: 'priv-key-0001' };
const ROLE_OK = 'arn:aws:iam::123456789012:role/atlas-s3-ok';
const ROLE_PENDING = 'arn:aws:iam::123456789012:role/atlas-s3-pending';
const V2023 = 'application/vnd.atlas.2023-02-01+json';
const JSON_HEADERS = { Accept: V2023, 'Content-Type': 'application/json' };
const CONFLUENT_LINK = {
  provider: 'AWS',
  vendor: 'CONFLUENT',
  region: 'us-east-1',
  serviceEndpointId: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
  dnsDomain: 'abc123.us-east-1.aws.confluent.cloud',
  dnsSubDomain: ['use1-az1.abc123.us-east-1.aws.confluent.cloud'],
};

const started: AtlasEmulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.stop()));
});

async function startAtlas(options: Omit<AtlasEmulatorOptions, 'keys'> = {}): Promise<AtlasEmulator> {
  const atlas = await AtlasEmulator.start({ keys: [KEY], ...options });
  started.push(atlas);
  atlas.addProject(G, {
    instances: ['inst'],
    awsIamRoles: [{ iamAssumedRoleArn: ROLE_OK }, { iamAssumedRoleArn: ROLE_PENDING, authorized: false }],
    awsAccountId: '111122223333',
  });
  return atlas;
}

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A Digest client for one emulator; paths are below /api/atlas/v2/groups/{groupId}. */
function api(atlas: AtlasEmulator, key = KEY, groupId = G) {
  const client = new DigestClient(key.publicKey, key.privateKey, { algorithm: 'MD5' });
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = JSON_HEADERS): Promise<Answer> => {
    const res = (await client.fetch(`${atlas.url}/api/atlas/v2/groups/${groupId}${path}`, {
      method,
      headers: { ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })) as Response;
    return answer(res);
  };
}

// An independent Digest implementation (RFC 7616), so the emulator is not only checked against digest-fetch.
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
function digestAuthorization(o: { method: string; uri: string; nonce: string; nc: string; key?: typeof KEY; quoted?: boolean }): string {
  const key = o.key ?? KEY;
  const cnonce = 'f00dcafe0123';
  const ha1 = md5(`${key.publicKey}:MMS Public API:${key.privateKey}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const response = md5(`${ha1}:${o.nonce}:${o.nc}:${cnonce}:auth:${ha2}`);
  const q = (v: string) => (o.quoted ? `"${v}"` : v);
  return `Digest username="${key.publicKey}", realm="MMS Public API", nonce="${o.nonce}", uri="${o.uri}", algorithm=${q('MD5')}, qop=${q('auth')}, nc=${q(o.nc)}, cnonce="${cnonce}", response="${response}"`;
}

async function challenge(url: string): Promise<{ nonce: string; header: string }> {
  const res = await fetch(url, { headers: { Accept: V2023 } });
  await res.text();
  const header = res.headers.get('www-authenticate') ?? '';
  return { nonce: /nonce="([^"]+)"/.exec(header)?.[1] ?? '', header };
}

describe('Digest authentication', () => {
  it('challenges an unauthenticated request as Atlas does: 401, the Digest header and the error body', async () => {
    const atlas = await startAtlas();
    const res = await answer(await fetch(`${atlas.url}/api/atlas/v2/groups/${G}/streams/inst/connections`, { headers: { Accept: V2023 } }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=MD5, qop="auth", stale=false$/);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.json).toEqual({ error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.' });
    expect(res.headers.get('ratelimit-limit')).toBe('1200');
    expect(atlas.calls).toMatchObject([{ method: 'GET', status: 401, authenticated: false, operation: 'listConnections' }]);
  });

  it('answers the right key with 200, the dated media type and rate limit headers', async () => {
    const atlas = await startAtlas();
    const res = await api(atlas)('GET', '/streams/inst/connections');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(V2023);
    expect(res.json).toEqual({ results: [], totalCount: 0, links: [] });
    expect(res.headers.get('ratelimit-limit')).toBe('1200');
    expect(Number(res.headers.get('ratelimit-remaining'))).toBeLessThan(1200);
    expect(atlas.calls.map((c) => [c.status, c.authenticated, c.publicKey])).toEqual([
      [401, false, undefined],
      [200, true, KEY.publicKey],
    ]);
  });

  it('refuses a wrong private key and an unknown public key with 401', async () => {
    const atlas = await startAtlas();
    expect((await api(atlas, { ...KEY, privateKey: 'wrong' })('GET', '/streams/inst/connections')).status).toBe(401);
    expect((await api(atlas, { publicKey: 'nobody', privateKey: KEY.privateKey })('GET', '/streams/inst/connections')).status).toBe(401);
    expect(atlas.calls.every((c) => !c.authenticated)).toBe(true);
  });

  it('accepts a response computed by hand, quoted or not, and refuses a replayed or zero nonce count', async () => {
    const atlas = await startAtlas();
    const uri = `/api/atlas/v2/groups/${G}/streams/inst/connections?itemsPerPage=5`;
    const send = async (nonce: string, nc: string, quoted = false) =>
      (await fetch(`${atlas.url}${uri}`, { headers: { Accept: V2023, Authorization: digestAuthorization({ method: 'GET', uri, nonce, nc, quoted }) } })).status;
    const { nonce } = await challenge(`${atlas.url}${uri}`);
    expect(await send(nonce, '00000001')).toBe(200);
    expect(await send(nonce, '00000001')).toBe(401); // the same count again: a replay
    expect(await send(nonce, '00000002', true)).toBe(200);
    expect(await send(nonce, '00000002')).toBe(401);
    const fresh = (await challenge(`${atlas.url}${uri}`)).nonce;
    expect(await send(fresh, '00000000')).toBe(401);
    expect(await send(fresh, '00000005')).toBe(200); // counts may skip, never go back
    expect(await send(fresh, '00000004')).toBe(401);
  });

  it('refuses credentials computed for another uri than the request target', async () => {
    const atlas = await startAtlas();
    const uri = `/api/atlas/v2/groups/${G}/streams/inst/connections`;
    const { nonce } = await challenge(`${atlas.url}${uri}`);
    const other = `${uri}?itemsPerPage=1`;
    const res = await fetch(`${atlas.url}${uri}`, { headers: { Accept: V2023, Authorization: digestAuthorization({ method: 'GET', uri: other, nonce, nc: '00000001' }) } });
    expect(res.status).toBe(401);
  });

  it('marks an expired nonce stale, and digest-fetch recovers with a new one', async () => {
    let clock = 1_000_000;
    const atlas = await startAtlas({ nonceTtlMs: 60_000, now: () => clock });
    const uri = `/api/atlas/v2/groups/${G}/streams/inst/connections`;
    const { nonce } = await challenge(`${atlas.url}${uri}`);
    const call = api(atlas);
    expect((await call('GET', '/streams/inst/connections')).status).toBe(200);
    clock += 60_001;
    const res = await fetch(`${atlas.url}${uri}`, { headers: { Accept: V2023, Authorization: digestAuthorization({ method: 'GET', uri, nonce, nc: '00000001' }) } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/stale=true$/);
    // A wrong key with the same expired nonce is not "stale": the credentials are wrong.
    const wrong = digestAuthorization({ method: 'GET', uri, nonce, nc: '00000001', key: { ...KEY, privateKey: 'wrong' } });
    expect((await fetch(`${atlas.url}${uri}`, { headers: { Accept: V2023, Authorization: wrong } })).headers.get('www-authenticate')).toMatch(/stale=false$/);
    expect((await call('GET', '/streams/inst/connections')).status).toBe(200);
  });

  it('takes a key rotation at once: the removed key gets 401, the added one 200', async () => {
    const atlas = await startAtlas();
    const rotated = { publicKey: 'rotated', privateKey: 'rotated-private' };
    const old = api(atlas);
    expect((await old('GET', '/streams/inst')).status).toBe(200);
    atlas.addKey(rotated);
    atlas.removeKey(KEY.publicKey);
    expect((await old('GET', '/streams/inst')).status).toBe(401);
    expect((await api(atlas, rotated)('GET', '/streams/inst')).status).toBe(200);
  });

  it('serves 50 concurrent calls from 50 clients', async () => {
    const atlas = await startAtlas();
    const statuses = await Promise.all(Array.from({ length: 50 }, () => api(atlas)('GET', '/streams/inst/connections').then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(atlas.count('listConnections')).toBe(50);
  });
});

describe('versions and media types', () => {
  it('wants the dated version each endpoint documents, and answers 406 otherwise', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    const wrong = await call('GET', '/streams/inst/connections', undefined, { Accept: 'application/json' });
    expect(wrong.status).toBe(406);
    expect(wrong.headers.get('content-type')).toBe('application/json');
    expect(wrong.json).toMatchObject({ error: 406, errorCode: 'INVALID_VERSION_DATE', reason: 'Not Acceptable', parameters: [V2023] });
    expect((await call('GET', '/streams/inst/connections', undefined, {})).status).toBe(406);

    const details = '/streams/accountDetails?cloudProvider=aws&regionName=US_EAST_1';
    expect((await call('GET', details)).status).toBe(406);
    const ok = await call('GET', details, undefined, { Accept: 'application/vnd.atlas.2024-11-13+json' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/vnd.atlas.2024-11-13+json');

    expect((await call('GET', '/cloudProviderAccess')).status).toBe(406);
    expect((await call('GET', '/cloudProviderAccess', undefined, { Accept: 'application/vnd.atlas.2023-01-01+json' })).status).toBe(200);

    const link = await call('POST', '/streams/privateLinkConnections', CONFLUENT_LINK);
    const patch = `/streams/privateLinkConnections/${String(link.json._id)}`;
    expect((await call('PATCH', patch, { dnsDomain: CONFLUENT_LINK.dnsDomain })).status).toBe(406);
    const patched = await call('PATCH', patch, { dnsDomain: CONFLUENT_LINK.dnsDomain }, { Accept: 'application/vnd.atlas.2025-03-12+json', 'Content-Type': 'application/json' });
    expect(patched.status).toBe(200);
  });

  it('refuses a body that is not JSON: 415 for another media type, 400 for malformed JSON', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    const asText = await call('POST', '/streams/inst/connections', { name: 'a', type: 'Https', url: 'https://x.example' }, { Accept: V2023, 'Content-Type': 'text/plain' });
    expect(asText).toMatchObject({ status: 415, json: { error: 415, errorCode: 'UNSUPPORTED_MEDIA_TYPE' } });
    const client = new DigestClient(KEY.publicKey, KEY.privateKey, { algorithm: 'MD5' });
    const broken = await answer((await client.fetch(`${atlas.url}/api/atlas/v2/groups/${G}/streams/inst/connections`, { method: 'POST', headers: { ...JSON_HEADERS }, body: '{"name":' })) as Response);
    expect(broken).toMatchObject({ status: 400, json: { error: 400, errorCode: 'INVALID_JSON', reason: 'Bad Request' } });
    expect(atlas.connections(G, 'inst')).toEqual([]);
    expect(atlas.calls.filter((c) => c.invalidBody)).toHaveLength(2);
  });
});

describe('connections', () => {
  it('creates an HTTPS connection READY with an id, and refuses the same name with 409', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    const created = await call('POST', '/streams/inst/connections', { name: 'orders-api', type: 'Https', url: 'https://hooks.example.com/in', headers: { Authorization: 'Bearer t0k' } });
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toBe(V2023);
    expect(created.json).toEqual({ name: 'orders-api', type: 'Https', url: 'https://hooks.example.com/in', headers: { Authorization: 'Bearer t0k' }, id: expect.stringMatching(/^[a-f0-9]{24}$/), state: 'READY' });
    const again = await call('POST', '/streams/inst/connections', { name: 'orders-api', type: 'Https', url: 'https://other.example.com' });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: 409, errorCode: 'STREAM_CONNECTION_NAME_ALREADY_EXISTS', reason: 'Conflict', detail: expect.stringContaining('orders-api'), parameters: ['orders-api', 'inst'] });
    expect(atlas.connections(G, 'inst')).toHaveLength(1);
    expect(atlas.count('createConnection')).toBe(2);
    expect(atlas.count('createConnection', { status: 200 })).toBe(1);
  });

  it.each([
    ['a non-https url', { name: 'a', type: 'Https', url: 'http://x.example' }, 'url'],
    ['a relative url', { name: 'a', type: 'Https', url: '/hook' }, 'url'],
    ['a missing url', { name: 'a', type: 'Https' }, 'url'],
    ['a name with a space', { name: 'bad name', type: 'Https', url: 'https://x.example' }, 'name'],
    ['a name of 65 characters', { name: 'n'.repeat(65), type: 'Https', url: 'https://x.example' }, 'name'],
    ['a missing name', { type: 'Https', url: 'https://x.example' }, 'name'],
    ['an unknown type', { name: 'a', type: 'Nope' }, 'type'],
    ['a header value that is not a string', { name: 'a', type: 'Https', url: 'https://x.example', headers: { K: 1 } }, 'headers.K'],
    ['a header name with a space', { name: 'a', type: 'Https', url: 'https://x.example', headers: { 'X Key': 'v' } }, 'headers.X Key'],
    ['a read-only state', { name: 'a', type: 'Https', url: 'https://x.example', state: 'READY' }, 'state'],
    ['an attribute the schema does not have', { name: 'a', type: 'Https', url: 'https://x.example', retries: 3 }, 'retries'],
    ['an S3 role that is not authorised', { name: 'a', type: 'S3', aws: { roleArn: ROLE_PENDING } }, 'aws.roleArn'],
    ['an S3 role the project does not have', { name: 'a', type: 'S3', aws: { roleArn: 'arn:aws:iam::123456789012:role/other' } }, 'aws.roleArn'],
    ['an S3 connection without a role', { name: 'a', type: 'S3', aws: {} }, 'aws.roleArn'],
    ['Kafka servers without a port', { name: 'a', type: 'Kafka', bootstrapServers: 'broker.example.com', security: { protocol: 'SASL_SSL' } }, 'bootstrapServers'],
    ['an unknown Kafka protocol', { name: 'a', type: 'Kafka', bootstrapServers: 'b:9092', security: { protocol: 'TLS' } }, 'security.protocol'],
    ['a PLAIN Kafka login without password', { name: 'a', type: 'Kafka', bootstrapServers: 'b:9092', security: { protocol: 'SASL_SSL' }, authentication: { mechanism: 'PLAIN', username: 'u' } }, 'authentication.password'],
    [
      'a Private Link id the project does not have',
      { name: 'a', type: 'Kafka', bootstrapServers: 'b:9092', networking: { access: { type: 'PRIVATE_LINK', connectionId: 'aaaaaaaaaaaaaaaaaaaaaaaa' } } },
      'networking.access.connectionId',
    ],
    ['a Private Link id that is not 24 hex', { name: 'a', type: 'Kafka', bootstrapServers: 'b:9092', networking: { access: { type: 'PRIVATE_LINK', connectionId: 'x' } } }, 'networking.access.connectionId'],
  ])('answers %s with the 400 envelope naming the attribute', async (_, body, field) => {
    const atlas = await startAtlas();
    const res = await api(atlas)('POST', '/streams/inst/connections', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.json).toMatchObject({ error: 400, errorCode: 'INVALID_ATTRIBUTE', reason: 'Bad Request', parameters: [field], badRequestDetail: { fields: [{ field }] } });
    expect(String(res.json.detail)).toContain(`Invalid attribute ${field} specified`);
    expect(atlas.connections(G, 'inst')).toEqual([]);
    expect(atlas.calls.at(-1)).toMatchObject({ operation: 'createConnection', handled: true, invalidBody: true });
  });

  it('creates an S3 connection with an authorised role of cloud provider access', async () => {
    const atlas = await startAtlas();
    const res = await api(atlas)('POST', '/streams/inst/connections', { name: 's3-sink', type: 'S3', aws: { roleArn: ROLE_OK, testBucket: 'my-test-bucket' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: 's3-sink', type: 'S3', state: 'READY', aws: { roleArn: ROLE_OK } });
  });

  it('never returns a write-only password, but does return HTTPS header values', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    const kafka = { name: 'k', type: 'Kafka', bootstrapServers: 'b1:9092,b2:9092', security: { protocol: 'SASL_SSL' }, authentication: { mechanism: 'PLAIN', username: 'u', password: 'pw-secret' } };
    const created = await call('POST', '/streams/inst/connections', kafka);
    expect(created.json.authentication).toEqual({ mechanism: 'PLAIN', username: 'u' });
    expect((await call('GET', '/streams/inst/connections/k')).json.authentication).toEqual({ mechanism: 'PLAIN', username: 'u' });
    expect(JSON.stringify((await call('GET', '/streams/inst/connections')).json)).not.toContain('pw-secret');
    expect(JSON.stringify((await call('GET', '/streams/inst')).json)).not.toContain('pw-secret');
    expect(atlas.connections(G, 'inst')[0]).toMatchObject({ authentication: { password: 'pw-secret' } });

    await call('POST', '/streams/inst/connections', { name: 'h', type: 'Https', url: 'https://x.example', headers: { 'X-Api-Key': 'header-secret' } });
    expect((await call('GET', '/streams/inst/connections/h')).json.headers).toEqual({ 'X-Api-Key': 'header-secret' });
  });

  it('merges a PATCH field by field (assumed, see README): fields sent replace, fields left out stay; the name cannot change', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    await call('POST', '/streams/inst/connections', { name: 'h', type: 'Https', url: 'https://x.example', headers: { A: '1' } });
    const id = atlas.connections(G, 'inst')[0]!.id;
    const patched = await call('PATCH', '/streams/inst/connections/h', { name: 'h', type: 'Https', url: 'https://y.example', headers: {} });
    expect(patched.json).toEqual({ name: 'h', type: 'Https', url: 'https://y.example', headers: {}, id, state: 'READY' });
    expect((await call('PATCH', '/streams/inst/connections/h', { name: 'renamed', type: 'Https', url: 'https://y.example' })).json).toMatchObject({ errorCode: 'INVALID_ATTRIBUTE', parameters: ['name'] });

    await call('POST', '/streams/inst/connections', { name: 'k', type: 'Kafka', bootstrapServers: 'b:9092', security: { protocol: 'SASL_SSL' }, authentication: { mechanism: 'PLAIN', username: 'u', password: 'p' } });
    const noPassword = await call('PATCH', '/streams/inst/connections/k', { bootstrapServers: 'c:9092', security: { protocol: 'SASL_SSL' }, authentication: { mechanism: 'PLAIN', username: 'u' } });
    // `authentication` sent without its password replaces the stored one whole: the schema wants a password.
    expect(noPassword.json).toMatchObject({ error: 400, parameters: ['authentication.password'] });
    expect((await call('PATCH', '/streams/inst/connections/nope', { url: 'https://y.example' })).json).toMatchObject({ error: 404, errorCode: 'STREAM_CONNECTION_NOT_FOUND_FOR_NAME' });
    // Only the bootstrap servers: the password Atlas has stays.
    expect((await call('PATCH', '/streams/inst/connections/k', { name: 'k', type: 'Kafka', bootstrapServers: 'c:9092' })).status).toBe(200);
    expect(atlas.connections(G, 'inst').find((c) => c.name === 'k')).toMatchObject({ bootstrapServers: 'c:9092', authentication: { username: 'u', password: 'p' } });
  });

  it('refuses a PATCH that changes the type or the networking, as Atlas does', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    await call('POST', '/streams/inst/connections', { name: 'k', type: 'Kafka', bootstrapServers: 'b:9092', security: { protocol: 'SASL_SSL' }, authentication: { mechanism: 'PLAIN', username: 'u', password: 'p' } });
    const retyped = await call('PATCH', '/streams/inst/connections/k', { name: 'k', type: 'Https', url: 'https://y.example' });
    expect(retyped.status).toBe(400);
    expect(retyped.json).toMatchObject({ error: 400, errorCode: 'STREAM_NETWORKING_CANNOT_BE_MODIFIED' });
    const rewired = await call('PATCH', '/streams/inst/connections/k', { name: 'k', type: 'Kafka', networking: { access: { type: 'PRIVATE_LINK', connectionId: '65a000000000000000000001' } } });
    expect(rewired.json).toMatchObject({ error: 400, errorCode: 'STREAM_NETWORKING_CANNOT_BE_MODIFIED' });
    // Stating the networking it has is no change.
    expect((await call('PATCH', '/streams/inst/connections/k', { name: 'k', type: 'Kafka', networking: { access: { type: 'PUBLIC' } } })).status).toBe(200);
  });

  it('lists stream processors (version 2024-05-30); a STARTED one naming a connection blocks its delete', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    await call('POST', '/streams/inst/connections', { name: 'h', type: 'Https', url: 'https://x.example' });
    atlas.setStreamProcessor(G, 'inst', { name: 'p1', state: 'STARTED', pipeline: [{ $source: { connectionName: 'sample_stream_solar' } }, { $https: { connectionName: 'h' } }, { $emit: { connectionName: 'x' } }] });
    expect((await call('GET', '/streams/inst/processors')).status).toBe(406);
    const listed = await call('GET', '/streams/inst/processors', undefined, { Accept: 'application/vnd.atlas.2024-05-30+json' });
    expect(listed.json).toMatchObject({ totalCount: 1, results: [{ name: 'p1', state: 'STARTED', pipeline: [{ $source: { connectionName: 'sample_stream_solar' } }, {}, {}] }] });
    expect((await call('DELETE', '/streams/inst/connections/h')).status).toBe(409);
    atlas.setStreamProcessor(G, 'inst', { name: 'p1', state: 'STOPPED', pipeline: [] });
    expect((await call('DELETE', '/streams/inst/connections/h')).status).toBe(202);
  });

  it('deletes with 202, then answers 404; while a processor uses a connection, 409', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    await call('POST', '/streams/inst/connections', { name: 'old', type: 'Https', url: 'https://x.example' });
    await call('POST', '/streams/inst/connections', { name: 'busy', type: 'Https', url: 'https://x.example' });
    const deleted = await call('DELETE', '/streams/inst/connections/old');
    expect(deleted.status).toBe(202);
    expect(deleted.headers.get('content-type')).toBe(V2023);
    const gone = await call('GET', '/streams/inst/connections/old');
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({
      error: 404,
      errorCode: 'STREAM_CONNECTION_NOT_FOUND_FOR_NAME',
      reason: 'Not Found',
      detail: `Stream connection with name old for project ${G} and name inst not found.`,
      parameters: ['old', G, 'inst'],
    });
    atlas.markConnectionInUse(G, 'inst', 'busy');
    const refused = await call('DELETE', '/streams/inst/connections/busy');
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ errorCode: 'STREAM_CONNECTION_HAS_STREAM_PROCESSORS', detail: expect.stringContaining('used by a running stream processor') });
    atlas.markConnectionInUse(G, 'inst', 'busy', false);
    expect((await call('DELETE', '/streams/inst/connections/busy')).status).toBe(202);
  });

  it('answers unknown projects and instances with Atlas-like 404s, and a malformed project id with 400', async () => {
    const atlas = await startAtlas();
    const unknownProject = await api(atlas, KEY, OTHER)('GET', '/streams/inst/connections');
    expect(unknownProject.json).toMatchObject({ error: 404, errorCode: 'GROUP_NOT_FOUND', parameters: [OTHER] });
    const unknownInstance = await api(atlas)('POST', '/streams/nope/connections', { name: 'a', type: 'Https', url: 'https://x.example' });
    expect(unknownInstance.json).toMatchObject({ error: 404, errorCode: 'STREAM_TENANT_NOT_FOUND_FOR_NAME', detail: `Stream instance for project ${G} and name nope not found.` });
    expect((await api(atlas, KEY, 'not-a-project')('GET', '/streams/inst')).json).toMatchObject({ error: 400, errorCode: 'INVALID_GROUP_ID' });
    expect((await api(atlas)('GET', '/databaseUsers')).json).toMatchObject({ error: 404, errorCode: 'RESOURCE_NOT_FOUND' });
    const put = await api(atlas)('PUT', '/streams/inst/connections', {});
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });

  it('describes an instance with its region and connections', async () => {
    const atlas = await startAtlas();
    atlas.addProject(OTHER, { instances: [{ name: 'frankfurt', region: 'FRANKFURT_DEU' }] });
    const res = await api(atlas, KEY, OTHER)('GET', '/streams/frankfurt');
    expect(res.json).toMatchObject({ name: 'frankfurt', groupId: OTHER, dataProcessRegion: { cloudProvider: 'AWS', region: 'FRANKFURT_DEU' }, connections: [] });
  });

  it('pages lists: 250 connections in pages of 100 come back 100, 100, 50', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    for (let i = 0; i < 250; i++) {
      const res = await call('POST', '/streams/inst/connections', { name: `c${String(i).padStart(3, '0')}`, type: 'Https', url: 'https://x.example' });
      expect(res.status).toBe(200);
    }
    const pages = [];
    for (let pageNum = 1; pageNum <= 4; pageNum++) {
      const res = await call('GET', `/streams/inst/connections?itemsPerPage=100&pageNum=${pageNum}`);
      expect(res.json).toMatchObject({ totalCount: 250, links: [] });
      pages.push((res.json.results as Array<{ name: string }>).map((c) => c.name));
    }
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50, 0]);
    expect(pages[2]![49]).toBe('c249');
    expect(((await call('GET', '/streams/inst/connections')).json.results as unknown[]).length).toBe(100);
    for (const query of ['itemsPerPage=0', 'itemsPerPage=501', 'itemsPerPage=ten', 'pageNum=0']) {
      expect((await call('GET', `/streams/inst/connections?${query}`)).json).toMatchObject({ error: 400, errorCode: 'INVALID_QUERY_PARAMETER' });
    }
    expect(((await call('GET', '/streams/inst/connections?itemsPerPage=500')).json.results as unknown[]).length).toBe(250);
  });
});

describe('Private Link', () => {
  it('answers a create without state; GETs then show IDLE, WORKING and DONE with an interface endpoint', async () => {
    const atlas = await startAtlas({ privateLinkAutoReadyAfterPolls: 3 });
    const call = api(atlas);
    const created = await call('POST', '/streams/privateLinkConnections', { ...CONFLUENT_LINK, provider: 'aws', vendor: 'Confluent', region: 'us_east_1' });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ _id: expect.stringMatching(/^[a-f0-9]{24}$/), provider: 'aws', vendor: 'Confluent' });
    expect(created.json).not.toHaveProperty('state');
    expect(created.json.dnsDomain).toBe(CONFLUENT_LINK.dnsDomain);
    const path = `/streams/privateLinkConnections/${String(created.json._id)}`;
    const first = await call('GET', path);
    expect(first.json).toMatchObject({ provider: 'AWS', state: 'IDLE', dnsDomain: `${CONFLUENT_LINK.dnsDomain}.` });
    // A list is a poll of every link in it, as a GET of each would be (the shared poller reads links so).
    expect(((await call('GET', '/streams/privateLinkConnections')).json.results as unknown[])[0]).toMatchObject({ state: 'WORKING' });
    const done = await call('GET', path);
    expect(done.json).toMatchObject({ state: 'DONE', interfaceEndpointId: expect.stringMatching(/^vpce-[0-9a-f]{17}$/), providerAccountId: '111122223333' });
    expect(atlas.count('getPrivateLink')).toBe(2);
  });

  it('moves to DONE after two GETs by default', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    const id = String((await call('POST', '/streams/privateLinkConnections', CONFLUENT_LINK)).json._id);
    const states = [];
    for (let i = 0; i < 3; i++) states.push((await call('GET', `/streams/privateLinkConnections/${id}`)).json.state);
    expect(states).toEqual(['IDLE', 'DONE', 'DONE']);
  });

  it('lets a test hold a link, fail it with a message, or finish it', async () => {
    const atlas = await startAtlas({ privateLinkAutoReadyAfterPolls: -1 });
    const call = api(atlas);
    const id = String((await call('POST', '/streams/privateLinkConnections', CONFLUENT_LINK)).json._id);
    for (let i = 0; i < 5; i++) await call('GET', `/streams/privateLinkConnections/${id}`);
    expect(atlas.privateLinks(G)[0]!.state).toBe('WORKING');
    atlas.setPrivateLinkState(G, id, 'FAILED', 'VPC endpoint service not found');
    expect((await call('GET', `/streams/privateLinkConnections/${id}`)).json).toMatchObject({ state: 'FAILED', errorMessage: 'VPC endpoint service not found' });
    atlas.setPrivateLinkState(G, id, 'DONE');
    const done = (await call('GET', `/streams/privateLinkConnections/${id}`)).json;
    expect(done).toMatchObject({ state: 'DONE', interfaceEndpointId: expect.stringMatching(/^vpce-/) });
    expect(done).not.toHaveProperty('errorMessage');
  });

  it('refuses a second link to the same endpoint service or DNS domain with STREAM_PRIVATE_LINK_ALREADY_EXISTS', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    const first = await call('POST', '/streams/privateLinkConnections', CONFLUENT_LINK);
    const sameService = await call('POST', '/streams/privateLinkConnections', { ...CONFLUENT_LINK, dnsDomain: 'other.us-east-1.aws.confluent.cloud', dnsSubDomain: [] });
    expect(sameService.status).toBe(400);
    expect(sameService.json).toMatchObject({ error: 400, errorCode: 'STREAM_PRIVATE_LINK_ALREADY_EXISTS', parameters: [first.json._id] });
    const sameDomain = await call('POST', '/streams/privateLinkConnections', { ...CONFLUENT_LINK, serviceEndpointId: 'com.amazonaws.vpce.us-east-1.vpce-svc-0fff', dnsDomain: `${CONFLUENT_LINK.dnsDomain.toUpperCase()}.` });
    expect(sameDomain.json).toMatchObject({ errorCode: 'STREAM_PRIVATE_LINK_ALREADY_EXISTS' });
    expect(atlas.privateLinks(G)).toHaveLength(1);
  });

  it.each([
    ['no provider', { ...CONFLUENT_LINK, provider: undefined }, 'provider'],
    ['an unknown provider', { ...CONFLUENT_LINK, provider: 'IBM' }, 'provider'],
    ['no dnsDomain for AWS and Confluent', { ...CONFLUENT_LINK, dnsDomain: undefined }, 'dnsDomain'],
    ['no dnsSubDomain for AWS and Confluent', { ...CONFLUENT_LINK, dnsSubDomain: undefined }, 'dnsSubDomain'],
    ['a subdomain outside the domain', { ...CONFLUENT_LINK, dnsSubDomain: ['use1-az1.elsewhere.example'] }, 'dnsSubDomain'],
    ['no serviceEndpointId for AWS and Confluent', { ...CONFLUENT_LINK, serviceEndpointId: undefined }, 'serviceEndpointId'],
    ['a serviceEndpointId that is not an endpoint service', { ...CONFLUENT_LINK, serviceEndpointId: 'vpce-svc-0123' }, 'serviceEndpointId'],
    ['a region that is not AWS', { ...CONFLUENT_LINK, region: 'VIRGINIA_USA' }, 'region'],
    ['a read-only _id', { ...CONFLUENT_LINK, _id: 'aaaaaaaaaaaaaaaaaaaaaaaa' }, '_id'],
    ['an unknown attribute', { ...CONFLUENT_LINK, cluster: 'lkc-1' }, 'cluster'],
  ])('answers a link with %s with the 400 envelope naming the attribute', async (_, body, field) => {
    const atlas = await startAtlas();
    const res = await api(atlas)('POST', '/streams/privateLinkConnections', JSON.parse(JSON.stringify(body)));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ errorCode: 'INVALID_ATTRIBUTE', parameters: [field] });
    expect(atlas.privateLinks(G)).toHaveLength(0);
  });

  it.each(['us-east-1', 'us_east_1', 'US_EAST_1'])('accepts the region written %s', async (region) => {
    const atlas = await startAtlas();
    expect((await api(atlas)('POST', '/streams/privateLinkConnections', { ...CONFLUENT_LINK, region })).status).toBe(200);
  });

  it('starts a Kafka connection over Private Link PENDING, refuses to delete it or its link meanwhile, then READY', async () => {
    const atlas = await startAtlas({ privateLinkAutoReadyAfterPolls: 0, connectionReadyAfterPolls: -1 });
    const call = api(atlas);
    const linkId = String((await call('POST', '/streams/privateLinkConnections', { ...CONFLUENT_LINK, dnsSubDomain: [] })).json._id);
    const kafka = {
      name: 'confluent',
      type: 'Kafka',
      bootstrapServers: `lkc-1.${CONFLUENT_LINK.dnsDomain}:9092`,
      security: { protocol: 'SASL_SSL' },
      authentication: { mechanism: 'PLAIN', username: 'KEY', password: 'SECRET' },
      networking: { access: { type: 'PRIVATE_LINK', connectionId: linkId } },
    };
    expect((await call('POST', '/streams/inst/connections', kafka)).json).toMatchObject({ state: 'PENDING' });
    expect((await call('DELETE', '/streams/inst/connections/confluent')).json).toMatchObject({ error: 409, errorCode: 'STREAM_KAFKA_CONNECTION_IS_DEPLOYING' });
    expect((await call('DELETE', `/streams/privateLinkConnections/${linkId}`)).json).toMatchObject({ error: 400, errorCode: 'STREAM_PRIVATE_LINK_IN_USE' });
    expect((await call('GET', '/streams/inst/connections/confluent')).json.state).toBe('PENDING');
    atlas.setConnectionState(G, 'inst', 'confluent', 'READY');
    expect((await call('GET', '/streams/inst/connections/confluent')).json.state).toBe('READY');
    expect((await call('DELETE', '/streams/inst/connections/confluent')).status).toBe(202);
    expect((await call('DELETE', `/streams/privateLinkConnections/${linkId}`)).status).toBe(202);
    expect((await call('GET', `/streams/privateLinkConnections/${linkId}`)).status).toBe(404);
  });

  it('makes a PENDING connection READY after connectionReadyAfterPolls GETs', async () => {
    const atlas = await startAtlas({ privateLinkAutoReadyAfterPolls: 0, connectionReadyAfterPolls: 2 });
    const call = api(atlas);
    const linkId = String((await call('POST', '/streams/privateLinkConnections', CONFLUENT_LINK)).json._id);
    await call('POST', '/streams/inst/connections', { name: 'k', type: 'Kafka', bootstrapServers: 'b:9092', networking: { access: { type: 'PRIVATE_LINK', connectionId: linkId } } });
    const states = [];
    for (let i = 0; i < 3; i++) states.push((await call('GET', '/streams/inst/connections/k')).json.state);
    expect(states).toEqual(['PENDING', 'READY', 'READY']);
  });
});

describe('account details and cloud provider access', () => {
  const V2024 = { Accept: 'application/vnd.atlas.2024-11-13+json' };

  it("answers account details for an AWS region in Atlas's form, the same each time", async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    const first = await call('GET', '/streams/accountDetails?cloudProvider=aws&regionName=US_EAST_1', undefined, V2024);
    expect(first.json).toEqual({ awsAccountId: '111122223333', cidrBlock: expect.any(String), vpcId: expect.stringMatching(/^vpc-/), cloudProvider: 'aws' });
    expect((await call('GET', '/streams/accountDetails?cloudProvider=aws&regionName=US_EAST_1', undefined, V2024)).json).toEqual(first.json);
    for (const query of ['cloudProvider=AWS&regionName=US_EAST_1', 'cloudProvider=aws&regionName=us-east-1', 'cloudProvider=aws']) {
      expect((await call('GET', `/streams/accountDetails?${query}`, undefined, V2024)).json).toMatchObject({ error: 400, errorCode: 'INVALID_QUERY_PARAMETER' });
    }
  });

  it('lists the AWS IAM roles of cloud provider access, authorised or not', async () => {
    const atlas = await startAtlas();
    const res = await api(atlas)('GET', '/cloudProviderAccess', undefined, { Accept: 'application/vnd.atlas.2023-01-01+json' });
    const roles = res.json.awsIamRoles as Array<Record<string, unknown>>;
    expect(roles).toHaveLength(2);
    expect(roles[0]).toMatchObject({ providerName: 'AWS', iamAssumedRoleArn: ROLE_OK, roleId: expect.stringMatching(/^[a-f0-9]{24}$/), authorizedDate: expect.any(String) });
    expect(roles[1]).not.toHaveProperty('authorizedDate');
  });
});

describe('faults, rate limits and counting', () => {
  const https = (name: string) => ({ name, type: 'Https', url: 'https://x.example' });

  it('answers an injected 503 once, without carrying the operation out, then answers normally', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 503 });
    const failed = await call('POST', '/streams/inst/connections', https('f1'));
    expect(failed).toMatchObject({ status: 503, json: { error: 503, reason: 'Service Unavailable' } });
    expect(atlas.connections(G, 'inst')).toEqual([]);
    expect((await call('POST', '/streams/inst/connections', https('f1'))).status).toBe(200);
    expect(atlas.count('createConnection')).toBe(1);
    expect(atlas.calls.filter((c) => c.authenticated).map((c) => c.status)).toEqual([503, 200]);
  });

  it('carries the operation out before an afterHandling fault, so a blind retry meets a 409', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    atlas.injectFault({ method: 'POST', path: '/connections', status: 500, afterHandling: true });
    expect((await call('POST', '/streams/inst/connections', https('f2'))).json).toMatchObject({ error: 500, errorCode: 'UNEXPECTED_ERROR' });
    expect(atlas.connections(G, 'inst').map((c) => c.name)).toEqual(['f2']);
    expect((await call('GET', '/streams/inst/connections/f2')).status).toBe(200);
    expect((await call('POST', '/streams/inst/connections', https('f2'))).status).toBe(409);
    expect(atlas.count('createConnection', { status: 500 })).toBe(1);
  });

  it('answers with a fault body as given, a Retry-After, and as many times as asked', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    atlas.injectFault({ method: 'GET', status: 429, retryAfterSeconds: 7, times: 2 });
    atlas.injectFault({ method: 'GET', status: 502, body: '<html>Bad Gateway</html>' });
    for (let i = 0; i < 2; i++) {
      const limited = await call('GET', '/streams/inst');
      // An injected 429 is Atlas's token-bucket answer, so a client cannot tell it from a real one.
      expect(limited).toMatchObject({ status: 429, json: { error: 429, errorCode: 'RATE_LIMITED_TOKEN_BUCKET', parameters: [G] } });
      expect((limited.json as { detail: string }).detail).toMatch(new RegExp(`^Rate limit exceeded for api/atlas/v2/groups/${G}\\. Please retry after 7 seconds\\. Request capacity: \\d+\\. Refill rate: \\d+ per \\d+ seconds\\.$`));
      expect(limited.headers.get('retry-after')).toBe('7');
    }
    const client = new DigestClient(KEY.publicKey, KEY.privateKey, { algorithm: 'MD5' });
    const proxy = (await client.fetch(`${atlas.url}/api/atlas/v2/groups/${G}/streams/inst`, { headers: { Accept: V2023 } })) as Response;
    expect(proxy.status).toBe(502);
    expect(await proxy.text()).toBe('<html>Bad Gateway</html>');
    expect((await call('GET', '/streams/inst')).status).toBe(200);
    // Atlas never answers 429 without Retry-After; neither does a fault that names none.
    atlas.injectFault({ method: 'GET', status: 429 });
    const bare = await call('GET', '/streams/inst');
    expect(bare).toMatchObject({ status: 429, json: { errorCode: 'RATE_LIMITED_TOKEN_BUCKET' } });
    expect(bare.headers.get('retry-after')).toBe('1');
  });

  it('slows an answer by delayMs, and stop() does not wait for a delayed answer', async () => {
    const atlas = await startAtlas();
    const call = api(atlas);
    await call('GET', '/streams/inst'); // warm the client's nonce
    atlas.injectFault({ path: '/streams/inst', status: 200, delayMs: 150 });
    const t0 = performance.now();
    const slow = await call('GET', '/streams/inst');
    expect(slow.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);

    atlas.injectFault({ path: '/streams/inst', status: 200, delayMs: 60_000 });
    const hanging = call('GET', '/streams/inst').then(
      () => 'answered',
      () => 'cut off',
    );
    await atlas.waitFor(() => atlas.calls.length === 4);
    const t1 = performance.now();
    await atlas.stop();
    expect(performance.now() - t1).toBeLessThan(1_000);
    expect(await hanging).toBe('cut off');
  });

  it('keeps a token bucket per project: 429 RATE_LIMITED_TOKEN_BUCKET with Retry-After until the refill, headers count down', async () => {
    let clock = 5_000_000;
    const atlas = await startAtlas({ rateLimit: { capacity: 3, refill: 2, periodMs: 60_000 }, now: () => clock });
    atlas.addProject(OTHER, { instances: ['inst'] });
    const call = api(atlas);
    const remaining = [];
    for (let i = 0; i < 3; i++) remaining.push((await call('GET', '/streams/inst')).headers.get('ratelimit-remaining'));
    expect(remaining).toEqual(['2', '1', '0']);
    clock += 5_000;
    const limited = await call('GET', '/streams/inst');
    expect(limited).toMatchObject({
      status: 429,
      json: {
        error: 429,
        errorCode: 'RATE_LIMITED_TOKEN_BUCKET',
        reason: 'Too Many Requests',
        detail: `Rate limit exceeded for api/atlas/v2/groups/${G}. Please retry after 55 seconds. Request capacity: 3. Refill rate: 2 per 60 seconds.`,
      },
    });
    expect(limited.headers.get('retry-after')).toBe('55');
    expect(limited.headers.get('ratelimit-limit')).toBe('3');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect((await api(atlas, KEY, OTHER)('GET', '/streams/inst')).status).toBe(200); // per project
    clock += 55_000; // the end of the first period: two tokens back, all at once
    expect((await call('GET', '/streams/inst')).headers.get('ratelimit-remaining')).toBe('1');
    expect((await call('GET', '/streams/inst')).status).toBe(200);
    expect((await call('GET', '/streams/inst')).headers.get('retry-after')).toBe('60');
    clock += 10 * 60_000; // never more than the capacity
    expect(atlas.rateLimitRemaining(G)).toBe(3);
    expect(atlas.count('getInstance')).toBe(6);
    expect(atlas.calls.filter((c) => c.status === 429)).toHaveLength(2);
  });

  it('omits the RateLimit headers when told to (Atlas may not always send them), still answering 429 with Retry-After', async () => {
    const clock = 5_000_000;
    const atlas = await startAtlas({ rateLimit: { capacity: 1, periodMs: 10_000, headers: false }, now: () => clock });
    const call = api(atlas);
    const ok = await call('GET', '/streams/inst');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-limit')).toBeNull();
    expect(ok.headers.get('ratelimit-remaining')).toBeNull();
    const limited = await call('GET', '/streams/inst');
    expect(limited).toMatchObject({ status: 429, json: { errorCode: 'RATE_LIMITED_TOKEN_BUCKET' } });
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(limited.headers.get('ratelimit-remaining')).toBeNull();
  });

  it('defaults to a bucket of 1,200 per project, like Atlas\'s streams endpoints', async () => {
    const atlas = await startAtlas();
    const first = await api(atlas)('GET', '/streams/inst');
    expect(first.headers.get('ratelimit-limit')).toBe('1200');
    expect(first.headers.get('ratelimit-remaining')).toBe('1199');
  });

  it('resolves waitFor after the request that makes the condition true, and rejects on timeout', async () => {
    const atlas = await startAtlas();
    const created = atlas.waitFor(() => atlas.count('createConnection', { status: 200 }) === 1);
    await api(atlas)('POST', '/streams/inst/connections', https('w1'));
    await expect(created).resolves.toBeUndefined();
    await expect(atlas.waitFor(() => false, 50)).rejects.toThrow(/within 50 ms/);
  });

  it('records every request with its operation, query, status and body', async () => {
    const atlas = await startAtlas();
    await api(atlas)('POST', '/streams/inst/connections?pretty=true', https('r1'));
    const authenticated = atlas.calls.filter((c) => c.authenticated);
    expect(authenticated).toEqual([
      {
        method: 'POST',
        path: `/api/atlas/v2/groups/${G}/streams/inst/connections`,
        query: { pretty: 'true' },
        status: 200,
        authenticated: true,
        publicKey: KEY.publicKey,
        operation: 'createConnection',
        body: https('r1'),
        handled: true,
        invalidBody: false,
        at: expect.any(Number),
      },
    ]);
  });
});
