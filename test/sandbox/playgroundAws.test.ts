// The playground walks the AWS Lambda, Kinesis and Schema Registry types with the real app: the
// role picker offers the sandbox's authorised role, the form is submitted, the owner approves from
// the card, and the emulated Atlas holds the connection.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import type { WorkspaceSnapshot } from '../../src/sandbox/playground/workspace.js';
import { WORLD } from '../../src/sandbox/world.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

const plain = (text: string) => ({ type: 'plain_text', text });
const selected = (type: string, value: string) => ({ type, selected_option: { text: plain(value), value } });
const typed = (value: string) => ({ type: 'plain_text_input', value });

describe('the playground with the AWS and Schema Registry types', () => {
  it.each([
    ['lambda', 'AWSLambda'],
    ['kinesis', 'AWSKinesisDataStreams'],
    ['schemaregistry', 'SchemaRegistry'],
  ])('walks %s from the form to a connection in Atlas', async (type, atlasType) => {
    sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 }, logger: createLogger({ level: 'silent' }), banner: false });
    const { world, playgroundUrl } = sandbox;
    const api = async (path: string, body: unknown) => {
      const res = await fetch(`${playgroundUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, path).toBe(200);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const snapshot = async (as: string) => (await (await fetch(`${playgroundUrl}api/state?as=${as}`)).json()) as WorkspaceSnapshot;

    await api('api/command', { as: WORLD.requester, text: `/spconn create ${type}` });
    await world.slack.waitFor(() => world.slack.views.size === 1);
    const viewId = (await snapshot(WORLD.requester)).modal!.viewId;
    const name = `walk-${type}`;
    const values: Record<string, Record<string, unknown>> = {
      target: { target: selected('static_select', 'sandbox') },
      connection_type: { connection_type_picked: selected('static_select', type) },
      connection_name: { name: typed(name) },
    };
    if (type === 'schemaregistry') {
      values.sr_urls = { registry_urls: typed('https://registry.example.com') };
      values.sr_auth = { registry_auth: selected('static_select', 'SASL_INHERIT') };
    } else {
      const { options } = (await api('api/view-suggest', { as: WORLD.requester, viewId, values, blockId: `${type}_role`, actionId: `${type}_role_arn`, typed: '' })) as {
        options: Array<{ text: { text: string }; value: string }>;
      };
      expect(options.map((o) => o.value)).toEqual([WORLD.s3Role]);
      values[`${type}_role`] = { [`${type}_role_arn`]: { type: 'external_select', selected_option: options[0] } };
    }
    await api('api/view-submit', { as: WORLD.requester, viewId, values });
    await world.slack.waitFor(() => world.slack.messages.some((m) => !m.threadTs && m.text.includes(`connection ${name} `)));
    const card = world.slack.messages.find((m) => !m.threadTs && m.text.includes(`connection ${name} `))!;
    const actions = (card.blocks as Array<{ type: string; block_id?: string; elements?: Array<{ action_id?: string }> }>).find(
      (b) => b.type === 'actions' && b.elements?.some((e) => e.action_id === 'request_approve'),
    )!;
    await api('api/message-action', { as: WORLD.owner, message: { channel: card.channel, ts: card.ts, ephemeral: false }, blockId: actions.block_id!, actionId: 'request_approve' });
    await world.slack.waitFor(() => world.slack.thread(card.channel, card.ts).some((m) => m.text.includes('ready to use')));
    expect(world.atlas.connections(WORLD.projectId, WORLD.instance)).toEqual([expect.objectContaining({ name, type: atlasType })]);
  });
});
