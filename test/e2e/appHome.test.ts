// spconn's Home tab over HTTP (SPEC §12): app_home_opened arrives signed as Slack sends it, the page
// is published with views.publish, its buttons take the card's path, and every change to a request
// republishes the Homes of the people it concerns. Gates in the emulators force each interleaving.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appHomeOpenedEnvelope } from '../../src/sandbox/slack/driver.js';
import { approvedSetup, waitForPrompt } from '../support/privateLink.js';
import { createHttpsRequest, startStack, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});

function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const homeText = (user: string) => JSON.stringify(stack.world.slack.home(user) ?? null);
const publishesFor = (user: string) => stack.world.slack.calls.filter((c) => c.method === 'views.publish' && c.args.user_id === user);

/** Opens the Home tab as `user` and waits until the page published after it says `expected`. */
async function openHome(user: string, expected: RegExp) {
  const { slack } = stack.world;
  const before = publishesFor(user).length;
  const res = await stack.driver.appHomeOpened(user);
  expect(res.status).toBe(200);
  await slack.waitFor(() => publishesFor(user).length > before && expected.test(homeText(user)));
  const home = slack.homes.get(user)!;
  return { id: home.id, blocks: home.view.blocks as unknown[] };
}

async function requestId(name: string): Promise<string> {
  return (await stack.store.db.selectFrom('requests').select('id').where('connection_name', '=', name).executeTakeFirstOrThrow()).id;
}

type Button = { action_id: string; value?: string; confirm?: { title: { text: string } } };
function buttons(blocks: unknown[]): Button[] {
  const found: Button[] = [];
  for (const b of blocks as Array<{ type: string; elements?: Button[]; accessory?: Button }>) {
    if (b.type === 'actions') found.push(...(b.elements ?? []));
    if (b.type === 'section' && b.accessory) found.push(b.accessory);
  }
  return found;
}

describe('the Events API endpoint', () => {
  it("answers Slack's url_verification challenge", async () => {
    const res = await stack.driver.urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
    expect(res.status).toBe(200);
    expect(res.text).toContain('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
  });

  it('refuses an unsigned, a badly signed or a malformed event, and publishes nothing', async () => {
    const body = JSON.stringify(appHomeOpenedEnvelope(WORLD.team, WORLD.owner));
    expect((await stack.driver.post(body, { contentType: 'application/json', signature: null })).status).toBe(401);
    expect((await stack.driver.post(body, { contentType: 'application/json', signature: 'v0=' + '0'.repeat(64) })).status).toBe(401);
    const envelope = appHomeOpenedEnvelope(WORLD.team, WORLD.owner);
    const malformed = [
      { ...envelope, event: { ...envelope.event, user: { id: WORLD.owner } } },
      { ...envelope, event: { type: 'app_mention', user: WORLD.owner, channel: WORLD.channel, event_ts: '1.2', text: 'hi' } },
      { ...envelope, team_id: undefined },
      { ...envelope, event: null },
    ];
    for (const m of malformed) expect((await stack.driver.post(JSON.stringify(m), { contentType: 'application/json' })).status).toBe(400);
    await stack.app.requests.idle();
    expect(stack.world.slack.count('views.publish')).toBe(0);
  });

  it('takes app_home_opened over Socket Mode too, and approves from that Home', async () => {
    await stack.stop();
    stack = await startStack({ socketMode: true });
    const card = await createHttpsRequest(stack, { name: 'over-socket', url: 'https://api.example.com/s' });
    const id = await requestId('over-socket');
    const home = await openHome(WORLD.owner, /over-socket/);
    await stack.driver.clickHomeButton(home, `request_approve~${id}`, { user: WORLD.owner });
    await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
    expect(stack.world.atlas.count('createConnection')).toBe(1);
  });

  it('publishes nothing when the Messages tab is opened', async () => {
    expect((await stack.driver.appHomeOpened(WORLD.owner, { tab: 'messages' })).status).toBe(200);
    await stack.app.requests.idle();
    expect(stack.world.slack.count('views.publish')).toBe(0);
  });
});

describe('the Home tab', () => {
  it('shows an owner what waits for them, a requester their requests, and a stranger nothing', async () => {
    const card = await createHttpsRequest(stack, { name: 'orders-api', url: 'https://api.example.com/orders' });
    const id = await requestId('orders-api');
    const permalink = `https://spconn-sandbox.slack.com/archives/${card.channel}/p${card.ts.replace('.', '')}`;

    const owner = await openHome(WORLD.owner, /orders-api/);
    expect(homeText(WORLD.owner)).toMatch(/Waiting for your approval.*Create HTTPS connection `orders-api` in \*sandbox\*.*Asked by <@U0REQUEST1>/);
    expect(homeText(WORLD.owner)).toContain(permalink);
    const decide = buttons(owner.blocks);
    expect(decide.map((b) => b.action_id)).toEqual([`request_approve~${id}`, `request_reject~${id}`]);
    // A create is approved without an "are you sure" (SPEC §12: only a delete or replace asks).
    expect(decide[0]!.confirm).toBeUndefined();
    expect(homeText(WORLD.owner)).toContain('You have not asked for anything yet');

    const requester = await openHome(WORLD.requester, /orders-api/);
    expect(homeText(WORLD.requester)).toContain('Nothing waits for your approval');
    expect(homeText(WORLD.requester)).toMatch(/Your requests.*Waiting for approval · Create HTTPS connection `orders-api`/);
    expect(homeText(WORLD.requester)).toContain(permalink);
    const cancel = buttons(requester.blocks);
    expect(cancel.map((b) => b.action_id)).toEqual([`request_cancel~${id}`]);
    expect(cancel[0]!.confirm?.title.text).toBe('Cancel this request?');

    const stranger = await openHome(WORLD.stranger, /Waiting for your approval/);
    expect(buttons(stranger.blocks)).toEqual([]);
    expect(homeText(WORLD.stranger)).not.toContain('orders-api');
    expect(homeText(WORLD.stranger)).toContain('No setup step waits for you');
    // The requester may not approve their own request (four-eyes): no Approve on their Home either.
    expect(JSON.stringify(card.blocks)).toContain('request_approve');
  });

  it('lists the last ten ended requests of a requester, newest first, with their state', async () => {
    for (let i = 0; i < 12; i++) {
      const card = await createHttpsRequest(stack, { name: `old-${i}`, url: 'https://api.example.com/x' });
      await stack.driver.clickButton(card, 'request_cancel', { user: WORLD.requester });
      await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => /cancel/i.test(t)));
    }
    await openHome(WORLD.requester, /old-11/);
    const text = homeText(WORLD.requester);
    expect(text).toMatch(/Ended recently/);
    expect(text.match(/Cancelled · Create HTTPS connection `old-\d+`/g)).toHaveLength(10);
    expect(text.indexOf('old-11')).toBeLessThan(text.indexOf('old-2`'));
    expect(text).not.toContain('`old-1`');
    expect(text).not.toContain('`old-0`');
  });

  it('shows the requester and the owners the Private Link step that waits for their Done, and takes the Done there', async () => {
    const card = await approvedSetup(stack, 'events-pl', 'dedicated');
    await waitForPrompt(stack, card, 1);
    const id = await requestId('events-pl');
    const home = await openHome(WORLD.requester, /Add Private Link Access/);
    expect(homeText(WORLD.requester)).toMatch(/Waiting for you.*Private Link setup:.*events-pl/);
    const done = buttons(home.blocks).find((b) => b.action_id === `privatelink_done~${id}`);
    expect(done?.value).toBe(`${id}:await_access`);
    await openHome(WORLD.owner2, /Add Private Link Access/);
    await openHome(WORLD.stranger, /No setup step waits for you/);

    expect((await stack.driver.clickHomeButton(home, `privatelink_done~${id}`, { user: WORLD.requester })).status).toBe(200);
    await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => /is READY over Private Link/.test(t)), 15_000);
    // The setup's end republished the requester's Home: nothing waits for them any more.
    await stack.world.slack.waitFor(() => homeText(WORLD.requester).includes('No setup step waits for you'));
    await stack.world.slack.waitFor(() => /:large_green_circle: Done · Create [^`]*`events-pl`/.test(homeText(WORLD.requester)));
  });

  it('refreshes the Homes a decision concerns, after the ack, each on its own: a held publish holds nobody else', async () => {
    const { slack } = stack.world;
    const card = await createHttpsRequest(stack, { name: 'refreshed', url: 'https://api.example.com/r' });
    await openHome(WORLD.owner, /refreshed/);
    await openHome(WORLD.owner2, /refreshed/);
    await openHome(WORLD.requester, /refreshed/);
    await openHome(WORLD.stranger, /Waiting for your approval/);
    const strangerPublishes = publishesFor(WORLD.stranger).length;

    const held = gate();
    slack.injectFault('views.publish', { until: held.opened, when: (args) => args.user_id === WORLD.owner2, times: Infinity });
    const click = await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    expect(click.status).toBe(200);
    // The requester's and the approver's Homes follow the decision while owner2's publish is held.
    await slack.waitFor(() => /:large_green_circle: Done · Create HTTPS connection `refreshed`/.test(homeText(WORLD.requester)));
    await slack.waitFor(() => homeText(WORLD.owner).includes('Nothing waits for your approval'));
    await slack.waitFor(() => slack.holding.includes('views.publish'));
    expect(homeText(WORLD.owner2)).toContain(`request_approve~`);
    held.open();
    slack.clearFaults();
    await slack.waitFor(() => homeText(WORLD.owner2).includes('Nothing waits for your approval'));
    await stack.app.requests.idle();
    // Not concerned: the stranger's Home was not published again.
    expect(publishesFor(WORLD.stranger)).toHaveLength(strangerPublishes);
  });

  it('refreshes the owners’ Homes when a request is submitted and when it is cancelled', async () => {
    const { slack } = stack.world;
    const card = await createHttpsRequest(stack, { name: 'comes-and-goes', url: 'https://api.example.com/c' });
    await slack.waitFor(() => homeText(WORLD.owner).includes('comes-and-goes') && homeText(WORLD.owner2).includes('comes-and-goes'));
    await stack.driver.clickButton(card, 'request_cancel', { user: WORLD.requester });
    await slack.waitFor(() => homeText(WORLD.owner).includes('Nothing waits for your approval') && homeText(WORLD.owner2).includes('Nothing waits for your approval'));
    await slack.waitFor(() => /Cancelled · Create HTTPS connection `comes-and-goes`/.test(homeText(WORLD.requester)));
  });

  it('refreshes the Homes when a request expires, and never shows what the form kept secret', async () => {
    const { slack } = stack.world;
    const canary = 'CANARY-home-5e1d07';
    await createHttpsRequest(stack, { name: 'runs-out', url: 'https://api.example.com/e', headers: `X-Api-Key: ${canary}` });
    await slack.waitFor(() => homeText(WORLD.owner).includes('runs-out') && homeText(WORLD.requester).includes('runs-out'));
    await stack.store.db.updateTable('requests').set({ expires_at: '2000-01-01T00:00:00.000Z' }).execute();
    // Past its deadline it is no longer offered for approval, even before the sweep reaches it.
    await openHome(WORLD.owner2, /Nothing waits for your approval/);
    expect(await stack.app.requests.decisions.expireDue()).toBe(1);
    await slack.waitFor(() => homeText(WORLD.owner).includes('Nothing waits for your approval'));
    await slack.waitFor(() => /:zzz: Expired · Create HTTPS connection `runs-out`/.test(homeText(WORLD.requester)));
    await stack.app.requests.idle();
    expect(slack.calls.filter((c) => c.method === 'views.publish').map((c) => c.raw).join('\n')).not.toContain(canary);
  });

  it('rejects from Home through the card’s path: the same modal, the same outcome', async () => {
    const { slack } = stack.world;
    const card = await createHttpsRequest(stack, { name: 'rejected-at-home', url: 'https://api.example.com/r' });
    const id = await requestId('rejected-at-home');
    const home = await openHome(WORLD.owner, /rejected-at-home/);
    const triggerId = slack.issueTriggerId();
    await stack.driver.clickHomeButton(home, `request_reject~${id}`, { user: WORLD.owner, triggerId });
    await slack.waitFor(() => slack.calls.some((c) => c.method === 'views.open' && c.args.trigger_id === triggerId && c.ok));
    const modal = [...slack.views.values()].find((v) => v.triggerId === triggerId)!;
    await stack.driver.submitView({ ...modal.view, id: modal.id }, { reject_reason: { reason: { type: 'plain_text_input', value: 'not today' } } }, { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => /rejected by <@U0OWNER001>/.test(t)));
    await slack.waitFor(() => /Rejected · Create HTTPS connection `rejected-at-home`/.test(homeText(WORLD.requester)));
  });
});

describe('approving from Home and from the card at the same moment', () => {
  it.each(['home', 'card'] as const)('executes once when the %s click comes first; the other is told where it was made', async (first) => {
    await stack.stop();
    // Owners through the group only: each click's owner check waits on Slack, where a gate holds it.
    stack = await startStack({
      configPatch: (raw) => {
        const target = (raw.targets as Array<Record<string, unknown>>)[0]!;
        target.owners = [];
        target.ownerGroup = 'S0OWNERS01';
      },
    });
    const { slack, atlas } = stack.world;
    slack.setUsergroup('S0OWNERS01', [WORLD.owner, WORLD.owner2]);
    const card = await createHttpsRequest(stack, { name: 'both-at-once', url: 'https://api.example.com/b' });
    const id = await requestId('both-at-once');
    const home = await openHome(WORLD.owner, /both-at-once/);
    // A fresh process knows no group members yet: its first owner check asks Slack.
    await stack.restart();
    const members = gate();
    slack.injectFault('usergroups.users.list', { until: members.opened });
    const fromHome = () => stack.driver.clickHomeButton(home, `request_approve~${id}`, { user: WORLD.owner });
    const fromCard = () => stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner2 });
    // The first click's owner check is held; the second is acknowledged while it still is, and
    // waits on the same answer. Released, the first click's approval is stored first.
    expect((await (first === 'home' ? fromHome() : fromCard())).status).toBe(200);
    await slack.waitFor(() => slack.holding.includes('usergroups.users.list'));
    expect((await (first === 'home' ? fromCard() : fromHome())).status).toBe(200);
    members.open();
    await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
    await stack.app.requests.idle();
    expect(atlas.count('createConnection')).toBe(1);
    expect(threadTexts(stack, card).filter((t) => /approved/i.test(t))).toHaveLength(1);
    const winner = first === 'home' ? WORLD.owner : WORLD.owner2;
    expect(threadTexts(stack, card).join('\n')).toMatch(new RegExp(`approved by <@${winner}>`, 'i'));
    if (first === 'card') {
      // The Home click lost: the owner's Home says so, since a Home has no channel to answer in.
      await slack.waitFor(() => /:warning: This request is already (approved|running|succeeded) by <@U0OWNER002>/.test(homeText(WORLD.owner)));
      expect(slack.ephemerals).toEqual([]);
    } else {
      await slack.waitFor(() => slack.ephemerals.some((e) => e.user === WORLD.owner2));
      expect(slack.ephemerals.find((e) => e.user === WORLD.owner2)!.text).toMatch(/already (approved|running|succeeded) by <@U0OWNER001>/);
    }
  });
});

describe('a quorum on Home', () => {
  it('shows "1 of 2 approvals" to the owner still to approve, and nothing more to the one who did', async () => {
    await stack.stop();
    stack = await startStack({ configPatch: (raw) => void ((raw.targets as Array<Record<string, unknown>>)[0]!.approvalsRequired = 2) });
    const { slack, atlas } = stack.world;
    const card = await createHttpsRequest(stack, { name: 'two-keys', url: 'https://api.example.com/q' });
    const id = await requestId('two-keys');
    await openHome(WORLD.owner2, /two-keys/);
    expect(homeText(WORLD.owner2)).toContain('0 of 2 approvals');
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    // The partial approval refreshed the card, and with it both owners' Homes.
    await slack.waitFor(() => /1 of 2 approvals \(<@U0OWNER001>\)/.test(homeText(WORLD.owner2)));
    await slack.waitFor(() => homeText(WORLD.owner).includes('Nothing waits for your approval'));
    const home = await openHome(WORLD.owner2, /1 of 2 approvals/);
    await stack.driver.clickHomeButton(home, `request_approve~${id}`, { user: WORLD.owner2 });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
    expect(atlas.count('createConnection')).toBe(1);
    await slack.waitFor(() => homeText(WORLD.owner2).includes('Nothing waits for your approval'));
  });
});

describe('confirmations', () => {
  it('asks before approving a delete and before cancelling, on the card and on Home', async () => {
    const { slack } = stack.world;
    stack.world.atlas.connections(WORLD.projectId, WORLD.instance).push({ name: 'old-api', type: 'Https', url: 'https://old.example.com', state: 'READY' });
    const res = await stack.driver.command('delete old-api', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    expect(res.status).toBe(200);
    await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.startsWith('Delete HTTPS connection old-api')));
    const card = slack.messages.find((m) => !m.threadTs && m.text.startsWith('Delete HTTPS connection old-api'))!;
    const onCard = buttons(card.blocks);
    expect(onCard.find((b) => b.action_id === 'request_approve')?.confirm?.title.text).toBe('Delete this connection?');
    expect(onCard.find((b) => b.action_id === 'request_cancel')?.confirm?.title.text).toBe('Cancel this request?');
    expect(onCard.find((b) => b.action_id === 'request_reject')?.confirm).toBeUndefined();
    const id = await requestId('old-api');
    const home = await openHome(WORLD.owner, /old-api/);
    expect(buttons(home.blocks).find((b) => b.action_id === `request_approve~${id}`)?.confirm?.title.text).toBe('Delete this connection?');
    expect(buttons(home.blocks).find((b) => b.action_id === `request_reject~${id}`)?.confirm).toBeUndefined();
  });
});
