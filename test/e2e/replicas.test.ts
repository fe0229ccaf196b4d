// Two real app processes share one PostgreSQL: 50 requests approved through either replica (some
// clicks delivered to both), one replica SIGKILLed mid-way; every request ends once, with one
// Atlas connection each.
import { expect, it } from 'vitest';
import { WORLD } from '../../src/sandbox/world.js';
import { requestHttpsThrough, useReplicas } from '../support/processRequests.js';
import { SlackDriver } from '../support/slackDriver.js';

const REQUESTS = 50;
const onPostgres = useReplicas('Two-replica test');

it('runs every request once across two replicas when one is killed', async ({ skip }) => {
  const { world, replicas, databaseUrl } = await onPostgres.start('replicas', skip, {
    configPatch: (raw) => {
      raw.replicas = { leaseTime: '2s', scanEvery: '200ms' };
      // Pacing is per process; the default (100 a minute) would make this test wait for minutes.
      (raw.atlas as Record<string, unknown>).pacing = { calls: 2000, per: '1m' };
    },
  });
  const start = () => replicas.start();
  const [a, b] = await Promise.all([start(), start()]);
  const drivers = [a, b].map((app) => new SlackDriver(app.url, world.signingSecret, WORLD.team));
  const { slack, atlas } = world;

  // Each form is submitted to the other replica: any replica may receive any request.
  const cards: Array<Awaited<ReturnType<typeof requestHttpsThrough>>> = [];
  for (let i = 0; i < REQUESTS; i++) cards.push(await requestHttpsThrough(world, drivers[i % 2]!, `rep-${i}`, drivers[(i + 1) % 2]!));

  // Kill replica A once ten connections exist: it may hold leases on requests it is working on.
  let killed = false;
  atlas.afterHandle = (call) => {
    if (!killed && call.operation === 'createConnection' && atlas.count('createConnection') >= 10) {
      killed = true;
      a.child.kill('SIGKILL');
    }
  };
  await Promise.all(
    cards.map(async (card, i) => {
      const targets = i % 5 === 0 ? [0, 1] : [i % 2]; // every fifth click reaches both replicas
      await Promise.all(
        targets.map(async (t) => {
          const sent = await drivers[t]!.clickButton(card, 'request_approve', { user: WORLD.owner }).catch(() => undefined);
          // A click that reached the dead replica is clicked again, as its owner would.
          if (!sent) await drivers[1]!.clickButton(card, 'request_approve', { user: WORLD.owner });
        }),
      );
    }),
  );
  await a.exited;
  expect(killed).toBe(true);
  // A click the dead replica acked but never acted on leaves its card pending: the owner clicks again.
  const approved = (card: { channel: string; ts: string }) => slack.thread(card.channel, card.ts).some((m) => m.text.startsWith('Approved by'));
  for (const card of cards.filter((c) => !approved(c))) await drivers[1]!.clickButton(card, 'request_approve', { user: WORLD.owner });

  const finals = (card: { channel: string; ts: string }) => slack.thread(card.channel, card.ts).filter((m) => /^:(white_check_mark|x): <@/.test(m.text));
  await slack.waitFor(() => cards.every((c) => finals(c).length >= 1), 30_000).catch(async (e: unknown) => {
    // What an engineer needs to see when requests stay untold: their threads, rows and events, and replica B's warnings.
    const stuck = cards.filter((c) => finals(c).length === 0);
    console.log(`STUCK ${stuck.length}: ${JSON.stringify(stuck.slice(0, 3).map((c) => [c.text, slack.thread(c.channel, c.ts).map((m) => m.text)]))}`);
    const { default: pgm } = await import('pg');
    const c = new pgm.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      const r = await c.query("select connection_name, state, lease_owner, lease_until, now() as now from requests where state not in ('succeeded','failed')");
      console.log(`DB ${JSON.stringify(r.rows)}`);
      const ev = await c.query("select r.connection_name, e.actor, e.from_state, e.to_state, e.at from request_events e join requests r on r.id = e.request_id where r.state not in ('succeeded','failed') order by e.id");
      console.log(`EV ${JSON.stringify(ev.rows)}`);
    } finally {
      await c.end();
    }
    console.log(`B: ${b.output.filter((l) => l.includes(`"level":50`) || l.includes(`"level":40`)).slice(0, 6).join("\n")}`);
    throw e;
  });
  const twice = cards.filter((c) => finals(c).length !== 1);
  if (twice.length) console.log(JSON.stringify(twice.slice(0, 2).map((c) => slack.thread(c.channel, c.ts).map((m) => m.text))));
  expect(cards.map((c) => finals(c).length)).toEqual(cards.map(() => 1));
  expect(cards.every((c) => finals(c)[0]!.text.includes('ready to use'))).toBe(true);
  const names = atlas.connections(WORLD.projectId, WORLD.instance).map((c) => c.name).sort();
  expect(names).toEqual(Array.from({ length: REQUESTS }, (_, i) => `rep-${i}`).sort());
  expect(atlas.count('createConnection', { status: 200 })).toBe(REQUESTS);
}, 120_000);
