// A target that reaches Atlas through a service account: a connection created end to end with a
// bearer token; Atlas's 100-token cap told in the thread in plain words; two app processes on one
// PostgreSQL minting one token between them; the client secret and the tokens never in a log
// line, a Slack message or the database.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { World } from '../../src/sandbox/world.js';
import { requestHttpsThrough, useReplicas } from '../support/processRequests.js';
import { SlackDriver } from '../support/slackDriver.js';
import { createHttpsRequest, startStack, threadTexts, WORLD, type Stack } from '../support/stack.js';

const CANARY_SECRET = 'mdb_sa_sk_CANARYe2e5d1c0b9a8f7e6';

/** Everything a person or an operator could read: Slack's bodies, the log lines. */
function slackBodies(world: World): string {
  return JSON.stringify([world.slack.messages, world.slack.ephemerals, world.slack.calls.map((c) => c.args)]);
}

function expectNoSecrets(text: string, world: World): void {
  expect(text).not.toContain(CANARY_SECRET);
  expect(world.atlas.oauth.issued.length).toBeGreaterThan(0);
  for (const token of world.atlas.oauth.issued) expect(text).not.toContain(token);
}

describe('a service-account target (one replica, SQLite)', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.stop();
  });

  it('creates a connection through a bearer token, and the cap later fails a request in plain words', async () => {
    stack = await startStack({ auth: 'serviceAccount', serviceAccountSecret: CANARY_SECRET });
    const { slack, atlas } = stack.world;
    const { clientId } = stack.world.serviceAccount;

    const card = await createHttpsRequest(stack, { name: 'sa-orders', url: 'https://api.example.com/orders' });
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));
    expect(atlas.connections(WORLD.projectId, WORLD.instance).map((c) => c.name)).toContain('sa-orders');
    const creates = atlas.calls.filter((c) => c.operation === 'createConnection' && c.status < 300);
    expect(creates.map((c) => [c.clientId, c.publicKey])).toEqual([[clientId, undefined]]);
    expect(atlas.calls.every((c) => c.publicKey === undefined)).toBe(true);
    expect(atlas.oauth.minted(clientId)).toBe(1);

    // Atlas drops the token (it expired on its side) while the account is at its 100-token cap.
    atlas.oauth.expire(atlas.oauth.issued.at(-1)!);
    atlas.oauth.limit = 0;
    const capped = await createHttpsRequest(stack, { name: 'sa-capped', url: 'https://api.example.com/capped' });
    await stack.driver.clickButton(capped, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, capped).some((t) => t.startsWith(':x:')));
    const told = threadTexts(stack, capped).find((t) => t.startsWith(':x:'))!;
    expect(told).toContain(`Atlas refused spconn a new access token for the service account in secret ${WORLD.serviceAccountSecret}: it already has 100 active tokens`);
    // One attempt per call that needed a token (the form's name check, then the run), never a loop.
    expect(atlas.calls.filter((c) => c.operation === 'mintToken' && c.status === 403).length).toBeLessThanOrEqual(2);

    expectNoSecrets(stack.logs.join('\n'), stack.world);
    expectNoSecrets(slackBodies(stack.world), stack.world);
    const files = readdirSync(stack.dataDir).map((f) => readFileSync(join(stack.dataDir, f)).toString('latin1')).join('');
    expectNoSecrets(files, stack.world);
  });
});

describe('a service-account target on two app processes sharing PostgreSQL', () => {
  const onPostgres = useReplicas();

  it('mints one token for both replicas, sealed in the database', async ({ skip }) => {
    const { world, replicas, databaseUrl } = await onPostgres.start('service_account', skip, {
      auth: 'serviceAccount',
      serviceAccountSecret: CANARY_SECRET,
      configPatch: (raw) => {
        (raw.atlas as Record<string, unknown>).pacing = { calls: 2000, per: '1m' };
      },
    });
    const [a, b] = await Promise.all([replicas.start(), replicas.start()]);
    const [da, db] = [a, b].map((app) => new SlackDriver(app.url, world.signingSecret, WORLD.team)) as [SlackDriver, SlackDriver];

    // Both replicas' first Atlas calls at once: the forms' checks, then each approval on the other replica.
    const cards = await Promise.all([requestHttpsThrough(world, da, 'sa-rep-a'), requestHttpsThrough(world, db, 'sa-rep-b')]);
    await Promise.all([db.clickButton(cards[0], 'request_approve', { user: WORLD.owner }), da.clickButton(cards[1], 'request_approve', { user: WORLD.owner })]);
    const { slack, atlas } = world;
    await slack.waitFor(() => cards.every((c) => slack.thread(c.channel, c.ts).some((m) => m.text.includes('ready to use'))), 20_000);

    const apiCalls = atlas.calls.filter((c) => c.authenticated && c.operation !== 'mintToken');
    expect(new Set(apiCalls.map((c) => c.clientId))).toEqual(new Set([world.serviceAccount.clientId]));
    expect(atlas.oauth.minted(world.serviceAccount.clientId)).toBe(1);

    const { default: pgm } = await import('pg');
    const client = new pgm.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const tokens = await client.query('select * from atlas_tokens');
      expect(tokens.rows).toHaveLength(1);
      const everything = await client.query(
        "select coalesce(json_agg(t)::text, '') as rows from (select row_to_json(x)::text as r from requests x union all select row_to_json(x)::text from request_events x union all select row_to_json(x)::text from workflows x union all select row_to_json(x)::text from atlas_tokens x) t",
      );
      expectNoSecrets(String(everything.rows[0].rows), world);
    } finally {
      await client.end();
    }
    expectNoSecrets([...a.output, ...b.output].join('\n'), world);
    expectNoSecrets(slackBodies(world), world);
  }, 60_000);
});
