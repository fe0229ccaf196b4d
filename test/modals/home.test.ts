// The Home tab's builder (pure) and the confirmations: within Slack's Home limits whatever the page
// holds, honest about what it leaves out, escaping what people typed, and asking "are you sure"
// exactly where SPEC §12 says.
import { describe, expect, it } from 'vitest';
import { approveConfirmation, ACTIONS_CONFIRMED_ON_APPROVE } from '../../src/modals/confirmations.js';
import { cardOrHomeAction, HOME_MAX_BLOCKS, homeActionId, homeView, type HomePage, type HomeRequest } from '../../src/modals/home.js';
import { requestCardBlocks } from '../../src/modals/requestCard.js';
import { validateHomeView } from '../../src/sandbox/slack/blockKit.js';
import type { RequestState } from '../../src/store/schema.js';
import { requestRow } from '../support/requestRow.js';

const summary = { typeLabel: 'HTTPS', projectId: 'p1', instance: 'inst', fields: [] };

function entry(i: number, patch: { state?: RequestState; action?: string; name?: string } = {}): HomeRequest {
  const row = requestRow(`r${i}`, {
    state: patch.state ?? 'pending',
    action: patch.action ?? 'create',
    connection_name: patch.name ?? `conn-${i}`,
    digest: `digest${i}abcdefghijkl`,
    message_ts: '1700000000.000100',
  });
  return { row, summary, permalink: `https://team.slack.com/archives/C1/p1700000000000100` };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const text = (page: HomePage) => JSON.stringify(homeView(page).blocks);
type Button = { action_id: string; confirm?: unknown };
function buttons(page: HomePage): Button[] {
  return (homeView(page).blocks as Array<{ type: string; elements?: Button[]; accessory?: Button }>).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : b.accessory ? [b.accessory] : []));
}

const empty: HomePage = { userId: 'U1', awaiting: { items: [], total: 0 }, own: { open: [], openTotal: 0, ended: [] }, steps: { items: [], total: 0 } };

describe('homeView', () => {
  it('says plainly when a section is empty', () => {
    const view = homeView(empty);
    expect(validateHomeView(view)).toEqual([]);
    expect(text(empty)).toContain('Nothing waits for your approval.');
    expect(text(empty)).toContain('You have not asked for anything yet');
    expect(text(empty)).toContain('No setup step waits for you.');
  });

  it('stays within 100 blocks however full the page is, and says how many it left out', () => {
    const full: HomePage = {
      userId: 'U1',
      notice: 'This request is already approved by <@U2>; nothing was changed.',
      awaiting: { items: range(60).map((i) => entry(i)), total: 75 },
      own: { open: range(40).map((i) => entry(100 + i)), openTotal: 40, ended: range(10).map((i) => entry(200 + i, { state: 'succeeded' })) },
      steps: { items: range(30).map((i) => ({ ...entry(300 + i, { state: 'running' }), step: 'await_access', instruction: 'Press *Done*.' })), total: 30 },
    };
    const view = homeView(full);
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
    expect(validateHomeView(view)).toEqual([]);
    expect(text(full)).toContain('…and 55 more waiting for your approval');
    expect(text(full)).toContain('…and 25 more open requests of yours');
    expect(text(full)).toContain('…and 20 more setup steps waiting for you');
  });

  it('escapes what people and Atlas put in names wherever they enter mrkdwn', () => {
    const page: HomePage = { ...empty, own: { open: [entry(1, { name: 'x<!channel>&<https://evil.example|y>' })], openTotal: 1, ended: [] } };
    const mrkdwn = JSON.stringify(homeView(page).blocks, (key, value: unknown) => (key === 'confirm' ? undefined : value));
    expect(mrkdwn).not.toContain('<!channel>');
    expect(mrkdwn).toContain('x&lt;!channel&gt;&amp;&lt;https://evil.example|y&gt;');
  });

  it("gives each request's buttons the card's action with the request id, which the card's listener matches", () => {
    const page: HomePage = { ...empty, awaiting: { items: [entry(1), entry(2)], total: 2 } };
    const ids = buttons(page).map((b) => b.action_id);
    expect(ids).toEqual(['request_approve~r1', 'request_reject~r1', 'request_approve~r2', 'request_reject~r2']);
    expect(cardOrHomeAction('request_approve').test('request_approve')).toBe(true);
    expect(cardOrHomeAction('request_approve').test(homeActionId('request_approve', 'r1'))).toBe(true);
    expect(cardOrHomeAction('request_approve').test('request_approve_all')).toBe(false);
    expect(cardOrHomeAction('request_approve').test('request_reject~r1')).toBe(false);
  });
});

describe('confirmations', () => {
  const card = (action: string, state: RequestState = 'pending') =>
    (requestCardBlocks({ row: requestRow('r1', { action, state, digest: 'abcdefabcdefabcdef' }), summary }) as Array<{ type: string; elements?: Button[] }>).flatMap((b) =>
      b.type === 'actions' ? (b.elements ?? []) : [],
    );

  it('asks before approving a delete or a replace, and not before a create', () => {
    expect(ACTIONS_CONFIRMED_ON_APPROVE).toEqual(['delete', 'replace']);
    expect(card('delete').find((b) => b.action_id === 'request_approve')?.confirm).toMatchObject({ title: { text: 'Delete this connection?' } });
    expect(card('replace').find((b) => b.action_id === 'request_approve')?.confirm).toMatchObject({ title: { text: 'Replace this connection?' } });
    expect(card('create').find((b) => b.action_id === 'request_approve')).not.toHaveProperty('confirm');
    expect(approveConfirmation('toString', 'x', 'y')).toBeUndefined();
  });

  it('asks before a Cancel, and never before a Reject (its modal asks for a reason anyway)', () => {
    for (const action of ['create', 'delete']) {
      expect(card(action).find((b) => b.action_id === 'request_cancel')?.confirm).toMatchObject({ title: { text: 'Cancel this request?' } });
      expect(card(action).find((b) => b.action_id === 'request_reject')).not.toHaveProperty('confirm');
    }
  });

  it('puts the same dialogs on Home', () => {
    const page: HomePage = {
      ...empty,
      awaiting: { items: [entry(1, { action: 'delete' }), entry(2)], total: 2 },
      own: { open: [entry(3)], openTotal: 1, ended: [] },
    };
    const byId = Object.fromEntries(buttons(page).map((b) => [b.action_id, b]));
    expect(byId['request_approve~r1']?.confirm).toMatchObject({ title: { text: 'Delete this connection?' } });
    expect(byId['request_approve~r2']).not.toHaveProperty('confirm');
    expect(byId['request_reject~r1']).not.toHaveProperty('confirm');
    expect(byId['request_cancel~r3']?.confirm).toMatchObject({ title: { text: 'Cancel this request?' } });
  });

  it('keeps every dialog within Slack’s limits', () => {
    const long = 'n'.repeat(400);
    const view = homeView({ ...empty, awaiting: { items: [entry(1, { action: 'delete', name: long })], total: 1 }, own: { open: [entry(2, { name: long })], openTotal: 1, ended: [] } });
    expect(validateHomeView(view)).toEqual([]);
  });
});
