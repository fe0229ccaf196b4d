// `/spconn audit`: owners see who asked, who decided, what was sent (masked) and how it ended.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpsRequest, startStack, threadTexts, WORLD, type CardMessage, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});

const canary = 'CANARY-audit-93b1f7';

/** Runs `/spconn <text>` as `user` and returns the ephemeral answer it ends with (text and blocks). */
async function run(text: string, user: string): Promise<string> {
  const { slack } = stack.world;
  const before = slack.ephemerals.length;
  const res = await stack.driver.command(text, { user, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
  expect(res.status).toBe(200);
  const acked = res.text ? (JSON.parse(res.text) as { text?: string }).text ?? '' : '';
  if (!acked.startsWith('Looking up')) return acked;
  await slack.waitFor(() => slack.ephemerals.slice(before).some((e) => e.user === user));
  const answer = slack.ephemerals.slice(before).find((e) => e.user === user)!;
  return `${answer.text}\n${JSON.stringify(answer.blocks ?? [])}`;
}

async function reject(card: CardMessage, reason: string) {
  const { slack } = stack.world;
  const triggerId = slack.issueTriggerId();
  await stack.driver.clickButton(card, 'request_reject', { user: WORLD.owner2, triggerId });
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === triggerId));
  const modal = [...slack.views.values()].find((v) => v.triggerId === triggerId)!;
  await stack.driver.submitView({ ...modal.view, id: modal.id }, { reject_reason: { reason: { type: 'plain_text_input', value: reason } } }, { user: WORLD.owner2 });
  await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('rejected')));
}

describe('/spconn audit', () => {
  it("shows an owner who asked, who decided, what was sent (masked) and the outcome", async () => {
    const approved = await createHttpsRequest(stack, { name: 'orders-api', url: 'https://api.example.com/orders', headers: `X-Api-Key: ${canary}` });
    await stack.driver.clickButton(approved, 'request_approve', { user: WORLD.owner });
    await stack.world.slack.waitFor(() => threadTexts(stack, approved).some((t) => t.includes('ready to use')));
    const rejected = await createHttpsRequest(stack, { name: 'billing-api', url: 'https://api.example.com/billing' });
    await reject(rejected, 'use the staging project');
    await createHttpsRequest(stack, { name: 'pending-api', url: 'https://api.example.com/pending' });

    const answer = await run('audit', WORLD.owner);
    expect(answer).toContain('*3* requests on *sandbox*');
    expect(answer).toMatch(/orders-api[^]*succeeded[^]*approved by <@U[0-9A-Z]+>/);
    expect(answer).toContain(`approved by <@${WORLD.owner}>`);
    expect(answer).toContain(`rejected by <@${WORLD.owner2}>: “use the staging project”`);
    expect(answer).toContain(`asked by <@${WORLD.requester}>`);
    expect(answer).toContain('https://api.example.com/orders');
    expect(answer).toContain('pending-api');
    expect(answer).not.toContain(canary);
    // Newest first.
    expect(answer.indexOf('pending-api')).toBeLessThan(answer.indexOf('billing-api'));
    expect(answer.indexOf('billing-api')).toBeLessThan(answer.indexOf('orders-api'));
  });

  it('is for owners only, and says what is wrong with the command', async () => {
    await createHttpsRequest(stack, { name: 'orders-api', url: 'https://api.example.com/orders' });
    expect(await run('audit', WORLD.requester)).toContain('for owners of a spconn target');
    expect(await run('audit sandbox', WORLD.stranger)).toContain('Only an owner of *sandbox*');
    expect(await run('audit nosuch', WORLD.owner)).toContain('There is no target `nosuch`');
    expect(await run('audit sandbox 0', WORLD.owner)).toContain('Days are 1 to 90.');
    expect(await run('audit 30 sandbox', WORLD.owner)).toContain('last 30 days');
    expect(JSON.stringify(stack.world.slack.ephemerals.filter((e) => e.user !== WORLD.owner))).not.toContain('orders-api');
  });
});
