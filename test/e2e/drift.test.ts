// Drift alerts end to end (README, "Drift"): changes made in Atlas outside spconn — by a person in
// the Atlas UI, another API key or another service account — are posted once each in the target's
// approvals channel; spconn's own changes never are; a restart repeats nothing; history from
// before watching began is not posted; two replicas on one PostgreSQL post each change once.
// Scans are triggered with `app.drift.scan()`, on a clock the test moves (no sleeps).
import { afterEach, describe, expect, it } from 'vitest';
import type { EventActor } from '../../src/sandbox/atlasEmulator.js';
import { usePostgres } from '../support/postgres.js';
import { createHttpsRequest, secondReplica, startStack, threadTexts, WORLD, type Stack } from '../support/stack.js';

const APPROVALS = 'C0APPROVAL1';
let clock = Date.parse('2026-12-01T09:00:00.000Z');
const tick = (ms = 1_000) => (clock += ms);

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(opts: { databaseUrl?: string; auth?: 'apiKey' | 'serviceAccount' } = {}): Promise<Stack> {
  stack = await startStack({
    ...opts,
    now: () => new Date(clock),
    atlas: { now: () => clock },
    configPatch: (raw) => {
      raw.drift = { watchEvery: '1h' };
      (raw.targets as Array<Record<string, unknown>>)[0]!.approvalsChannel = APPROVALS;
    },
  });
  return stack;
}

function driftMessages(s: Stack): string[] {
  return s.world.slack.messages.filter((m) => m.channel === APPROVALS && m.text.includes('Drift in')).map((m) => m.text);
}

function outside(s: Stack, change: Parameters<Stack['world']['atlas']['changeFromOutside']>[2], actor: EventActor) {
  tick();
  const reply = s.world.atlas.changeFromOutside(WORLD.projectId, WORLD.instance, change, actor);
  expect(reply.status).toBeLessThan(300);
}

const https = (name: string, url = 'https://example.com/hook') => ({ action: 'create' as const, body: { name, type: 'Https', url } });

describe('drift alerts', () => {
  it('posts each outside change once (create, update, delete), never spconn’s own, and no old history', async () => {
    const s = await start();
    const { atlas, slack } = s.world;
    // History from before watching began is not drift spconn saw.
    outside(s, https('old-hook'), { username: 'early@example.com' });
    tick();
    expect(await s.app.drift.scan()).toEqual([{ target: 'sandbox', outcome: 'started', posted: 0 }]);

    // spconn's own change: created through a request and an owner's approval.
    tick();
    const card = await createHttpsRequest(s, { name: 'orders-api', url: 'https://api.example.com/v1/orders' });
    await s.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(s, card).some((t) => t.includes('ready to use')));
    expect(atlas.events(WORLD.projectId).at(-1)).toMatchObject({ eventTypeName: 'STREAM_TENANT_CONNECTION_CREATED', publicKey: s.world.atlasKey.publicKey });

    outside(s, https('shadow-hook'), { username: 'mallory@example.com' });
    outside(s, { action: 'update', name: 'orders-api', body: { url: 'https://evil.example.com/steal' } }, { publicKey: 'otherpubkey' });
    outside(s, { action: 'delete', name: 'old-hook' }, { clientId: 'mdb_sa_id_ci0002' });
    expect(await s.app.drift.scan()).toEqual([{ target: 'sandbox', outcome: 'read', posted: 3 }]);

    const texts = driftMessages(s);
    expect(texts).toHaveLength(3);
    expect(texts[0]).toMatch(/connection `shadow-hook` \(instance `spinstance`\) was \*created\* outside spconn by \*mallory@example\.com\* \(Atlas user\) at <!date\^\d+\^/);
    expect(texts[1]).toMatch(/connection `orders-api` .* was \*updated\* outside spconn by API key or service account `otherpubkey`/);
    expect(texts[2]).toMatch(/connection `old-hook` .* was \*deleted\* outside spconn by API key or service account `mdb_sa_id_ci0002`/);
    expect(texts.join('\n')).not.toContain('early@example.com');
    expect(texts.join('\n')).not.toContain(s.world.atlasKey.publicKey);

    // Read again: nothing new, nothing repeated.
    tick();
    expect(await s.app.drift.scan()).toEqual([{ target: 'sandbox', outcome: 'read', posted: 0 }]);
    expect(driftMessages(s)).toHaveLength(3);
  });

  it('repeats nothing after a restart on the same database, and posts what happened meanwhile once', async () => {
    const s = await start();
    await s.app.drift.scan();
    outside(s, https('first-hook'), { username: 'ops@example.com' });
    await s.app.drift.scan();
    expect(driftMessages(s)).toHaveLength(1);

    await s.restart();
    outside(s, https('second-hook'), { username: 'ops@example.com' });
    expect(await s.app.drift.scan()).toEqual([{ target: 'sandbox', outcome: 'read', posted: 1 }]);
    await s.app.drift.scan();
    const texts = driftMessages(s);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('`second-hook`');

    // Stopped (as on shutdown, which stops it before the store closes): a scan asked for afterwards does nothing.
    await s.app.drift.stop();
    outside(s, https('third-hook'), { username: 'ops@example.com' });
    expect(await s.app.drift.scan()).toEqual([]);
    expect(driftMessages(s)).toHaveLength(2);
  });

  it('never alerts for what spconn did with its service account, but does for another account', async () => {
    const s = await start({ auth: 'serviceAccount' });
    const { atlas, slack } = s.world;
    await s.app.drift.scan();
    tick();
    const card = await createHttpsRequest(s, { name: 'sa-made', url: 'https://api.example.com/sa' });
    await s.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(s, card).some((t) => t.includes('ready to use')));
    expect(atlas.events(WORLD.projectId).at(-1)).toMatchObject({ publicKey: s.world.serviceAccount.clientId });
    outside(s, { action: 'delete', name: 'sa-made' }, { clientId: 'mdb_sa_id_someoneelse' });
    expect(await s.app.drift.scan()).toEqual([{ target: 'sandbox', outcome: 'read', posted: 1 }]);
    expect(driftMessages(s)).toEqual([expect.stringMatching(/`sa-made`.*\*deleted\*.*`mdb_sa_id_someoneelse`/)]);
  });

  it('escapes what Atlas and people wrote', async () => {
    const s = await start();
    await s.app.drift.scan();
    outside(s, https('plain-hook'), { username: '<!channel> *boss*@example.com' });
    outside(s, { action: 'delete', name: 'plain-hook' }, { publicKey: '`<@U0OWNER001>`' });
    await s.app.drift.scan();
    const texts = driftMessages(s).join('\n');
    expect(texts).toContain('&lt;!channel&gt;');
    expect(texts).not.toContain('<!channel>');
    expect(texts).not.toContain('<@U0OWNER001>');
    expect(texts).toContain("`'&lt;@U0OWNER001&gt;'`");
  });

  it('keeps watching after Atlas fails, and posts the change on the next period', async () => {
    const s = await start();
    await s.app.drift.scan();
    outside(s, https('late-hook'), { username: 'ops@example.com' });
    s.world.atlas.injectFault({ method: 'GET', path: `/api/atlas/v2/groups/${WORLD.projectId}/events`, status: 500, times: 2 });
    expect(await s.app.drift.scan()).toEqual([{ target: 'sandbox', outcome: 'failed', posted: 0 }]);
    expect(s.logs.some((l) => l.includes('drift watching failed'))).toBe(true);
    expect(await s.app.drift.scan()).toEqual([{ target: 'sandbox', outcome: 'read', posted: 1 }]);
  });

  it('tries a post Slack refused again next period, and posts it once', async () => {
    const s = await start();
    await s.app.drift.scan();
    outside(s, https('refused-hook'), { username: 'ops@example.com' });
    s.world.slack.injectFault('chat.postMessage', { error: 'channel_not_found' });
    expect(await s.app.drift.scan()).toEqual([{ target: 'sandbox', outcome: 'failed', posted: 0 }]);
    expect(driftMessages(s)).toHaveLength(0);
    expect(await s.app.drift.scan()).toEqual([{ target: 'sandbox', outcome: 'read', posted: 1 }]);
    await s.app.drift.scan();
    expect(driftMessages(s)).toEqual([expect.stringContaining('`refused-hook`')]);
  });
});

describe('drift alerts with two replicas on one PostgreSQL', () => {
  const pg = usePostgres();

  it('posts each change once although both replicas read it', async ({ skip }) => {
    const databaseUrl = await pg.database('drift', skip);
    const s = await start({ databaseUrl });
    const second = await secondReplica(s, databaseUrl, () => new Date(clock));
    try {
      await Promise.all([s.app.drift.scan(), second.drift.scan()]);
      for (let i = 0; i < 5; i++) outside(s, https(`hook-${i}`), { username: `person${i}@example.com` });
      const results = await Promise.all([s.app.drift.scan(), second.drift.scan()]);
      expect(results.flat().reduce((n, r) => n + r.posted, 0)).toBe(5);
      await Promise.all([s.app.drift.scan(), second.drift.scan()]);
      const texts = driftMessages(s);
      expect(texts).toHaveLength(5);
      expect(new Set(texts).size).toBe(5);
    } finally {
      await second.stop();
    }
  });
});
