// A change Atlas cannot make in place (the type) becomes an explicit REPLACE: refused while a
// stream processor that uses the connection is STARTED; performed once (delete, wait until gone,
// create with the same name), even when the app is SIGKILLed between the delete and the create.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';
import { startAppProcess, type AppProcess } from '../support/appProcess.js';
import { SlackDriver, state, type ViewStateValues } from '../support/slackDriver.js';

let world: World | undefined;
let app: AppProcess | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await app?.kill();
  await world?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  app = world = dataDir = undefined;
});

const PASSWORD = 'CANARY-replace-pw-5150';
const kafkaValues: ViewStateValues = {
  target: { target: state.select('sandbox') },
  edit_connection_type: { edit_connection_type_picked: state.select('kafka') },
  kafka_bootstrap: { bootstrap_servers: state.text('b-1.kafka.example.com:9092') },
  kafka_protocol: { security_protocol: state.select('SASL_SSL') },
  kafka_mechanism: { sasl_mechanism: state.select('SCRAM-512') },
  kafka_username: { username: state.text('svc-atlas') },
  kafka_password: { password: state.text(PASSWORD) },
  kafka_certificate: { broker_certificate: state.text(null) },
};

async function start(): Promise<{ world: World; driver: SlackDriver; key: string }> {
  world = await startWorld();
  dataDir = mkdtempSync(join(tmpdir(), 'spconn-replace-'));
  const key = randomBytes(32).toString('base64');
  app = await startAppProcess(world, dataDir, key);
  world.atlas.connections(WORLD.projectId, WORLD.instance).push({ id: '65a000000000000000000002', state: 'READY', name: 'orders-api', type: 'Https', url: 'https://api.example.com/v1/orders' });
  return { world, driver: new SlackDriver(app.url, world.signingSecret, WORLD.team), key };
}

/** `/spconn edit orders-api`, then Kafka picked in the form: the form says REPLACE. */
async function openReplaceForm(w: World, driver: SlackDriver) {
  const { slack } = w;
  const triggerId = slack.issueTriggerId();
  expect((await driver.command('edit orders-api', { user: WORLD.requester, channel: WORLD.channel, triggerId })).status).toBe(200);
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === triggerId && v.updates > 0), 10_000);
  const viewOf = () => {
    const v = [...slack.views.values()].find((x) => x.triggerId === triggerId)!;
    return { ...v.view, id: v.id, hash: v.hash, updates: v.updates, blocks: v.view.blocks as unknown[], private_metadata: String(v.view.private_metadata ?? ''), callback_id: String(v.view.callback_id ?? '') };
  };
  const filled = viewOf();
  expect(JSON.stringify(filled.blocks)).toContain('"initial_value":"https://api.example.com/v1/orders"');
  await driver.selectInView(filled, { edit_connection_type: { edit_connection_type_picked: state.select('kafka') } }, 'edit_connection_type', 'edit_connection_type_picked', { user: WORLD.requester });
  await slack.waitFor(() => viewOf().updates > filled.updates, 10_000);
  const replacing = viewOf();
  expect(JSON.stringify(replacing.blocks)).toContain('This is a REPLACE');
  expect(JSON.stringify(replacing.blocks)).toContain('kafka_bootstrap');
  return replacing;
}

function cardOf(w: World) {
  const m = w.slack.messages.find((msg) => !msg.threadTs && msg.text.includes('connection orders-api '));
  return m ? { channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks as unknown[] } : undefined;
}

describe('replacing a connection', () => {
  it('is refused inline while a stream processor that uses it is STARTED, naming it', async () => {
    const { world: w, driver } = await start();
    w.atlas.setStreamProcessor(WORLD.projectId, WORLD.instance, {
      name: WORLD.processor,
      state: 'STARTED',
      pipeline: [{ $source: { connectionName: 'sample_stream_solar' } }, { $https: { connectionName: 'orders-api' } }, { $merge: { into: { connectionName: 'atlas-cluster', db: 'd', coll: 'c' } } }],
    });
    const view = await openReplaceForm(w, driver);
    const res = await driver.submitView(view, kafkaValues, { user: WORLD.requester });
    const ack = res.json() as { response_action: string; errors: Record<string, string> };
    expect(ack.response_action).toBe('errors');
    expect(ack.errors.edit_connection_type).toMatch(/replaces the connection.*solar-to-orders is STARTED/);
    expect(w.slack.count('chat.postMessage')).toBe(0);
    expect(w.atlas.count('deleteConnection')).toBe(0);
  }, 60_000);

  it.each([
    ['after Atlas deleted the old connection, before the app heard', 'deleteConnection'],
    ['after Atlas created the new connection, before the app heard', 'createConnection'],
  ])('is performed once when the app is SIGKILLed %s', async (_, killAfter) => {
    const { world: w, driver, key } = await start();
    const view = await openReplaceForm(w, driver);
    expect((await driver.submitView(view, kafkaValues, { user: WORLD.requester })).json()).toBeUndefined();
    await w.slack.waitFor(() => cardOf(w) !== undefined, 10_000);
    const card = cardOf(w)!;
    const cardJson = JSON.stringify(card.blocks);
    expect(card.text).toMatch(/^REPLACE Kafka connection orders-api/);
    // The processors whose pipelines name it, with their state (the world's is STOPPED).
    expect(cardJson).toContain('`solar-to-orders` STOPPED');
    expect(cardJson).not.toContain(PASSWORD);

    const first = app!;
    let killed = false;
    w.atlas.afterHandle = (call) => {
      if (!killed && call.operation === killAfter && call.authenticated) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    };
    await driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await first.exited;
    expect(killed).toBe(true);
    expect(first.child.signalCode).toBe('SIGKILL');

    app = await startAppProcess(w, dataDir!, key);
    const thread = () => w.slack.thread(card.channel, card.ts).map((m) => m.text);
    await w.slack.waitFor(() => thread().some((t) => t.includes('is replaced')), 30_000).catch((e: unknown) => {
      if (process.env.DEBUG_REPLACE) console.log(JSON.stringify({ thread: thread(), calls: w.atlas.calls.map((c) => `${c.method} ${c.path} ${c.status}`), out: app!.output.slice(-20) }, null, 1));
      throw e;
    });
    expect(w.atlas.count('deleteConnection')).toBe(1);
    expect(w.atlas.count('createConnection')).toBe(1);
    const now = w.atlas.connections(WORLD.projectId, WORLD.instance);
    expect(now).toHaveLength(1);
    expect(now[0]).toMatchObject({ name: 'orders-api', type: 'Kafka', bootstrapServers: 'b-1.kafka.example.com:9092', authentication: { password: PASSWORD } });
    expect([...first.output, ...app.output].join('\n')).not.toContain(PASSWORD);
  }, 90_000);
});
