// The first slice end to end: /spconn create https → card → owner approval → Atlas → thread.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardFor, createHttpsRequest, startStack, submitHttpsForm, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});

const ok = { name: 'orders-api', url: 'https://api.example.com/v1/orders', headers: 'Authorization: Bearer tok-123456' };

async function approve(card: { channel: string; ts: string; blocks: unknown[] }, user: string = WORLD.owner) {
  const res = await stack.driver.clickButton(card, 'request_approve', { user });
  expect(res.status).toBe(200);
}

function created() {
  return stack.world.atlas.connections(WORLD.projectId, WORLD.instance);
}

describe('creating an HTTPS connection', () => {
  it('opens the form, posts a masked card, and creates the connection once an owner approves', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, ok);
    const cardJson = JSON.stringify(card.blocks);
    expect(cardJson).toContain('orders-api');
    expect(cardJson).toContain('https://api.example.com/v1/orders');
    expect(cardJson).toContain('••••56');
    expect(cardJson).not.toContain('tok-123456');
    expect(cardJson).toContain(`<@${WORLD.requester}>`);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes(`<@${WORLD.owner}>`) && t.includes(`<@${WORLD.owner2}>`)));
    expect(atlas.count('createConnection')).toBe(0);

    await approve(card);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));

    expect(created()).toEqual([
      expect.objectContaining({ name: 'orders-api', type: 'Https', url: 'https://api.example.com/v1/orders', headers: { Authorization: 'Bearer tok-123456' } }),
    ]);
    const updated = slack.messages.find((m) => m.ts === card.ts)!;
    expect(JSON.stringify(updated.blocks)).toContain('Done');
    expect(JSON.stringify(updated.blocks)).not.toContain('request_approve');
    expect(threadTexts(stack, card).join('\n')).toContain(`Approved by <@${WORLD.owner}>`);
  });

  it('shows bad input inline, keyed by block, and posts nothing', async () => {
    const ack = (await submitHttpsForm(stack, { name: 'bad name', url: 'http://api.example.com', headers: 'Authorization: Digest x' })) as {
      response_action: string;
      errors: Record<string, string>;
    };
    expect(ack.response_action).toBe('errors');
    expect(ack.errors.https_url).toMatch(/https:\/\//);
    expect(ack.errors.connection_name).toMatch(/letters, digits/);
    expect(ack.errors.https_headers).toMatch(/do not support Digest/);
    expect(stack.world.slack.count('chat.postMessage')).toBe(0);
  });

  it('tells the requester to run the command again when Slack refuses to open the form', async () => {
    const { slack } = stack.world;
    slack.injectFault('views.open', { error: 'expired_trigger_id' });
    const res = await stack.driver.command('create https', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    expect(res.status).toBe(200);
    await slack.waitFor(() => slack.ephemerals.some((e) => e.user === WORLD.requester));
    expect(slack.ephemerals.map((e) => e.text)).toEqual(['Slack did not open the form in time. Please run the command again.']);
    expect(slack.views.size).toBe(0);
    expect(stack.logs.some((l) => l.includes('"msg":"views.open failed"') && l.includes('expired_trigger_id'))).toBe(true);
  });

  it('refuses a name that already exists in the instance, in the modal', async () => {
    await createHttpsRequest(stack, ok);
    const card = cardFor(stack, 'orders-api')!;
    await approve(card);
    await stack.world.slack.waitFor(() => created().length === 1);
    const ack = (await submitHttpsForm(stack, ok)) as { errors: Record<string, string> };
    expect(ack.errors.connection_name).toMatch(/already exists/);
  });

  it('lets an owner reject with a reason that the requester sees in the thread', async () => {
    const { slack } = stack.world;
    const card = await createHttpsRequest(stack, ok);
    const triggerId = slack.issueTriggerId();
    await stack.driver.clickButton(card, 'request_reject', { user: WORLD.owner, triggerId });
    await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === triggerId));
    const modal = [...slack.views.values()].find((v) => v.triggerId === triggerId)!;
    const res = await stack.driver.submitView({ ...modal.view, id: modal.id }, { reject_reason: { reason: { type: 'plain_text_input', value: 'use the staging project' } } }, {
      user: WORLD.owner,
    });
    expect(res.status).toBe(200);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('rejected')));
    expect(threadTexts(stack, card).join('\n')).toContain('use the staging project');
    expect(threadTexts(stack, card).join('\n')).toContain(`<@${WORLD.requester}>`);
    expect(stack.world.atlas.count('createConnection')).toBe(0);
  });
});

describe('Slack request signing', () => {
  it('answers 401 to a bad, missing, stale or future signature and opens nothing', async () => {
    const { slack } = stack.world;
    const now = Math.floor(Date.now() / 1000);
    const body = stack.driver.slashCommandBody('create https', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    expect((await stack.driver.post(body, { signature: 'v0=' + '0'.repeat(64) })).status).toBe(401);
    expect((await stack.driver.post(body, { signature: null })).status).toBe(401);
    expect((await stack.driver.post(body, { timestamp: now - 6 * 60 })).status).toBe(401);
    expect((await stack.driver.post(body, { timestamp: now + 6 * 60 })).status).toBe(401);
    expect(slack.count('views.open')).toBe(0);
    // The same body correctly signed does open the form: the refusals above were about the signature.
    expect((await stack.driver.post(body)).status).toBe(200);
    await slack.waitFor(() => slack.count('views.open') === 1);
  });
});

describe('approvals', () => {
  it("refuses a stranger's and the requester's own Approve, without calling Atlas", async () => {
    const { slack, atlas } = stack.world;
    // The requester is an owner too: only the four-eyes rule stops them.
    const card = await createHttpsRequest(stack, ok, WORLD.owner2);
    await approve(card, WORLD.stranger);
    await approve(card, WORLD.owner2);
    await slack.waitFor(() => slack.ephemerals.length === 2);
    expect(slack.ephemerals.map((e) => e.user).sort()).toEqual([WORLD.owner2, WORLD.stranger].sort());
    expect(slack.ephemerals.find((e) => e.user === WORLD.stranger)!.text).toMatch(/Only an owner/);
    expect(slack.ephemerals.find((e) => e.user === WORLD.owner2)!.text).toMatch(/four-eyes/);
    expect(atlas.count('createConnection')).toBe(0);
    expect(JSON.stringify(slack.messages.find((m) => m.ts === card.ts)!.blocks)).toContain('request_approve');
  });

  it('executes once when two owners approve at the same moment, and once more clicks change nothing', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, ok);
    await Promise.all([approve(card, WORLD.owner), approve(card, WORLD.owner2), approve(card, WORLD.owner)]);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));
    await stack.app.requests.idle();
    expect(atlas.count('createConnection')).toBe(1);
    expect(created()).toHaveLength(1);
    expect(slack.ephemerals.every((e) => /already/.test(e.text))).toBe(true);
    expect(slack.ephemerals).toHaveLength(2);
  });
});

describe('Atlas failures', () => {
  it('explains a 409 duplicate name in the thread', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, ok);
    // Someone creates the same name directly in Atlas between submission and approval.
    atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 409, body: { error: 409, errorCode: 'STREAM_CONNECTION_NAME_ALREADY_EXISTS', detail: 'A connection named orders-api already exists.', reason: 'Conflict' } });
    await approve(card);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes(':x:')));
    const reply = threadTexts(stack, card).find((t) => t.includes(':x:'))!;
    expect(reply).toContain('already exists');
    expect(reply).toContain('pick another name');
    expect(JSON.stringify(slack.messages.find((m) => m.ts === card.ts)!.blocks)).toContain('Failed');
  });

  it('retries a 503 and creates exactly one connection', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, ok);
    atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 503, times: 1 });
    await approve(card);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));
    expect(created()).toHaveLength(1);
  });

  it('does not create twice when Atlas created the connection but answered 500', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, ok);
    atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 500, times: 1, afterHandling: true });
    await approve(card);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));
    expect(created()).toHaveLength(1);
    expect(atlas.count('createConnection')).toBe(1);
  });

  it('reads the API key again once when Atlas answers 401 after a rotation', async () => {
    const { slack, atlas, secrets } = stack.world;
    const first = await createHttpsRequest(stack, ok);
    await approve(first);
    await slack.waitFor(() => created().length === 1);
    const rotated = { publicKey: 'rotatedpub', privateKey: 'rotated-private-key' };
    atlas.addKey(rotated);
    atlas.removeKey(stack.world.atlasKey.publicKey);
    secrets.putSecret(WORLD.apiKeySecret, JSON.stringify(rotated));
    const before = secrets.count('secretsmanager.GetSecretValue');
    const second = await createHttpsRequest(stack, { ...ok, name: 'orders-api-2' });
    await approve(second);
    await slack.waitFor(() => threadTexts(stack, second).some((t) => t.includes('ready to use')));
    expect(secrets.count('secretsmanager.GetSecretValue') - before).toBe(1);
  });
});

describe('secrets and durability', () => {
  it('reads the API key from Secrets Manager once for 50 concurrent approvals', async () => {
    const { slack, secrets, atlas } = stack.world;
    const cards = [];
    for (let i = 0; i < 50; i++) cards.push(await createHttpsRequest(stack, { ...ok, name: `conn-${i}` }));
    await Promise.all(cards.map((c) => approve(c)));
    await slack.waitFor(() => created().length === 50, 20_000);
    await stack.app.requests.idle();
    expect(secrets.count('secretsmanager.GetSecretValue')).toBe(1);
    expect(atlas.count('createConnection')).toBe(50);
  }, 60_000);

  it('loses nothing across a restart between submission and approval', async () => {
    const { slack } = stack.world;
    const card = await createHttpsRequest(stack, ok);
    await stack.restart();
    await approve(card);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));
    expect(created()).toEqual([expect.objectContaining({ name: 'orders-api', headers: { Authorization: 'Bearer tok-123456' } })]);
  });

  it('never shows a header value in Slack, the logs, or the database file', async () => {
    const canary = 'CANARY-7f3a9c1e5b2d';
    const { slack } = stack.world;
    const card = await createHttpsRequest(stack, { ...ok, headers: `X-Api-Key: ${canary}\nAuthorization: Bearer ${canary}-bearer` });
    // Before approval the sealed secret sits in the database: it must not be readable there.
    const dbBytes = () => readdirSync(stack.dataDir).map((f) => readFileSync(join(stack.dataDir, f)).toString('latin1')).join('');
    expect(dbBytes()).not.toContain(canary);
    await approve(card);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));
    await stack.app.requests.idle();
    // The form submission itself carried the canary to the app; everything the app sent back must not.
    const appToSlack = slack.calls.map((c) => c.raw).join('\n');
    expect(appToSlack).not.toContain(canary);
    expect(stack.logs.join('\n')).not.toContain(canary);
    expect(stack.logs.some((l) => l.includes('request approved'))).toBe(true);
    expect(dbBytes()).not.toContain(canary);
    // ...while Atlas did receive it: the canary reached the one place it belongs.
    expect(JSON.stringify(created())).toContain(canary);
  });
});
