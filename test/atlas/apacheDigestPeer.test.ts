// The Atlas client against Apache's mod_auth_digest: an independent Digest implementation.
// Skips (saying why) only where Debian's apache2 is not installed; .ci/run installs it.
import DigestClient from 'digest-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { listConnections } from '../../src/atlas/streams.js';
import { createLogger } from '../../src/log.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { SecretsManagerEmulator } from '../../src/sandbox/secretsManagerEmulator.js';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startApacheDigest, type ApacheDigestServer } from '../support/apacheDigest.js';

const at = { projectId: '0123456789abcdef01234567', instance: 'inst' };
const key = { publicKey: 'apachepub', privateKey: 'apache-private-key-1' };
const connectionsPath = `/api/atlas/v2/groups/${at.projectId}/streams/${at.instance}/connections`;
const served = { results: [{ name: 'from-apache', type: 'Https' }], totalCount: 1, links: [] };
let apache: ApacheDigestServer | { skipped: string };
let secrets: SecretsManagerEmulator;

beforeAll(async () => {
  apache = await startApacheDigest({
    user: key.publicKey,
    password: key.privateKey,
    jsonPath: `api/atlas/v2/groups/${at.projectId}/streams/${at.instance}/connections`,
    json: served,
  });
  if ('skipped' in apache) console.log(`Skipping the Apache Digest peer test: ${apache.skipped}`);
  secrets = await SecretsManagerEmulator.start();
  secrets.putSecret('right', JSON.stringify(key));
  secrets.putSecret('wrong', JSON.stringify({ ...key, privateKey: 'not-it' }));
}, 30_000);
afterAll(async () => {
  if (apache && !('skipped' in apache)) await apache.stop();
  await secrets?.stop();
});

function client(secretId: string): AtlasClient {
  if ('skipped' in apache) throw new Error('unreachable');
  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: secrets.url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' }, maxAttempts: 1 });
  const logger = createLogger({ level: 'silent' });
  return new AtlasClient({ baseUrl: apache.url, apiKeySecret: secretId, secrets: new SecretCache(sm, { ttlMs: 60_000, logger }), logger, timeoutMs: 5_000, maxAttempts: 1 });
}

describe('Atlas client against Apache mod_auth_digest', () => {
  it('authenticates with the right key, and reads more than once on one nonce', async ({ skip }) => {
    if ('skipped' in apache) return skip(apache.skipped);
    const atlas = client('right');
    expect((await listConnections(atlas, at)).map((c) => c.name)).toEqual(['from-apache']);
    expect((await listConnections(atlas, at)).map((c) => c.name)).toEqual(['from-apache']);
  });

  it('fails cleanly with a wrong key', async ({ skip }) => {
    if ('skipped' in apache) return skip(apache.skipped);
    const error = (await listConnections(client('wrong'), at).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error.status).toBe(401);
  });

  it('sends the challenge Atlas sends', async ({ skip }) => {
    if ('skipped' in apache) return skip(apache.skipped);
    const res = await fetch(`${apache.url}${connectionsPath}`);
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Digest realm="MMS Public API"/);
    expect(challenge).toMatch(/algorithm=MD5/);
    expect(challenge).toMatch(/qop="auth"/);
  });
});

describe('digest-fetch against Apache mod_auth_digest', () => {
  it('GETs the JSON with the right password, more than once', async ({ skip }) => {
    if ('skipped' in apache) return skip(apache.skipped);
    const digest = new DigestClient(key.publicKey, key.privateKey, { algorithm: 'MD5' });
    for (let i = 0; i < 2; i++) {
      const res = await digest.fetch(`${apache.url}${connectionsPath}`, { headers: { Accept: 'application/json' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(served);
    }
  });

  it('is refused with a wrong password', async ({ skip }) => {
    if ('skipped' in apache) return skip(apache.skipped);
    const res = await new DigestClient(key.publicKey, 'not-it', { algorithm: 'MD5' }).fetch(`${apache.url}${connectionsPath}`);
    expect(res.status).toBe(401);
  });

  it('is refused with an unknown user', async ({ skip }) => {
    if ('skipped' in apache) return skip(apache.skipped);
    const res = await new DigestClient('someone-else', key.privateKey, { algorithm: 'MD5' }).fetch(`${apache.url}${connectionsPath}`);
    expect(res.status).toBe(401);
  });

  it('POSTs a JSON body and gets a 2xx', async ({ skip }) => {
    if ('skipped' in apache) return skip(apache.skipped);
    const body = JSON.stringify({ name: 'posted', type: 'Https', url: 'https://example.com/hook' });
    const res = await new DigestClient(key.publicKey, key.privateKey, { algorithm: 'MD5' }).fetch(`${apache.url}${connectionsPath}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    expect(await res.text()).toBe(body); // mod_reflector echoes what it was sent
  });

  it('answers an unauthenticated request with the Digest challenge', async ({ skip }) => {
    if ('skipped' in apache) return skip(apache.skipped);
    const res = await fetch(`${apache.url}${connectionsPath}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Digest realm="MMS Public API"/);
    expect(challenge).toMatch(/nonce="[^"]+"/);
    expect(challenge).toMatch(/algorithm=MD5/);
    expect(challenge).toMatch(/qop="auth"/);
  });
});
