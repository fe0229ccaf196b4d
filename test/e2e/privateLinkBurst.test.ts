// 200 Private Link setups at once finish without ever tripping Atlas's rate limit: the app paces
// its calls per project below the limit the emulator enforces.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { privateLinkValues } from '../support/privateLink.js';
import { state } from '../support/slackDriver.js';
import { startStack, WORLD, type Stack } from '../support/stack.js';

const SETUPS = 200;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    configPatch: (raw) => {
      // A two-second window: the emulator shares this process's event loop, and a stall bunches
      // arrivals; the app keeps about 60 % of the limit so such bunching stays under it.
      (raw.atlas as Record<string, unknown>).pacing = { calls: 240, per: '2s' };
      raw.privateLink = { pollMin: '50ms', pollMax: '400ms', linkTimeout: '120s', connectionTimeout: '120s' };
    },
    atlas: { rateLimitPerMinute: 400, rateLimitWindowMs: 2_000, privateLinkReadyAfterPolls: 1, connectionReadyAfterPolls: 1 },
  });
});
afterAll(async () => {
  await stack?.stop();
});

it(`completes ${SETUPS} setups at once under the rate limit`, async () => {
  const { slack, atlas } = stack.world;
  const cards: Array<{ channel: string; ts: string; text: string; blocks: unknown[] }> = [];
  for (let i = 0; i < SETUPS; i++) {
    const id = `c${String(i).padStart(3, '0')}`;
    const domain = `${id}.us-east-1.aws.confluent.cloud`;
    const cluster = { region: 'us-east-1', service: `com.amazonaws.vpce.us-east-1.vpce-svc-0${id}0123456789ab`, domain, bootstrap: `lkc-${id}.${domain}:9092`, apiKey: 'ABCDEFGH12345678', apiSecret: 'secret-secret-secret' };
    const trigger = slack.issueTriggerId();
    await stack.driver.command('create privatelink', { user: WORLD.requester, channel: WORLD.channel, triggerId: trigger });
    await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === trigger));
    const view = [...slack.views.values()].find((v) => v.triggerId === trigger)!;
    const res = await stack.driver.submitView(
      { ...view.view, id: view.id },
      { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select('privatelink') }, ...privateLinkValues(`burst-${id}`, 'serverless', cluster) },
      { user: WORLD.requester },
    );
    expect(res.text).toBe('');
  }
  await slack.waitFor(() => slack.messages.filter((m) => !m.threadTs && m.text.includes('burst-')).length === SETUPS, 20_000);
  for (const m of slack.messages.filter((msg) => !msg.threadTs && msg.text.includes('burst-'))) cards.push({ channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks });
  await Promise.all(cards.map((c) => stack.driver.clickButton(c, 'request_approve', { user: WORLD.owner })));

  // Each setup stops once for a person (the serverless access point); press Done on its card.
  // Bookkeeping reads each new message once and a card again only when chat.update changed it:
  // re-scanning every thread on every Slack call is quadratic, and the setups, moved on together
  // by one shared poll, make hundreds of Slack calls at once.
  const byTs = new Map(cards.map((c) => [c.ts, c]));
  const finishedTs = new Set<string>();
  const seen = new Map<string, number>();
  const waiting = new Set<string>();
  const pressed = new Set<string>();
  let cursor = 0;
  const look = () => {
    for (; cursor < slack.messages.length; cursor++) {
      const m = slack.messages[cursor]!;
      if (m.threadTs && byTs.has(m.threadTs) && /^:(white_check_mark|x): <@/.test(m.text)) finishedTs.add(m.threadTs);
    }
    for (const m of slack.messages.filter((msg) => byTs.has(msg.ts))) {
      if (pressed.has(m.ts) || seen.get(m.ts) === m.updates) continue;
      seen.set(m.ts, m.updates);
      if ((m.blocks as Array<{ elements?: Array<{ action_id?: string }> }>).some((b) => b.elements?.some((e) => e.action_id === 'privatelink_done'))) waiting.add(m.ts);
    }
    return finishedTs.size === SETUPS || waiting.size > 0;
  };
  while (finishedTs.size < SETUPS) {
    await slack.waitFor(look, 60_000);
    const ready = [...waiting].map((ts) => byTs.get(ts)!);
    waiting.clear();
    for (const c of ready) pressed.add(c.ts);
    await Promise.all(ready.map((c) => stack.driver.clickButton({ ...c, blocks: slack.messages.find((m) => m.ts === c.ts)!.blocks }, 'privatelink_done', { user: WORLD.requester })));
  }

  const failures = cards.flatMap((c) => slack.thread(c.channel, c.ts).filter((m) => m.text.startsWith(':x:')).map((m) => m.text));
  if (failures.length && process.env.DEBUG_BURST) {
    const name = /connection (burst-c\d+)/.exec(failures[0]!)![1]!;
    console.log(JSON.stringify(atlas.calls.filter((c) => c.path.endsWith('/connections') || c.path.endsWith(name)).filter((c) => JSON.stringify(c.body ?? '').includes(name) || c.path.endsWith(name)).map((c) => [c.method, c.status, c.at, c.authenticated])));
    console.log(stack.logs.filter((l) => l.includes(name) || l.includes('retry')).slice(0, 10).join('\n').slice(0, 3000));
  }
  expect(failures).toEqual([]);
  expect(atlas.calls.filter((c) => c.status === 429)).toHaveLength(0);
  expect(atlas.privateLinks(WORLD.projectId)).toHaveLength(SETUPS);
  expect(atlas.connections(WORLD.projectId, WORLD.instance).filter((c) => c.state === 'READY')).toHaveLength(SETUPS);
  // The limit was really in play: the app made more calls than fit in one window (400).
  expect(atlas.calls.filter((c) => c.authenticated).length).toBeGreaterThan(600);
}, 180_000);
