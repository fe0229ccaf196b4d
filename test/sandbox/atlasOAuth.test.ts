// The Atlas emulator's service accounts: the token endpoint as Atlas answers it (Basic auth, form
// body, expiry, the 100-token cap with access_denied, revoke) and bearer auth beside Digest; and
// the sandbox running its target through the seeded service account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { AtlasEmulator } from '../../src/sandbox/atlasEmulator.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { SlackDriver } from '../../src/sandbox/slack/driver.js';
import { WORLD } from '../../src/sandbox/world.js';

const account = { clientId: 'mdb_sa_id_test', clientSecret: 'mdb_sa_sk_test' };
const group = '8358217d3abb5c76c3434648';
let clock = 1_800_000_000_000;
let atlas: AtlasEmulator;

beforeAll(async () => {
  atlas = await AtlasEmulator.start({ serviceAccounts: [account], tokenLifetimeS: 60, tokenLimit: 2, now: () => clock });
  atlas.addProject(group, { instances: ['inst'] });
});
afterAll(async () => {
  await atlas.stop();
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

async function mint(secret = account.clientSecret) {
  const res = await fetch(`${atlas.url}/api/oauth/token`, { method: 'POST', headers: { ...form, Authorization: basic(account.clientId, secret) }, body: 'grant_type=client_credentials' });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const list = (token: string) =>
  fetch(`${atlas.url}/api/atlas/v2/groups/${group}/streams/inst/connections`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.atlas.2023-02-01+json' } });

describe('the Atlas emulator as an OAuth token endpoint', () => {
  it('mints a bearer token that every endpoint accepts until it expires or is revoked, up to the cap', async () => {
    const first = await mint();
    expect(first).toEqual({ status: 200, body: { access_token: expect.any(String), token_type: 'Bearer', expires_in: 60 } });
    const token = String(first.body.access_token);
    expect((await list(token)).status).toBe(200);
    expect(atlas.calls.at(-1)).toMatchObject({ clientId: account.clientId, publicKey: undefined, operation: 'listConnections' });

    expect((await mint()).status).toBe(200);
    expect(await mint()).toEqual({ status: 403, body: { error: 'access_denied', error_description: 'Access Token limit reached' } });

    const revoked = await fetch(`${atlas.url}/api/oauth/revoke`, { method: 'POST', headers: { ...form, Authorization: basic(account.clientId, account.clientSecret) }, body: `token=${token}&token_type_hint=access_token` });
    expect(revoked.status).toBe(200);
    const refused = await list(token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 401, detail: 'You are not authorized for this resource.' });
    expect((await mint()).status).toBe(200); // the revoked one no longer counts

    clock += 61_000;
    expect((await mint()).status).toBe(200);
    expect(atlas.oauth.minted(account.clientId)).toBe(4);
  });

  it('refuses a wrong client secret, another grant and another body type', async () => {
    expect(await mint('nope')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const json = await fetch(`${atlas.url}/api/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: basic(account.clientId, account.clientSecret) }, body: '{}' });
    expect(json.status).toBe(400);
    const grant = await fetch(`${atlas.url}/api/oauth/token`, { method: 'POST', headers: { ...form, Authorization: basic(account.clientId, account.clientSecret) }, body: 'grant_type=password' });
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    expect((await list('not-a-token')).status).toBe(401);
  });
});

describe('the sandbox with SPCONN_SANDBOX_AUTH=serviceAccount', () => {
  it("runs the target's Atlas calls on the service account's token", async () => {
    const sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0, SPCONN_SANDBOX_AUTH: 'serviceAccount' }, logger: createLogger({ level: 'silent' }), banner: false });
    try {
      const { world } = sandbox;
      const driver = new SlackDriver(sandbox.appUrl, world.signingSecret, WORLD.team);
      const res = await driver.command('list', { user: WORLD.requester, channel: WORLD.channel, triggerId: world.slack.issueTriggerId() });
      expect(res.status).toBe(200);
      await world.atlas.waitFor(() => world.atlas.calls.some((c) => c.operation === 'listConnections' && c.status === 200));
      expect(world.atlas.calls.find((c) => c.operation === 'listConnections')!.clientId).toBe(world.serviceAccount.clientId);
      expect(world.atlas.oauth.minted()).toBe(1);
    } finally {
      await sandbox.stop();
    }
  });
});
