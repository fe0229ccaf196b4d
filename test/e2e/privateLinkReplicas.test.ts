// A Private Link setup moves between replicas: the one that approved it may be gone by the time a
// person clicks Done on another. The replica that finishes the setup tells its outcome at once,
// although the approving replica's lease on the request (production's 5 minutes) has not run out.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { WORLD } from '../../src/sandbox/world.js';
import { privateLinkValues } from '../support/privateLink.js';
import { useReplicas } from '../support/processRequests.js';
import { SlackDriver, state } from '../support/slackDriver.js';

const replicasOn = useReplicas('Private Link replicas test');
let db: pg.Client | undefined;
afterAll(() => db?.end());

async function waitUntil(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('tells the outcome at once when another replica than the approving one finishes the setup', async ({ skip }) => {
  const { world, replicas, databaseUrl } = await replicasOn.start('plreplicas', skip, {
    configPatch: (raw) => {
      // Production's lease: a replica that dies holding it blocks the request for 5 minutes.
      raw.replicas = { leaseTime: '5m', scanEvery: '200ms' };
      raw.privateLink = { pollMin: '20ms', pollMax: '80ms', linkTimeout: '30s', connectionTimeout: '30s' };
    },
  });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const { slack, atlas } = world;
  const a = await replicas.start();
  const b = await replicas.start();
  const [viaA, viaB] = [a, b].map((app) => new SlackDriver(app.url, world.signingSecret, WORLD.team)) as [SlackDriver, SlackDriver];

  const trigger = slack.issueTriggerId();
  await viaA.command('create privatelink', { user: WORLD.requester, channel: WORLD.channel, triggerId: trigger });
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === trigger));
  const view = [...slack.views.values()].find((v) => v.triggerId === trigger)!;
  await viaA.submitView(
    { ...view.view, id: view.id },
    { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select('privatelink') }, ...privateLinkValues('pl-moved', 'serverless') },
    { user: WORLD.requester },
  );
  await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.includes('connection pl-moved')), 20_000);
  const card = slack.messages.find((m) => !m.threadTs && m.text.includes('connection pl-moved'))!;
  await viaA.clickButton(card, 'request_approve', { user: WORLD.owner });

  // The link is ready and the setup waits for a person; the approving replica dies, its lease on the request kept.
  const withDone = () => slack.thread(card.channel, card.ts).filter((m) => JSON.stringify(m.blocks).includes('privatelink_done'));
  await slack.waitFor(() => withDone().length === 1, 20_000);
  // (The prompt is posted just before the replica parks the setup; a replica killed in between
  // holds its lease until it runs out, but a click on another replica takes it with the state.)
  await waitUntil(async () => (await db!.query('select 1 from workflows where lease_owner is null')).rowCount === 1);
  await a.kill('SIGKILL');

  const prompt = withDone()[0]!;
  await viaB.clickButton({ channel: prompt.channel, ts: prompt.ts, text: prompt.text, blocks: prompt.blocks }, 'privatelink_done', { user: WORLD.requester });
  const outcome = () => slack.thread(card.channel, card.ts).filter((m) => /^:(white_check_mark|x): <@/.test(m.text));
  await slack.waitFor(() => outcome().length > 0, 20_000);
  expect(outcome().map((m) => m.text)).toEqual([expect.stringMatching(/Kafka connection `pl-moved` is READY over Private Link/)]);
  expect(atlas.connections(WORLD.projectId, WORLD.instance).filter((c) => c.name === 'pl-moved')).toHaveLength(1);
}, 90_000);
