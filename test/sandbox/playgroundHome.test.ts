// The playground gives each sample person a Home tab: opening it sends app_home_opened to the real
// app, the page shows what spconn published for that person, and its buttons act through Slack's
// side of the playground like the card's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { WORLD } from '../../src/sandbox/world.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 }, logger: createLogger({ level: 'silent' }), banner: false });
}, 30_000);
afterAll(async () => {
  await sandbox?.stop();
});

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${sandbox.playgroundUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { error?: string } };
};
type Block = { type: string; block_id: string; elements?: Array<{ action_id: string; confirm?: unknown }> };
const homeOf = async (user: string) => ((await (await fetch(`${sandbox.playgroundUrl}api/state?as=${user}`)).json()) as { home: { blocks: Block[] } | null }).home;

describe('the playground’s Home tab', () => {
  it('shows each person their own Home and approves from it', async () => {
    const { slack, atlas } = sandbox.world;
    expect(await homeOf(WORLD.owner)).toBeNull();
    atlas.connections(WORLD.projectId, WORLD.instance).push({ name: 'legacy-api', type: 'Https', url: 'https://legacy.example.com', state: 'READY' });
    expect((await post('api/command', { as: WORLD.requester, text: '/spconn delete legacy-api' })).status).toBe(200);
    await slack.waitFor(() => slack.messages.some((m) => m.text.startsWith('Delete HTTPS connection legacy-api')));

    for (const person of [WORLD.requester, WORLD.owner, WORLD.stranger]) expect((await post('api/home-open', { as: person })).status).toBe(200);
    await slack.waitFor(() => JSON.stringify(slack.home(WORLD.owner) ?? '').includes('legacy-api') && slack.home(WORLD.stranger) !== undefined);
    const owner = (await homeOf(WORLD.owner))!;
    const decide = owner.blocks.find((b) => b.type === 'actions')!;
    const approve = decide.elements!.find((e) => e.action_id.startsWith('request_approve~'))!;
    // The page shows Slack's confirm dialog before it sends the click: a delete asks first.
    expect(approve.confirm).toBeTruthy();
    expect(JSON.stringify(await homeOf(WORLD.stranger))).not.toContain('legacy-api');
    expect(JSON.stringify(await homeOf(WORLD.requester))).toContain('request_cancel~');

    expect((await post('api/home-action', { as: WORLD.owner, blockId: decide.block_id, actionId: approve.action_id })).status).toBe(200);
    await atlas.waitFor(() => atlas.count('deleteConnection') === 1);
    await slack.waitFor(() => JSON.stringify(slack.home(WORLD.requester) ?? '').includes('Done · Delete HTTPS connection'));
  });

  it("refuses a button that is not on the person's Home", async () => {
    expect((await post('api/home-action', { as: WORLD.stranger, blockId: 'nope', actionId: 'request_approve~x' })).status).toBe(409);
    expect((await post('api/home-open', { as: 'U0NOBODY1' })).status).toBe(409);
  });
});
