// Rotation watching end to end (README, "Rotating a connection's secrets"): with
// `rotation.watchEvery`, a new version of a referenced secret opens one ROTATE request in the
// target's approvals channel — once per version across scans, a restart on the same database and
// two replicas on one PostgreSQL — never while one is open, never again for the same version; one
// DescribeSecret per secret per scan, however many fields use it; `rotation: auto` performs it.
// Scans are run with `app.rotation.scan()` (no sleeps); the values never reach Slack, logs or the DB.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DESCRIBE_SECRET } from '../../src/sandbox/secretsManagerEmulator.js';
import { usePostgres } from '../support/postgres.js';
import { createHttpsRequest, secondReplica, startStack, threadTexts, WORLD, type CardMessage, type Stack } from '../support/stack.js';

const APPROVALS = 'C0APPROVAL1';
const V1 = 'CANARY-watch-token-v1-5561';
const V2 = 'CANARY-watch-token-v2-8812';
const V3 = 'CANARY-watch-token-v3-0042';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(opts: { databaseUrl?: string; auto?: boolean } = {}): Promise<Stack> {
  stack = await startStack({
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    configPatch: (raw) => {
      raw.rotation = { watchEvery: '1h' };
      const target = (raw.targets as Array<Record<string, unknown>>)[0]!;
      target.approvalsChannel = APPROVALS;
      if (opts.auto) target.rotation = 'auto';
    },
  });
  return stack;
}

const secret = (token: string) => JSON.stringify({ token: `Bearer ${token}`, key: `k-${token}` });

/** HTTPS `orders-api` with two headers from one secret, approved and made. */
async function createOrders(s: Stack): Promise<void> {
  s.world.secrets.putSecret('team/api', secret(V1));
  const card = await createHttpsRequest(s, {
    name: 'orders-api',
    url: 'https://api.example.com/v1/orders',
    headers: 'Authorization: secretsmanager:team/api#token\nX-Api-Key: secretsmanager:team/api#key',
  });
  await s.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await s.world.slack.waitFor(() => threadTexts(s, card).some((t) => t.includes('ready to use')));
  await s.app.requests.idle();
}

function rotateCards(s: Stack): CardMessage[] {
  return s.world.slack.messages
    .filter((m) => !m.threadTs && m.text.startsWith('ROTATE '))
    .map((m) => ({ channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks as unknown[] }));
}

const patches = (s: Stack) => s.world.atlas.calls.filter((c) => c.operation === 'updateConnection').map((c) => c.body);

function expectNoCanary(s: Stack) {
  const db = readdirSync(s.dataDir).map((f) => readFileSync(join(s.dataDir, f)).toString('latin1')).join('');
  for (const canary of [V1, V2, V3]) {
    expect(s.world.slack.calls.map((c) => c.raw).join('\n')).not.toContain(canary);
    expect(s.logs.join('\n')).not.toContain(canary);
    expect(db).not.toContain(canary);
  }
}

describe('rotation watching', () => {
  it('opens one rotation per new version in the approvals channel, with one DescribeSecret per secret per scan', async () => {
    const s = await start();
    const { secrets, slack } = s.world;
    await createOrders(s);

    // Nothing new: a scan describes the one secret once, and opens nothing.
    expect(await s.app.rotation.scan()).toEqual([]);
    expect(secrets.count(DESCRIBE_SECRET)).toBe(1);

    secrets.putSecret('team/api', secret(V2));
    expect(await s.app.rotation.scan()).toEqual([{ target: 'sandbox', connection: 'orders-api', outcome: 'opened' }]);
    expect(secrets.count(DESCRIBE_SECRET)).toBe(2);
    // A second scan while it is open opens nothing more.
    expect(await s.app.rotation.scan()).toEqual([{ target: 'sandbox', connection: 'orders-api', outcome: 'open-already' }]);
    expect(rotateCards(s)).toHaveLength(1);
    const card = rotateCards(s)[0]!;
    expect(card.channel).toBe(APPROVALS);
    const cardJson = JSON.stringify(card.blocks);
    expect(cardJson).toContain('headers.Authorization');
    expect(cardJson).toContain('secretsmanager:team/api#token');
    expect(cardJson).toContain('a new version of team/api');
    expect(cardJson).toContain('*Requested by*\\nspconn');
    expect(patches(s)).toHaveLength(0);

    await s.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(s, card).some((t) => t.includes('is rotated')));
    await s.app.requests.idle();
    expect(patches(s)).toEqual([{ name: 'orders-api', type: 'Https', headers: { Authorization: `Bearer ${V2}`, 'X-Api-Key': `k-${V2}` } }]);

    // The remembered version is the new one: the same version never opens again.
    expect(await s.app.rotation.scan()).toEqual([]);
    // A later version does, once.
    secrets.putSecret('team/api', secret(V3));
    expect(await s.app.rotation.scan()).toEqual([{ target: 'sandbox', connection: 'orders-api', outcome: 'opened' }]);
    expect(rotateCards(s)).toHaveLength(2);
    expectNoCanary(s);
  });

  it('does not open it again after a restart on the same database, even once the rotation was rejected', async () => {
    const s = await start();
    await createOrders(s);
    s.world.secrets.putSecret('team/api', secret(V2));
    expect((await s.app.rotation.scan()).map((r) => r.outcome)).toEqual(['opened']);
    const card = rotateCards(s)[0]!;
    const triggerId = s.world.slack.issueTriggerId();
    await s.driver.clickButton(card, 'request_reject', { user: WORLD.owner, triggerId });
    await s.world.slack.waitFor(() => [...s.world.slack.views.values()].some((v) => v.triggerId === triggerId));
    const modal = [...s.world.slack.views.values()].find((v) => v.triggerId === triggerId)!;
    await s.driver.submitView({ ...modal.view, id: modal.id }, { reject_reason: { reason: { type: 'plain_text_input', value: 'not now' } } }, { user: WORLD.owner });
    await s.world.slack.waitFor(() => threadTexts(s, card).some((t) => /rejected by/.test(t)));
    await s.app.requests.idle();
    await s.restart();
    // Rejected: no rotation is open, but this version was claimed already.
    expect((await s.app.rotation.scan()).map((r) => r.outcome)).toEqual(['claimed-already']);
    expect(rotateCards(s)).toHaveLength(1);
    expect(patches(s)).toHaveLength(0);
  });

  it('with rotation: auto, performs the rotation itself', async () => {
    const s = await start({ auto: true });
    await createOrders(s);
    s.world.secrets.putSecret('team/api', secret(V2));
    expect((await s.app.rotation.scan()).map((r) => r.outcome)).toEqual(['performed']);
    const card = rotateCards(s)[0]!;
    await s.world.slack.waitFor(() => threadTexts(s, card).some((t) => t.includes('is rotated')));
    await s.app.requests.idle();
    expect(threadTexts(s, card).join('\n')).toContain('Approved by spconn itself');
    expect(patches(s)).toEqual([expect.objectContaining({ headers: { Authorization: `Bearer ${V2}`, 'X-Api-Key': `k-${V2}` } })]);
    expect(await s.app.rotation.scan()).toEqual([]);
    expectNoCanary(s);
  });

  it('logs a Secrets Manager failure and tries again next period', async () => {
    const s = await start();
    await createOrders(s);
    s.world.secrets.putSecret('team/api', secret(V2));
    s.world.secrets.injectFault({ type: 'InternalServiceError', secretId: 'team/api', times: Infinity });
    expect(await s.app.rotation.scan()).toEqual([]);
    expect(s.logs.join('\n')).toContain('rotation watching could not describe a referenced secret');
    s.world.secrets.clearFaults();
    expect((await s.app.rotation.scan()).map((r) => r.outcome)).toEqual(['opened']);
  });
});

describe('rotation watching with two replicas on one PostgreSQL', () => {
  const pg = usePostgres();

  it('opens one rotation although both replicas notice the new version', async ({ skip }) => {
    const databaseUrl = await pg.database('rotation', skip);
    const s = await start({ databaseUrl });
    await createOrders(s);
    const second = await secondReplica(s, databaseUrl);
    try {
      s.world.secrets.putSecret('team/api', secret(V2));
      const results = (await Promise.all([s.app.rotation.scan(), second.rotation.scan()])).flat();
      expect(results.filter((r) => r.outcome === 'opened')).toHaveLength(1);
      await Promise.all([s.app.rotation.scan(), second.rotation.scan()]);
      expect(rotateCards(s)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
