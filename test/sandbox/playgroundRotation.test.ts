// The playground shows rotation: a connection made with a seeded reference, "New version" opens a
// ROTATE request at once (the sandbox watches rotation), and `/spconn rotate` works there too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { WORLD } from '../../src/sandbox/world.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 }, logger: createLogger({ level: 'silent' }), banner: false });
});
afterAll(async () => {
  await sandbox?.stop();
});

const plain = (text: string) => ({ type: 'plain_text', text });
async function api(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${sandbox.playgroundUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}
const state = async (as: string) => JSON.parse(await (await fetch(`${sandbox.playgroundUrl}api/state?as=${as}`)).text()) as { modal?: { viewId: string } };

type Message = { channel: string; ts: string; text: string; threadTs?: string; blocks?: unknown };
const rotateCards = () => (sandbox.world.slack.messages as Message[]).filter((m) => !m.threadTs && m.text.startsWith('ROTATE '));

const thread = (card: Message) => sandbox.world.slack.thread(card.channel, card.ts).map((m) => m.text);

async function approve(card: Message): Promise<void> {
  const block = (card.blocks as Array<{ block_id?: string; elements?: Array<{ action_id?: string }> }>).find((b) => b.elements?.some((e) => e.action_id === 'request_approve'))!;
  await api('api/message-action', { as: WORLD.owner, message: { channel: card.channel, ts: card.ts, ephemeral: false }, blockId: block.block_id, actionId: 'request_approve' });
}

describe('rotation in the playground', () => {
  it('opens a rotation on "New version", and /spconn rotate asks for one', async () => {
    const { slack, atlas } = sandbox.world;
    const before = slack.count('views.open');
    await api('api/command', { as: WORLD.requester, text: '/spconn create https' });
    await slack.waitFor(() => slack.count('views.open') === before + 1);
    await api('api/view-submit', {
      as: WORLD.requester,
      viewId: (await state(WORLD.requester)).modal!.viewId,
      values: {
        target: { target: { type: 'static_select', selected_option: { text: plain('sandbox'), value: 'sandbox' } } },
        connection_type: { connection_type_picked: { type: 'static_select', selected_option: { text: plain('https'), value: 'https' } } },
        connection_name: { name: { type: 'plain_text_input', value: 'rotating' } },
        https_url: { url: { type: 'plain_text_input', value: 'https://api.example.com/hook' } },
        https_headers: { headers: { type: 'plain_text_input', value: 'Authorization: secretsmanager:sandbox/orders-api#token' } },
      },
    });
    await slack.waitFor(() => (slack.messages as Message[]).some((m) => !m.threadTs && m.text.includes('connection rotating ')));
    const created = (slack.messages as Message[]).find((m) => !m.threadTs && m.text.includes('connection rotating '))!;
    await approve(created);
    // The outcome is told after the references are remembered.
    await slack.waitFor(() => thread(created).some((t) => t.includes('ready to use')));

    const put = (await api('api/secrets/new-version', { name: 'sandbox/orders-api' })) as { versionId: string; rotations: number };
    expect(put.rotations).toBe(1);
    expect(rotateCards()).toHaveLength(1);
    expect(rotateCards()[0]!.text).toMatch(/^ROTATE HTTPS connection rotating/);
    await approve(rotateCards()[0]!);
    await slack.waitFor(() => thread(rotateCards()[0]!).some((t) => t.includes('is rotated')));
    expect(atlas.calls.filter((c) => c.operation === 'updateConnection')).toHaveLength(1);

    await api('api/command', { as: WORLD.requester, text: '/spconn rotate rotating' });
    await slack.waitFor(() => rotateCards().length === 2);
  });
});
