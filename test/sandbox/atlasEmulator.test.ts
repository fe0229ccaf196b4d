// The Atlas emulator holds to Atlas's contract: Digest, versions, schemas, envelope, pagination.
import DigestClient from 'digest-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlasEmulator } from '../../src/sandbox/atlasEmulator.js';

const G = '0123456789abcdef01234567';
const key = { publicKey: 'pub', privateKey: 'priv-key' };
let emu: AtlasEmulator;
const base = () => `${emu.url}/api/atlas/v2/groups/${G}`;

beforeAll(async () => {
  emu = await AtlasEmulator.start({ keys: [key], privateLinkReadyAfterPolls: 2 });
  emu.addProject(G, { instances: ['inst'], awsIamRoles: [{ iamAssumedRoleArn: 'arn:aws:iam::123456789012:role/ok' }, { iamAssumedRoleArn: 'arn:aws:iam::123456789012:role/pending', authorized: false }] });
});
afterAll(async () => {
  await emu.stop();
});

const v2023 = { Accept: 'application/vnd.atlas.2023-02-01+json', 'Content-Type': 'application/json' };
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = v2023) {
  const res = (await new DigestClient(key.publicKey, key.privateKey, { algorithm: 'MD5' }).fetch(`${base()}${path}`, {
    method,
    headers: { ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })) as Response;
  return { status: res.status, json: (await res.json().catch(() => undefined)) as Record<string, unknown> };
}

describe('Atlas emulator', () => {
  it('challenges like Atlas and refuses a wrong key', async () => {
    const res = await fetch(`${base()}/streams/inst/connections`, { headers: v2023 });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=MD5, qop="auth", stale=false$/);
    const wrong = (await new DigestClient('pub', 'nope', { algorithm: 'MD5' }).fetch(`${base()}/streams/inst/connections`, { headers: { ...v2023 } })) as Response;
    expect(wrong.status).toBe(401);
  });

  it('refuses a replayed nonce count', async () => {
    const client = new DigestClient(key.publicKey, key.privateKey, { algorithm: 'MD5' });
    await client.fetch(`${base()}/streams/inst/connections`, { headers: { ...v2023 } });
    client.digest.nc -= 1; // send the previous nc again
    const replay = (await fetch(`${base()}/streams/inst/connections`, client.addAuth(`${base()}/streams/inst/connections`, { headers: { ...v2023 } }) as RequestInit)) as Response;
    expect(replay.status).toBe(401);
  });

  it('wants the dated version each endpoint documents', async () => {
    expect((await call('GET', '/streams/inst/connections', undefined, { Accept: 'application/json' })).status).toBe(406);
    expect((await call('GET', '/streams/accountDetails?cloudProvider=aws&regionName=US_EAST_1')).status).toBe(406);
    const ok = await call('GET', '/streams/accountDetails?cloudProvider=aws&regionName=US_EAST_1', undefined, { Accept: 'application/vnd.atlas.2024-11-13+json' });
    expect(ok.json).toMatchObject({ awsAccountId: '123456789012', cloudProvider: 'aws' });
  });

  it.each([
    [{ name: 'a', type: 'Https', url: 'http://x.example' }, /url/],
    [{ name: 'bad name', type: 'Https', url: 'https://x.example' }, /name/],
    [{ name: 'a', type: 'Nope' }, /type/],
    [{ name: 'a', type: 'Https' }, /url/],
    [{ name: 'a', type: 'Https', url: 'https://x.example', headers: { k: 1 } }, /headers/],
    [{ name: 'a', type: 'Https', url: 'https://x.example', state: 'READY' }, /state is read-only/],
    [{ name: 'a', type: 'S3', aws: { roleArn: 'arn:aws:iam::123456789012:role/pending' } }, /not an authorized/],
    [{ name: 'a', type: 'Kafka', bootstrapServers: 'no-port', security: { protocol: 'SASL_SSL' } }, /bootstrapServers/],
  ])('answers a bad body %j with the 400 envelope naming the field', async (body, field) => {
    const res = await call('POST', '/streams/inst/connections', body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 400, errorCode: 'INVALID_ATTRIBUTE', reason: 'Bad Request' });
    expect(String(res.json.detail)).toMatch(field);
  });

  it('creates, refuses a duplicate with 409, hides passwords but not HTTPS headers', async () => {
    expect((await call('POST', '/streams/inst/connections', { name: 'h', type: 'Https', url: 'https://x.example', headers: { K: 'v' } })).status).toBe(200);
    expect((await call('POST', '/streams/inst/connections', { name: 'h', type: 'Https', url: 'https://x.example' })).json.errorCode).toBe('STREAM_CONNECTION_NAME_ALREADY_EXISTS');
    expect((await call('GET', '/streams/inst/connections/h')).json.headers).toEqual({ K: 'v' });
    await call('POST', '/streams/inst/connections', { name: 'k', type: 'Kafka', bootstrapServers: 'b:9092', security: { protocol: 'SASL_SSL' }, authentication: { mechanism: 'PLAIN', username: 'u', password: 'pw' } });
    expect((await call('GET', '/streams/inst/connections/k')).json.authentication).toEqual({ mechanism: 'PLAIN', username: 'u' });
    expect(emu.connections(G, 'inst').find((c) => c.name === 'k')).toMatchObject({ authentication: { password: 'pw' } });
  });

  it('pages lists: 250 connections in pages of 100 come back 100, 100, 50', async () => {
    emu.addProject('0123456789abcdef0123456a', { instances: ['big'] });
    const big = `${emu.url}/api/atlas/v2/groups/0123456789abcdef0123456a/streams/big/connections`;
    const client = new DigestClient(key.publicKey, key.privateKey, { algorithm: 'MD5' });
    for (let i = 0; i < 250; i++) await client.fetch(big, { method: 'POST', headers: { ...v2023 }, body: JSON.stringify({ name: `c${i}`, type: 'Https', url: 'https://x.example' }) });
    const sizes = [];
    for (let page = 1; page <= 3; page++) {
      const res = (await client.fetch(`${big}?itemsPerPage=100&pageNum=${page}`, { headers: { ...v2023 } })) as Response;
      const json = (await res.json()) as { results: unknown[]; totalCount: number };
      sizes.push(json.results.length);
      expect(json.totalCount).toBe(250);
    }
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('moves a Private Link from no state to DONE, and refuses a second link to the same cluster', async () => {
    const link = { provider: 'AWS', vendor: 'CONFLUENT', region: 'us-east-1', serviceEndpointId: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123abcd', dnsDomain: 'abc.us-east-1.aws.confluent.cloud', dnsSubDomain: [] };
    const created = await call('POST', '/streams/privateLinkConnections', link);
    expect(created.status).toBe(200);
    expect(created.json.state).toBeUndefined();
    const id = String(created.json._id);
    const states = [];
    for (let i = 0; i < 3; i++) states.push((await call('GET', `/streams/privateLinkConnections/${id}`)).json.state);
    expect(states).toEqual(['WORKING', 'DONE', 'DONE']);
    expect((await call('POST', '/streams/privateLinkConnections', link)).json.errorCode).toBe('STREAM_PRIVATE_LINK_ALREADY_EXISTS');
  });

  it('injects a fault once, and can carry the operation out before failing', async () => {
    emu.injectFault({ method: 'POST', path: '/connections', status: 503 });
    expect((await call('POST', '/streams/inst/connections', { name: 'f1', type: 'Https', url: 'https://x.example' })).status).toBe(503);
    expect(emu.connections(G, 'inst').some((c) => c.name === 'f1')).toBe(false);
    emu.injectFault({ method: 'POST', path: '/connections', status: 500, afterHandling: true });
    expect((await call('POST', '/streams/inst/connections', { name: 'f2', type: 'Https', url: 'https://x.example' })).status).toBe(500);
    expect(emu.connections(G, 'inst').some((c) => c.name === 'f2')).toBe(true);
  });
});
