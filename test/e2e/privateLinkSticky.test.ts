// Private Link setups stay with the replica running them (two app processes on one PostgreSQL):
// a setup waiting to poll keeps its lease through the wait, so no other replica's take-over scan
// races for it; only a replica that died loses its setups, once their leases ran out.
import pg from 'pg';
import { afterEach, beforeAll, afterAll, expect, it } from 'vitest';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';
import type { AppProcess } from '../support/appProcess.js';
import { freshDatabase, startPostgres, type PostgresServer } from '../support/postgres.js';
import { CLUSTER, privateLinkValues } from '../support/privateLink.js';
import { Replicas } from '../support/processRequests.js';
import { SlackDriver, state } from '../support/slackDriver.js';

let server: PostgresServer | { skipped: string };
let world: World | undefined;
let replicas: Replicas | undefined;
let db: pg.Client | undefined;

beforeAll(async () => {
  server = await startPostgres();
  if ('skipped' in server) console.log(`Private Link sticky test skipped: ${server.skipped}`);
}, 60_000);
afterEach(async () => {
  await replicas?.stop();
  await world?.stop();
  await db?.end();
  [replicas, world, db] = [undefined, undefined, undefined];
});
afterAll(async () => {
  if (server && !('skipped' in server)) await server.stop();
});

async function waitUntil(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A world whose links never become ready by themselves (setups keep polling), and two replicas on a fresh database. */
async function twoReplicas(name: string, leaseTime: string): Promise<{ a: AppProcess; b: AppProcess; viaA: SlackDriver; viaB: SlackDriver }> {
  if ('skipped' in server) throw new Error('no server');
  const databaseUrl = await freshDatabase(server, name);
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  world = await startWorld({
    atlas: { privateLinkAutoReadyAfterPolls: -1, rateLimitPerMinute: 100_000 },
    configPatch: (raw) => {
      raw.replicas = { leaseTime, scanEvery: '100ms' };
      raw.privateLink = { pollMin: '30ms', pollMax: '120ms', linkTimeout: '5m', connectionTimeout: '5m' };
      (raw.atlas as Record<string, unknown>).pacing = { calls: 100_000, per: '1m' };
    },
  });
  replicas = new Replicas(world, databaseUrl);
  const a = await replicas.start();
  const b = await replicas.start();
  const [viaA, viaB] = [a, b].map((app) => new SlackDriver(app.url, world!.signingSecret, WORLD.team)) as [SlackDriver, SlackDriver];
  return { a, b, viaA, viaB };
}

/** Submits a serverless setup through `submitVia` and approves it through `approveVia` (which then runs it). */
async function approvedSetup(name: string, id: string, submitVia: SlackDriver, approveVia: SlackDriver) {
  const { slack } = world!;
  const domain = `${id}.us-east-1.aws.confluent.cloud`;
  const cluster = { ...CLUSTER, service: `com.amazonaws.vpce.us-east-1.vpce-svc-0${id}0123456789ab`, domain, bootstrap: `lkc-${id}.${domain}:9092` };
  const trigger = slack.issueTriggerId();
  await submitVia.command('create privatelink', { user: WORLD.requester, channel: WORLD.channel, triggerId: trigger });
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === trigger));
  const view = [...slack.views.values()].find((v) => v.triggerId === trigger)!;
  const res = await submitVia.submitView(
    { ...view.view, id: view.id },
    { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select('privatelink') }, ...privateLinkValues(name, 'serverless', cluster) },
    { user: WORLD.requester },
  );
  expect(res.text).toBe('');
  const isCard = (m: { threadTs?: string; text: string }) => !m.threadTs && m.text.includes(`connection ${name} `);
  await slack.waitFor(() => slack.messages.some(isCard), 20_000);
  const card = slack.messages.find(isCard)!;
  await approveVia.clickButton(card, 'request_approve', { user: WORLD.owner });
  return card;
}

interface Lease {
  request_id: string;
  lease_owner: string | null;
  lease_until: string | Date | null;
  state_json: string;
}
async function leases(): Promise<Lease[]> {
  return (await db!.query<Lease>("select request_id, lease_owner, lease_until, state_json from workflows where active = 1 and kind = 'privatelink'")).rows;
}
const step = (l: Lease) => (JSON.parse(l.state_json) as { step: string }).step;

/** This replica's workflow claims so far, from its /metrics. */
async function claims(app: AppProcess): Promise<{ taken: number; refused: number }> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const read = (outcome: string) => Number(new RegExp(`^spconn_workflow_claims_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { taken: read('taken'), refused: read('refused') };
}

it('keeps each polling setup with the replica running it: no claim races, one owner each', async ({ skip }) => {
  if ('skipped' in server) return skip(server.skipped);
  const { a, b, viaA, viaB } = await twoReplicas('plsticky', '5m');
  const SETUPS = 8;
  for (let i = 0; i < SETUPS; i++) await approvedSetup(`sticky-${i}`, `a00${i}`, viaA, i % 2 === 0 ? viaA : viaB);
  await waitUntil(async () => (await leases()).filter((l) => step(l) === 'await_link').length === SETUPS);

  // Watch who holds each setup while they poll (each poll is a claim), until every setup polled many times.
  const owners = new Map<string, Set<string | null>>();
  const base = (await claims(a)).taken + (await claims(b)).taken;
  await waitUntil(async () => {
    for (const l of await leases()) owners.set(l.request_id, (owners.get(l.request_id) ?? new Set()).add(l.lease_owner));
    const [ca, cb] = [await claims(a), await claims(b)];
    return ca.taken + cb.taken - base >= SETUPS * 10;
  }, 60_000);

  // Held all along (never unleased between polls), each by one replica; half by each (the approving one).
  expect([...owners.values()].map((set) => [...set].length)).toEqual(Array(SETUPS).fill(1));
  expect([...owners.values()].flatMap((set) => [...set]).every((o) => o !== null)).toBe(true);
  expect(new Set([...owners.values()].map((set) => [...set][0])).size).toBe(2);
  // No replica raced another for a setup: the take-over scans (every 100 ms) found nothing abandoned.
  expect((await claims(a)).refused + (await claims(b)).refused).toBe(0);
}, 180_000);

it("resumes a killed replica's waiting setups on another replica once their leases ran out", async ({ skip }) => {
  if ('skipped' in server) return skip(server.skipped);
  const { a, viaA, viaB } = await twoReplicas('plstickykill', '2s');
  const SETUPS = 4;
  const cards: Array<Awaited<ReturnType<typeof approvedSetup>>> = [];
  for (let i = 0; i < SETUPS; i++) cards.push(await approvedSetup(`killed-${i}`, `b00${i}`, viaA, viaA));
  await waitUntil(async () => (await leases()).filter((l) => step(l) === 'await_link' && l.lease_owner !== null).length === SETUPS);
  const ownerA = (await leases())[0]!.lease_owner!;
  expect((await leases()).every((l) => l.lease_owner === ownerA)).toBe(true);

  await a.kill('SIGKILL');
  // Each lease as the dead replica left it: through the wait for the next poll, plus the lease time.
  const leftUntil = new Map((await leases()).map((l) => [l.request_id, new Date(l.lease_until!).getTime()]));
  const takenAt = new Map<string, number>();
  await waitUntil(async () => {
    for (const l of await leases()) if (l.lease_owner !== ownerA && l.lease_owner !== null && !takenAt.has(l.request_id)) takenAt.set(l.request_id, Date.now());
    return takenAt.size === SETUPS;
  }, 30_000);
  for (const [id, at] of takenAt) expect(at).toBeGreaterThanOrEqual(leftUntil.get(id)!);

  // The surviving replica runs them on: their links become ready, and each setup asks for its Done.
  for (const l of await leases()) world!.atlas.setPrivateLinkState(WORLD.projectId, (JSON.parse(l.state_json) as { linkId: string }).linkId, 'DONE');
  const { slack } = world!;
  const prompted = () => cards.filter((c) => slack.thread(c.channel, c.ts).some((m) => JSON.stringify(m.blocks).includes('privatelink_done'))).length;
  await slack.waitFor(() => prompted() === SETUPS, 30_000);
  // Waiting for a person, they are parked: nobody holds them, and a click on any replica moves them.
  await waitUntil(async () => (await leases()).every((l) => l.lease_owner === null));
  const prompt = slack.thread(cards[0]!.channel, cards[0]!.ts).find((m) => JSON.stringify(m.blocks).includes('privatelink_done'))!;
  await viaB.clickButton({ channel: prompt.channel, ts: prompt.ts, text: prompt.text, blocks: prompt.blocks }, 'privatelink_done', { user: WORLD.requester });
  await slack.waitFor(() => slack.thread(cards[0]!.channel, cards[0]!.ts).some((m) => /^:white_check_mark: <@/.test(m.text)), 30_000);
}, 180_000);

it('hands a stopping replica’s polling setups to another at once, not after the lease time', async ({ skip }) => {
  if ('skipped' in server) return skip(server.skipped);
  // Production's lease: only a graceful stop's hand-back lets another replica take over within the test.
  const { a, viaA } = await twoReplicas('plstickystop', '5m');
  const SETUPS = 3;
  for (let i = 0; i < SETUPS; i++) await approvedSetup(`stopped-${i}`, `c00${i}`, viaA, viaA);
  await waitUntil(async () => (await leases()).filter((l) => step(l) === 'await_link' && l.lease_owner !== null).length === SETUPS);
  const ownerA = (await leases())[0]!.lease_owner!;

  await a.kill('SIGTERM');
  // A graceful stop (within its deadline; the setups' polls do not hold it up).
  expect(a.child.exitCode).toBe(0);
  await waitUntil(async () => (await leases()).every((l) => l.lease_owner !== null && l.lease_owner !== ownerA), 20_000);
  expect((await leases()).map(step)).toEqual(Array(SETUPS).fill('await_link'));
}, 120_000);
