// Two-owner approvals over HTTP: a target's `approvalsRequired` distinct owners must approve before
// spconn calls Atlas; the same owner twice counts once, the requester never counts, a Reject ends
// it, and two owners approving at the same moment run the call once (on SQLite and PostgreSQL).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../support/postgres.js';
import { createHttpsRequest, startStack, threadTexts, WORLD, type CardMessage, type Stack } from '../support/stack.js';

type RawTarget = Record<string, unknown>;
const quorumOfTwo = (extra: RawTarget = {}) => (raw: Record<string, unknown>) => {
  Object.assign((raw.targets as RawTarget[])[0]!, { approvalsRequired: 2, ...extra });
  raw.replicas = { leaseTime: '1m', scanEvery: '1h' };
};

let stack: Stack;
afterEach(async () => {
  await stack?.stop();
});

const cardNow = (card: CardMessage) => JSON.stringify(stack.world.slack.messages.find((m) => m.ts === card.ts)!.blocks);
const ephemeralsTo = (user: string) => stack.world.slack.ephemerals.filter((e) => e.user === user).map((e) => e.text);

async function reject(card: CardMessage, user: string, reason: string): Promise<void> {
  const { slack } = stack.world;
  const triggerId = slack.issueTriggerId();
  await stack.driver.clickButton(card, 'request_reject', { user, triggerId });
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === triggerId));
  const view = [...slack.views.values()].find((v) => v.triggerId === triggerId)!;
  const res = await stack.driver.submitView({ ...view.view, id: view.id }, { reject_reason: { reason: { type: 'plain_text_input', value: reason } } }, { user });
  expect(res.status).toBe(200);
}

describe('a quorum of two owners', () => {
  beforeEach(async () => {
    stack = await startStack({ configPatch: quorumOfTwo() });
  });

  it('counts the same owner once, shows "1 of 2 approvals" and who approved, and runs on the second owner', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, { name: 'two-owners', url: 'https://x.example/hook' });
    expect(cardNow(card)).toContain('0 of 2 approvals');

    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => cardNow(card).includes('1 of 2 approvals'));
    expect(cardNow(card)).toContain(`1 of 2 approvals: <@${WORLD.owner}>`);
    expect(threadTexts(stack, card).some((t) => t.includes(`<@${WORLD.owner}> approved: 1 of 2 approvals. One more owner`))).toBe(true);

    // The same owner again: told privately, nothing counted, nothing sent to Atlas.
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => ephemeralsTo(WORLD.owner).length === 1);
    expect(ephemeralsTo(WORLD.owner)[0]).toMatch(/You approved this request already; it has 1 of 2 approvals/);
    await stack.app.requests.idle();
    expect(atlas.count('createConnection')).toBe(0);
    expect(await stack.store.get((await stack.store.pending())[0]!.id)).toMatchObject({ state: 'pending' });

    // The requester is not an owner here: refused, and the card still waits.
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.requester });
    await slack.waitFor(() => ephemeralsTo(WORLD.requester).length === 1);
    expect(ephemeralsTo(WORLD.requester)[0]).toMatch(/Only an owner of \*sandbox\*/);

    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner2 });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
    await stack.app.requests.idle();
    expect(atlas.count('createConnection')).toBe(1);
    expect(threadTexts(stack, card).some((t) => t.includes(`Approved by <@${WORLD.owner}>, <@${WORLD.owner2}> (2 of 2 approvals)`))).toBe(true);
    expect(cardNow(card)).toContain(`approved by <@${WORLD.owner}>, <@${WORLD.owner2}>`);
    const [row] = await stack.store.db.selectFrom('requests').select('id').execute();
    expect((await stack.store.approvals(row!.id)).map((a) => a.approver_id)).toEqual([WORLD.owner, WORLD.owner2]);
    // The audit trail's approval names both approvers.
    expect((await stack.store.events(row!.id)).find((e) => e.to_state === 'approved')).toMatchObject({ actor: WORLD.owner2, note: `2 of 2 approvals: ${WORLD.owner}, ${WORLD.owner2}` });
  });

  it('ends on any owner\'s Reject, even after a first approval; a later Approve changes nothing', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, { name: 'reject-between', url: 'https://x.example/hook' });
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => cardNow(card).includes('1 of 2 approvals'));
    await reject(card, WORLD.owner2, 'not this week');
    await slack.waitFor(() => threadTexts(stack, card).some((t) => /rejected by/.test(t)));
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner2 });
    await slack.waitFor(() => ephemeralsTo(WORLD.owner2).length === 1);
    expect(ephemeralsTo(WORLD.owner2)[0]).toMatch(/already rejected by <@U0OWNER002>/);
    await stack.app.requests.idle();
    expect(atlas.count('createConnection')).toBe(0);
    expect(cardNow(card)).toContain('Rejected');
  });
});

it('never counts the requester, even an owner allowed to approve alone where one approval is enough', async () => {
  stack = await startStack({ configPatch: quorumOfTwo({ owners: [WORLD.owner, WORLD.owner2, WORLD.requester], allowSelfApproval: true }) });
  const { slack, atlas } = stack.world;
  const card = await createHttpsRequest(stack, { name: 'self-quorum', url: 'https://x.example/hook' });
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.requester });
  await slack.waitFor(() => ephemeralsTo(WORLD.requester).length === 1);
  expect(ephemeralsTo(WORLD.requester)[0]).toMatch(/your own approval never counts toward the 2 approvals/);
  expect(cardNow(card)).toContain('0 of 2 approvals');
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await slack.waitFor(() => cardNow(card).includes('1 of 2 approvals'));
  await stack.app.requests.idle();
  expect(atlas.count('createConnection')).toBe(0);
});

it('needs two approvals only for the actions configured so: a create with `{delete: 2}` runs on one', async () => {
  stack = await startStack({ configPatch: (raw) => void Object.assign((raw.targets as RawTarget[])[0]!, { approvalsRequired: { delete: 2 } }) });
  const { slack, atlas } = stack.world;
  const card = await createHttpsRequest(stack, { name: 'one-is-enough', url: 'https://x.example/hook' });
  expect(cardNow(card)).not.toContain('approvals');
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
  expect(atlas.count('createConnection')).toBe(1);
});

const pg = usePostgres();

describe.each(['sqlite', 'postgres'] as const)('two owners approving at the same moment, on %s', (store) => {
  beforeEach(async ({ skip }) => {
    if (store === 'sqlite') return void (stack = await startStack({ configPatch: quorumOfTwo() }));
    stack = await startStack({ databaseUrl: await pg.database(`quorum_${Date.now()}`, skip), configPatch: quorumOfTwo() });
  });

  it('meets the quorum once and calls Atlas once', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, { name: 'same-moment', url: 'https://x.example/hook' });
    await Promise.all([stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner }), stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner2 })]);
    await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
    await stack.app.requests.idle();
    expect(atlas.count('createConnection')).toBe(1);
    const events = await stack.store.db.selectFrom('request_events').select(['from_state', 'to_state']).where('to_state', '=', 'approved').execute();
    expect(events).toHaveLength(1);
    expect(slack.ephemerals).toEqual([]);
  });
});
