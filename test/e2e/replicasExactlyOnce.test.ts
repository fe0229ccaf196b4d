// Two real app processes on one PostgreSQL, a slow Atlas and a take-over scan far more frequent
// than any operator would set: every approved request is still sent to Atlas once. Before the
// approval and the lease were one change, a scan that met a request between its approval and its
// lease resumed it alongside the approver's own run (issue: one create sent twice, then 409).
// The processes cannot be paused from outside at that point, so this test makes the window common
// (a scan every 20 ms, 12 requests, creates that take 400 ms); the forced interleavings are in
// exactlyOnce.test.ts.
import { expect, it } from 'vitest';
import { WORLD } from '../../src/sandbox/world.js';
import { requestHttpsThrough, useReplicas } from '../support/processRequests.js';
import { SlackDriver } from '../support/slackDriver.js';

const REQUESTS = 12;
const onPostgres = useReplicas();

it('sends each approved request to Atlas once across two replicas scanning every 20 ms', async ({ skip }) => {
  const { world, replicas } = await onPostgres.start('replicas_once', skip, {
    configPatch: (raw) => {
      raw.replicas = { leaseTime: '5s', scanEvery: '20ms' };
      (raw.atlas as Record<string, unknown>).pacing = { calls: 2000, per: '1m' };
    },
  });
  const start = () => replicas.start();
  const processes = await Promise.all([start(), start()]);
  const drivers = processes.map((app) => new SlackDriver(app.url, world.signingSecret, WORLD.team));
  const { slack, atlas } = world;

  const cards: Array<Awaited<ReturnType<typeof requestHttpsThrough>>> = [];
  for (let i = 0; i < REQUESTS; i++) cards.push(await requestHttpsThrough(world, drivers[i % 2]!, `once-${i}`));

  // Atlas takes its time over every create.
  atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 200, delayMs: 400, times: REQUESTS * 3 });
  await Promise.all(cards.map((card, i) => drivers[i % 2]!.clickButton(card, 'request_approve', { user: WORLD.owner })));

  const finals = (card: { channel: string; ts: string }) => slack.thread(card.channel, card.ts).filter((m) => /^:(white_check_mark|x): <@/.test(m.text));
  await slack.waitFor(() => cards.every((c) => finals(c).length >= 1), 30_000);
  const posts = atlas.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/connections') && c.authenticated);
  const perName = new Map<string, number>();
  for (const post of posts) {
    const name = String((post.body as { name?: unknown } | undefined)?.name);
    perName.set(name, (perName.get(name) ?? 0) + 1);
  }
  expect([...perName.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect(posts).toHaveLength(REQUESTS);
  expect(cards.map((c) => finals(c).map((m) => m.text.includes('ready to use')))).toEqual(cards.map(() => [true]));
}, 120_000);
