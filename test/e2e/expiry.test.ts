// Pending requests expire: the audit trail stays, the secrets go, and Approve no longer works.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHttpsRequest, startStack, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack({
    configPatch: (raw) => {
      raw.approvals = { expireAfter: '1s' };
    },
    expirySweepMs: 100,
  });
});
afterEach(async () => {
  await stack?.stop();
});

it('expires a pending request, drops its secrets, keeps its audit trail, and refuses a late Approve', async () => {
  const { slack, atlas } = stack.world;
  const card = await createHttpsRequest(stack, { name: 'late', url: 'https://x.example/hook', headers: 'X-Key: CANARY-expiry-1234' });
  await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('expired')), 10_000);

  const db = new Database(join(stack.dataDir, 'spconn.sqlite'), { readonly: true });
  const row = db.prepare('select state, sealed_call from requests').get() as { state: string; sealed_call: string | null };
  const events = db.prepare('select from_state, to_state, actor from request_events order by id').all();
  db.close();
  expect(row).toEqual({ state: 'expired', sealed_call: null });
  expect(events).toEqual([
    { from_state: null, to_state: 'pending', actor: WORLD.requester },
    { from_state: 'pending', to_state: 'expired', actor: 'spconn' },
  ]);

  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await slack.waitFor(() => slack.ephemerals.length === 1);
  expect(slack.ephemerals[0]!.text).toMatch(/already expired/);
  expect(atlas.count('createConnection')).toBe(0);
  expect(JSON.stringify(slack.messages.find((m) => m.ts === card.ts)!.blocks)).toContain('Expired');
});
