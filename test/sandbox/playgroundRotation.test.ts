// The playground shows rotation: a connection made with a seeded reference, "New version" opens a
// ROTATE request at once (the sandbox watches rotation), and `/spconn rotate` works there too.
import { describe, expect, it } from 'vitest';
import { WORLD } from '../../src/sandbox/world.js';
import { select, typed, usePlayground } from '../support/playground.js';

const playground = usePlayground();
const { api, approve } = playground;

type Message = { channel: string; ts: string; text: string; threadTs?: string; blocks?: unknown };
const rotateCards = () => (playground.world.slack.messages as Message[]).filter((m) => !m.threadTs && m.text.startsWith('ROTATE '));

const thread = (card: Message) => playground.world.slack.thread(card.channel, card.ts).map((m) => m.text);

describe('rotation in the playground', () => {
  it('opens a rotation on "New version", and /spconn rotate asks for one', async () => {
    const { slack, atlas } = playground.world;
    await api('api/view-submit', {
      as: WORLD.requester,
      viewId: await playground.open('/spconn create https'),
      values: {
        target: { target: select('sandbox') },
        connection_type: { connection_type_picked: select('https') },
        connection_name: { name: typed('rotating') },
        https_url: { url: typed('https://api.example.com/hook') },
        https_headers: { headers: typed('Authorization: secretsmanager:sandbox/orders-api#token') },
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
