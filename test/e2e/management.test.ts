// Day-to-day commands: list (following Atlas's pages), show, delete with approval, privatelinks,
// status and help, all answered ephemerally with secrets masked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpsRequest, startStack, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});

async function command(text: string, user: string = WORLD.requester) {
  const res = await stack.driver.command(text, { user, channel: WORLD.channel, triggerId: stack.world.slack.issueTriggerId() });
  expect(res.status).toBe(200);
  return res.text ? (JSON.parse(res.text) as { text?: string }) : {};
}

function seed(names: string[], extra: Record<string, unknown> = {}) {
  const list = stack.world.atlas.connections(WORLD.projectId, WORLD.instance);
  for (const name of names) list.push({ name, type: 'Https', url: `https://${name}.example.com`, headers: { Authorization: 'Bearer SECRET-header-value' }, state: 'READY', ...extra });
}

const ephemeralFor = (user: string) => stack.world.slack.ephemerals.filter((e) => e.user === user);

describe('/spconn list', () => {
  it('follows Atlas pagination to the end (250 connections, 3 pages) and pages its own answer', async () => {
    const { slack, atlas } = stack.world;
    seed(Array.from({ length: 250 }, (_, i) => `conn-${String(i).padStart(3, '0')}`));
    const ack = await command('list');
    expect(ack.text).toMatch(/Looking up/);
    await slack.waitFor(() => ephemeralFor(WORLD.requester).length === 1);
    const pages = atlas.calls.filter((c) => c.operation === 'listConnections' && c.status === 200).map((c) => c.query.pageNum);
    expect(pages).toEqual(['1', '2', '3']);
    const first = ephemeralFor(WORLD.requester)[0]!;
    const text = JSON.stringify(first.blocks);
    expect(text).toContain('*250* connections');
    expect(text).toContain('conn-000');
    expect(text).not.toContain('SECRET-header-value');
    expect(text).toContain('list_more');

    const more = first.blocks.find((b) => (b as { type: string }).type === 'actions');
    await stack.driver.clickButton({ channel: WORLD.channel, ts: '1.1', blocks: [more] }, 'list_more', { user: WORLD.requester });
    await slack.waitFor(() => ephemeralFor(WORLD.requester).length === 2);
    expect(JSON.stringify(ephemeralFor(WORLD.requester)[1]!.blocks)).toContain('conn-020');
  });

  it('says which target to name when the name is unknown', async () => {
    expect((await command('list nowhere')).text).toMatch(/There is no target `nowhere`. Targets here: `sandbox`/);
  });
});

describe('/spconn show', () => {
  it('shows one connection with header values masked', async () => {
    seed(['orders']);
    await command('show orders');
    await stack.world.slack.waitFor(() => ephemeralFor(WORLD.requester).length === 1);
    const text = JSON.stringify(ephemeralFor(WORLD.requester)[0]!.blocks);
    expect(text).toContain('https://orders.example.com');
    expect(text).toContain('••••ue');
    expect(text).not.toContain('SECRET-header-value');
  });

  it('says so when there is no such connection', async () => {
    await command('show ghost');
    await stack.world.slack.waitFor(() => ephemeralFor(WORLD.requester).length === 1);
    expect(ephemeralFor(WORLD.requester)[0]!.text).toMatch(/no connection `ghost`/);
  });
});

describe('/spconn delete', () => {
  async function deleteCard(name: string) {
    await command(`delete ${name}`);
    const { slack } = stack.world;
    await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.startsWith(`Delete HTTPS connection ${name}`)));
    const m = slack.messages.find((msg) => !msg.threadTs && msg.text.startsWith(`Delete HTTPS connection ${name}`))!;
    return { channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks };
  }

  it('needs an owner, refuses a non-owner, and calls DELETE once', async () => {
    const { slack, atlas } = stack.world;
    seed(['old-api']);
    const card = await deleteCard('old-api');
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.stranger });
    await slack.waitFor(() => slack.ephemerals.some((e) => e.user === WORLD.stranger));
    expect(atlas.count('deleteConnection')).toBe(0);
    await Promise.all([stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner }), stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner2 })]);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('is deleted')));
    expect(atlas.count('deleteConnection')).toBe(1);
    expect(atlas.connections(WORLD.projectId, WORLD.instance)).toEqual([]);
  });

  it("shows Atlas's reason when a running processor uses the connection", async () => {
    const { slack, atlas } = stack.world;
    seed(['busy']);
    atlas.markConnectionInUse(WORLD.projectId, WORLD.instance, 'busy');
    const card = await deleteCard('busy');
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes(':x:')));
    expect(threadTexts(stack, card).join('\n')).toMatch(/used by a running stream processor/);
  });
});

describe('/spconn privatelinks, status and help', () => {
  it("lists the project's Private Link connections with their state", async () => {
    const links = stack.world.atlas.privateLinks(WORLD.projectId) as Array<Record<string, unknown>>;
    links.push({ _id: 'aaaaaaaaaaaaaaaaaaaaaaaa', provider: 'AWS', vendor: 'CONFLUENT', region: 'us-east-1', dnsDomain: 'x.confluent.cloud', state: 'FAILED', errorMessage: 'endpoint service rejected' });
    await command('privatelinks');
    await stack.world.slack.waitFor(() => ephemeralFor(WORLD.requester).length === 1);
    const text = JSON.stringify(ephemeralFor(WORLD.requester)[0]!.blocks);
    expect(text).toContain('aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(text).toContain('FAILED');
    expect(text).toContain('endpoint service rejected');
  });

  it("lists the caller's open requests with a link to each card", async () => {
    const card = await createHttpsRequest(stack, { name: 'pending-one', url: 'https://x.example' });
    const status = await command('status');
    expect(status.text).toContain('pending-one');
    expect(status.text).toContain(`https://spconn-test.slack.com/archives/${card.channel}/p${card.ts.replace('.', '')}`);
    expect((await command('status', WORLD.stranger)).text).toBe('You have no open requests.');
  });

  it('answers help and anything unknown with usage and examples', async () => {
    expect((await command('help')).text).toMatch(/\/spconn create https/);
    const unknown = await command('frobnicate now');
    expect(unknown.text).toMatch(/I don't know `frobnicate`/);
    expect(unknown.text).toMatch(/Examples/);
    expect((await command('show')).text).toMatch(/Which connection\?/);
  });
});
