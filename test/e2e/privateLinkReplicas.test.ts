// A Private Link setup that ends on another replica than the one that started it (the person's
// Done went there, as Slack may deliver it) is told at once, not a lease later: the replica that
// ran the approval hands the request over to the setup and does not keep it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';
import { privateLinkValues } from '../support/privateLink.js';
import { freshDatabase, startPostgres, type PostgresServer } from '../support/postgres.js';
import { Replicas } from '../support/processRequests.js';
import { SlackDriver, state } from '../support/slackDriver.js';

let pg: PostgresServer | { skipped: string };
let world: World | undefined;
let replicas: Replicas | undefined;

beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await replicas?.stop();
  await world?.stop();
  if (pg && !('skipped' in pg)) await pg.stop();
});

it('tells the outcome at once when the setup ends on another replica', async ({ skip }) => {
  if ('skipped' in pg) return skip(pg.skipped);
  const databaseUrl = await freshDatabase(pg, 'pl_replicas');
  world = await startWorld({
    configPatch: (raw) => {
      raw.privateLink = { pollMin: '20ms', pollMax: '80ms', linkTimeout: '30s', connectionTimeout: '30s' };
      // A lease far longer than the test: an outcome waiting for it would never be seen here.
      raw.replicas = { leaseTime: '10m', scanEvery: '15s' };
    },
    atlas: { privateLinkReadyAfterPolls: 1, connectionReadyAfterPolls: 1 },
  });
  const { slack } = world;
  replicas = new Replicas(world, databaseUrl);
  const [a, b] = await Promise.all([replicas.start(), replicas.start()]);
  const [da, db] = [a, b].map((app) => new SlackDriver(app.url, world!.signingSecret, WORLD.team)) as [SlackDriver, SlackDriver];

  const trigger = slack.issueTriggerId();
  await da.command('create privatelink', { user: WORLD.requester, channel: WORLD.channel, triggerId: trigger });
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === trigger));
  const view = [...slack.views.values()].find((v) => v.triggerId === trigger)!;
  const ack = await da.submitView(
    { ...view.view, id: view.id },
    { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select('privatelink') }, ...privateLinkValues('pl-across', 'serverless') },
    { user: WORLD.requester },
  );
  expect(ack.text).toBe('');
  await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.includes('connection pl-across')), 20_000);
  const card = slack.messages.find((m) => !m.threadTs && m.text.includes('connection pl-across'))!;

  // Approved on A: A runs the request and starts the setup.
  await da.clickButton({ channel: card.channel, ts: card.ts, blocks: card.blocks }, 'request_approve', { user: WORLD.owner });
  const prompt = () => slack.thread(card.channel, card.ts).find((m) => JSON.stringify(m.blocks).includes('privatelink_done'));
  await slack.waitFor(() => prompt() !== undefined, 20_000);

  // Done through B: B takes the setup to its end.
  const done = prompt()!;
  await db.clickButton({ channel: done.channel, ts: done.ts, blocks: done.blocks }, 'privatelink_done', { user: WORLD.requester });
  const told = () => slack.thread(card.channel, card.ts).find((m) => m.text.startsWith(':white_check_mark: <@'));
  await slack.waitFor(() => told() !== undefined, 15_000);
  expect(told()!.text).toContain('pl-across');
  expect(world.atlas.connections(WORLD.projectId, WORLD.instance).map((c) => c.name)).toContain('pl-across');
}, 90_000);
