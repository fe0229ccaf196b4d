// One approved request is sent to Atlas once, by construction: the approval and the lease are one
// store change, and a replica never starts a second runner of a request it is running. Gates in the
// emulators hold Slack's and Atlas's answers, so every interleaving here is forced, not hoped for.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../support/postgres.js';
import { rejectModal } from '../../src/modals/rejectModal.js';
import { createHttpsRequest, startStack, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  // Scans only when a test asks for one, so each runs exactly where the test puts it.
  stack = await startStack({ configPatch: (raw) => void (raw.replicas = { leaseTime: '1m', scanEvery: '1h' }) });
});
afterEach(async () => {
  await stack?.stop();
});

function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const sql = <T>(query: string, ...params: unknown[]): T => {
  const db = new Database(join(stack.dataDir, 'spconn.sqlite'));
  try {
    return (query.trimStart().startsWith('select') ? db.prepare(query).get(...params) : db.prepare(query).run(...params)) as T;
  } finally {
    db.close();
  }
};

const pg = usePostgres();

describe.each(['sqlite', 'postgres'] as const)('on %s', (store) => {
  beforeEach(async ({ skip }) => {
    if (store === 'sqlite') return;
    const databaseUrl = await pg.database(`once_${Date.now()}`, skip);
    await stack.stop();
    stack = await startStack({ databaseUrl, configPatch: (raw) => void (raw.replicas = { leaseTime: '1m', scanEvery: '1h' }) });
  });

  it('holds the lease from the moment an approval is stored: a scan meanwhile sends Atlas nothing', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, { name: 'leased-at-approval', url: 'https://x.example/hook' });
    // The owners' mention is posted after the card: the gate is for the approval's reply only.
    await slack.waitFor(() => threadTexts(stack, card).some((t) => /needs an owner/.test(t)));
    const reply = gate();
    slack.injectFault('chat.postMessage', { until: reply.opened });
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    // The "Approved by" reply is held: the request is approved and not yet running.
    await slack.waitFor(() => slack.holding.includes('chat.postMessage'));
    expect(await stack.store.db.selectFrom('requests').select(['state', 'lease_owner']).executeTakeFirst()).toEqual({ state: 'approved', lease_owner: stack.app.requests.replicaId });
    const before = atlas.calls.length;
    await stack.app.requests.takeOverAbandoned();
    expect(atlas.calls.length).toBe(before);
    reply.open();
    await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
    await stack.app.requests.idle();
    expect(atlas.count('createConnection')).toBe(1);
    expect(atlas.count('getConnection')).toBe(1); // the form's name check, and nothing after the approval
  });

  it('never starts a second runner of a request this replica runs, even when its lease looks run out', async () => {
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, { name: 'one-runner', url: 'https://x.example/hook' });
    const create = gate();
    atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 200, until: create.opened });
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await atlas.waitFor(() => atlas.calls.some((c) => c.method === 'POST' && c.authenticated && c.status === 0));
    // As if the heartbeat had stalled past the lease (an event-loop pause on a busy host).
    await stack.store.db.updateTable('requests').set({ lease_until: '2000-01-01T00:00:00.000Z' }).where('state', '=', 'running').execute();
    await stack.app.requests.takeOverAbandoned();
    create.open();
    await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in|Atlas could not/.test(t)));
    await stack.app.requests.idle();
    expect(atlas.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/connections') && c.authenticated)).toHaveLength(1);
    expect(threadTexts(stack, card).join('\n')).not.toMatch(/ALREADY_EXISTS|Atlas could not/);
  });
});

it('refuses Reject and Cancel on an expired request the sweep has not reached, and expires it', async () => {
  const { slack } = stack.world;
  const card = await createHttpsRequest(stack, { name: 'expired-unswept', url: 'https://x.example/hook' });
  sql('update requests set expires_at = ?', '2000-01-01T00:00:00.000Z');
  await stack.driver.clickButton(card, 'request_reject', { user: WORLD.owner });
  await slack.waitFor(() => slack.ephemerals.some((e) => e.user === WORLD.owner));
  expect(slack.ephemerals.find((e) => e.user === WORLD.owner)!.text).toMatch(/expired/);
  expect(slack.count('views.open')).toBe(1); // the create form only: no reject modal
  await stack.driver.clickButton(card, 'request_cancel', { user: WORLD.requester });
  await slack.waitFor(() => slack.ephemerals.some((e) => e.user === WORLD.requester));
  expect(slack.ephemerals.find((e) => e.user === WORLD.requester)!.text).toMatch(/expired/);
  await slack.waitFor(() => threadTexts(stack, card).some((t) => /expired before an owner decided/.test(t)));
  expect(sql<{ state: string }>('select state from requests').state).toBe('expired');
});

it('tells an owner privately when their Reject lost the race after the modal closed', async () => {
  await stack.stop();
  // Both owners are owners through the group only, so each submission's check waits on Slack.
  stack = await startStack({
    configPatch: (raw) => {
      raw.replicas = { leaseTime: '1m', scanEvery: '1h' };
      const target = (raw.targets as Array<Record<string, unknown>>)[0]!;
      target.owners = [];
      target.ownerGroup = 'S0OWNERS01';
    },
  });
  const { slack } = stack.world;
  slack.setUsergroup('S0OWNERS01', [WORLD.owner, WORLD.owner2]);
  const card = await createHttpsRequest(stack, { name: 'reject-race', url: 'https://x.example/hook' });
  const { id: requestId } = sql<{ id: string }>('select id from requests');
  const members = gate();
  slack.injectFault('usergroups.users.list', { until: members.opened });
  // Both reject modals are submitted while the group's members are on their way: both checks pass.
  const submitted = [WORLD.owner, WORLD.owner2].map((owner, i) =>
    stack.driver.submitView({ ...rejectModal(requestId, 'reject-race'), id: `V0REJECT0${i}` }, { reject_reason: { reason: { type: 'plain_text_input', value: `no, says ${owner}` } } }, { user: owner }),
  );
  await slack.waitFor(() => slack.holding.includes('usergroups.users.list'));
  members.open();
  const answers = await Promise.all(submitted);
  expect(answers.map((a) => a.status)).toEqual([200, 200]);
  await slack.waitFor(() => threadTexts(stack, card).some((t) => /rejected by/.test(t)));
  await stack.app.requests.idle();
  const winner = /rejected by <@(\w+)>/.exec(threadTexts(stack, card).find((t) => /rejected by/.test(t))!)![1];
  const loser = winner === WORLD.owner ? WORLD.owner2 : WORLD.owner;
  await slack.waitFor(() => slack.ephemerals.some((e) => e.user === loser));
  expect(slack.ephemerals.find((e) => e.user === loser)!.text).toMatch(new RegExp(`not recorded.*already rejected by <@${winner}>`));
  expect(threadTexts(stack, card).filter((t) => /rejected by/.test(t))).toHaveLength(1);
});

it('takes a create whose 200 it cannot read as ambiguous: it looks, finds the connection, and reports success', async () => {
  const { slack, atlas } = stack.world;
  const card = await createHttpsRequest(stack, { name: 'unreadable-answer', url: 'https://x.example/hook' });
  // Atlas creates it, then a proxy mangles the answer.
  atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 200, body: '<html>bad gateway</html>', afterHandling: true });
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in|Atlas could not/.test(t)));
  expect(threadTexts(stack, card).join('\n')).toMatch(/Connection `unreadable-answer` is created in/);
  expect(atlas.count('createConnection')).toBe(1);
  expect((await stack.store.get((await stack.store.db.selectFrom('requests').select('id').executeTakeFirstOrThrow()).id))?.state).toBe('succeeded');
});
