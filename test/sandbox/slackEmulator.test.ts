// The Slack emulator answers the real @slack/web-api client as Slack would, and its Block Kit rules
// (unit tested below without a server) match the limits in shared/slack/README.md.
import { WebClient, type KnownBlock, type View } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { INVALID_TRIGGER_MESSAGE, SlackEmulator } from '../../src/sandbox/slackEmulator.js';
import { blocksTextLength, validateBlocks, validateMessage, validateView } from '../../src/sandbox/slack/blockKit.js';

const TOKEN = 'xoxb-FAKE'; // obviously not a credential
let emu: SlackEmulator;
let client: WebClient;
const extra: SlackEmulator[] = [];

/** A second emulator for options the shared one must not have; stopped after the test. */
async function startExtra(options: Partial<Parameters<typeof SlackEmulator.start>[0]>): Promise<{ emu: SlackEmulator; client: WebClient }> {
  const e = await SlackEmulator.start({ botToken: TOKEN, ...options });
  extra.push(e);
  return { emu: e, client: new WebClient(TOKEN, { slackApiUrl: e.url, retryConfig: { retries: 0 } }) };
}

beforeAll(async () => {
  emu = await SlackEmulator.start({ botToken: TOKEN, botUserId: 'U0BOT', teamId: 'T0TEAM' });
  client = new WebClient(TOKEN, { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
});
afterEach(async () => {
  await Promise.all(extra.splice(0).map((e) => e.stop()));
  emu.clearFaults();
});
afterAll(async () => {
  await emu.stop();
});

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (title = 'Hello', blocks: KnownBlock[] = [section('hi')]): View => ({ type: 'modal', title: plain(title), blocks });

const slackError = z.object({
  code: z.string(),
  data: z.object({ error: z.string(), response_metadata: z.object({ messages: z.array(z.string()).optional() }).optional() }).optional(),
  retryAfter: z.number().optional(),
  statusCode: z.number().optional(),
});

/** The error a call failed with, narrowed; fails the test when the call succeeded. */
async function failure(call: Promise<unknown>): Promise<z.infer<typeof slackError>> {
  const outcome = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (outcome === undefined) throw new Error('expected the Slack call to fail, but it succeeded');
  return slackError.parse(outcome);
}

const errorOf = async (call: Promise<unknown>) => (await failure(call)).data?.error;

describe('authentication and the envelope', () => {
  it('answers auth.test with the bot and team when the token is a bearer header', async () => {
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true, user_id: 'U0BOT', team_id: 'T0TEAM' });
  });

  it('accepts the token in a form body, as auth.test may send it', async () => {
    const res = await fetch(`${emu.url}auth.test`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${TOKEN}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, user_id: 'U0BOT' });
  });

  it('refuses a wrong token with invalid_auth and no token with not_authed', async () => {
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
    expect(await errorOf(wrong.auth.test())).toBe('invalid_auth');
    const none = new WebClient(undefined, { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
    expect(await errorOf(none.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('not_authed');
  });

  it('accepts JSON bodies with blocks as values', async () => {
    const res = await fetch(`${emu.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: 'CJSON', text: 'from json', blocks: [section('json block')] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'CJSON' });
    expect(emu.messages.at(-1)).toMatchObject({ channel: 'CJSON', text: 'from json', blocks: [section('json block')] });
  });

  it('answers an unknown method with unknown_method', async () => {
    expect(await errorOf(client.apiCall('conversations.teleport', { channel: 'C1' }))).toBe('unknown_method');
  });

  it('records each call with decoded arguments and the raw body @slack/web-api sent', async () => {
    const withTeam = new WebClient(TOKEN, { slackApiUrl: emu.url, retryConfig: { retries: 0 }, teamId: 'T0TEAM' });
    await withTeam.views.open({ trigger_id: emu.issueTriggerId(), view: modal('Recorded') });
    const call = emu.calls.at(-1);
    expect(call).toMatchObject({ method: 'views.open', ok: true, status: 200, args: { team_id: 'T0TEAM', view: { type: 'modal', title: plain('Recorded') } } });
    // The form body carries the view as a JSON string: that is what a leak check must search.
    expect(call?.raw).toContain(`view=${encodeURIComponent('{"type":"modal"')}`);
    expect(emu.count('views.open')).toBeGreaterThanOrEqual(1);
  });
});

describe('views', () => {
  it('opens a view with a fresh trigger_id and keeps it by id', async () => {
    const trigger = emu.issueTriggerId();
    const res = await client.views.open({ trigger_id: trigger, view: { ...modal('Create'), callback_id: 'create', private_metadata: '{"a":1}' } });
    const id = res.view?.id ?? '';
    expect(res.view).toMatchObject({ type: 'modal', callback_id: 'create', private_metadata: '{"a":1}', team_id: 'T0TEAM', root_view_id: id });
    expect(emu.views.get(id)).toMatchObject({ id, triggerId: trigger, hash: res.view?.hash, updates: 0 });
  });

  it('refuses a reused trigger_id with exchanged_trigger_id and an unknown one with invalid_arguments', async () => {
    const trigger = emu.issueTriggerId();
    await client.views.open({ trigger_id: trigger, view: modal() });
    expect(await errorOf(client.views.open({ trigger_id: trigger, view: modal() }))).toBe('exchanged_trigger_id');
    const unknown = await failure(client.views.open({ trigger_id: '1234.5678.abcdef', view: modal() }));
    expect(unknown.data).toMatchObject({ error: 'invalid_arguments', response_metadata: { messages: [INVALID_TRIGGER_MESSAGE] } });
    expect(INVALID_TRIGGER_MESSAGE).toBe('[ERROR] invalid `trigger_id` [json-pointer:/trigger_id]');
  });

  it('refuses an expired trigger_id with expired_trigger_id', async () => {
    const tiny = await startExtra({ triggerTtlMs: 0 });
    expect(await errorOf(tiny.client.views.open({ trigger_id: tiny.emu.issueTriggerId(), view: modal() }))).toBe('expired_trigger_id');
  });

  it('honours a trigger_id for 3 s by default, measured on the emulator clock', async () => {
    let now = 1_700_000_000_000;
    const timed = await startExtra({ now: () => now });
    const early = timed.emu.issueTriggerId();
    const late = timed.emu.issueTriggerId();
    now += 2999;
    await expect(timed.client.views.open({ trigger_id: early, view: modal() })).resolves.toMatchObject({ ok: true });
    now += 1;
    expect(await errorOf(timed.client.views.open({ trigger_id: late, view: modal() }))).toBe('expired_trigger_id');
  });

  it('refuses a modal title of 25 characters and accepts 24', async () => {
    const tooLong = await failure(client.views.open({ trigger_id: emu.issueTriggerId(), view: modal('x'.repeat(25)) }));
    expect(tooLong.data).toMatchObject({ error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] } });
    await expect(client.views.open({ trigger_id: emu.issueTriggerId(), view: modal('x'.repeat(24)) })).resolves.toMatchObject({ ok: true });
  });

  it('refuses a modal with 101 blocks and accepts 100', async () => {
    const dividers = (n: number): KnownBlock[] => Array.from({ length: n }, () => ({ type: 'divider' }));
    const tooMany = await failure(client.views.open({ trigger_id: emu.issueTriggerId(), view: modal('Many', dividers(101)) }));
    expect(tooMany.data?.error).toBe('invalid_arguments');
    expect(tooMany.data?.response_metadata?.messages).toEqual(['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]']);
    await expect(client.views.open({ trigger_id: emu.issueTriggerId(), view: modal('Many', dividers(100)) })).resolves.toMatchObject({ ok: true });
  });

  it('updates a view by id with its hash, changes the hash, and refuses a stale hash', async () => {
    const opened = await client.views.open({ trigger_id: emu.issueTriggerId(), view: modal('Step 1') });
    const id = opened.view?.id ?? '';
    const first = opened.view?.hash ?? '';
    const updated = await client.views.update({ view_id: id, hash: first, view: modal('Step 2') });
    expect(updated.view?.hash).not.toBe(first);
    expect(emu.views.get(id)).toMatchObject({ hash: updated.view?.hash, updates: 1, view: { title: plain('Step 2') } });
    expect(await errorOf(client.views.update({ view_id: id, hash: first, view: modal('Step 3') }))).toBe('hash_conflict');
    expect(await errorOf(client.views.update({ view_id: 'VNOPE', view: modal() }))).toBe('not_found');
  });

  it('updates a view by external_id', async () => {
    await client.views.open({ trigger_id: emu.issueTriggerId(), view: { ...modal('Ext'), external_id: 'ext-1' } });
    const res = await client.views.update({ external_id: 'ext-1', view: { ...modal('Ext v2'), external_id: 'ext-1' } });
    expect(res.view).toMatchObject({ external_id: 'ext-1', title: plain('Ext v2') });
  });

  it('pushes a view onto the modal that issued the trigger_id', async () => {
    const root = await client.views.open({ trigger_id: emu.issueTriggerId(), view: modal('Root') });
    const pushed = await client.views.push({ trigger_id: emu.issueTriggerId({ fromViewId: root.view?.id }), view: modal('Pushed') });
    expect(pushed.view).toMatchObject({ previous_view_id: root.view?.id, root_view_id: root.view?.id, title: plain('Pushed') });
  });
});

describe('messages', () => {
  it('posts messages with unique, increasing Slack timestamps', async () => {
    const a = await client.chat.postMessage({ channel: 'CMSG', text: 'one' });
    const b = await client.chat.postMessage({ channel: 'CMSG', text: 'two' });
    expect(a).toMatchObject({ ok: true, channel: 'CMSG', message: { text: 'one', user: 'U0BOT' } });
    expect(a.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
  });

  it('keeps thread replies in order and the parent current after chat.update', async () => {
    const parent = await client.chat.postMessage({ channel: 'C2', text: 'card', blocks: [section('card')] });
    const ts = parent.ts ?? '';
    await client.chat.postMessage({ channel: 'C2', text: 'reply 1', thread_ts: ts });
    await client.chat.postMessage({ channel: 'C2', text: 'reply 2', thread_ts: ts, reply_broadcast: true });
    await client.chat.update({ channel: 'C2', ts, text: 'card v2', blocks: [section('card v2')] });
    expect(emu.thread('C2', ts).map((m) => [m.text, m.replyBroadcast])).toEqual([
      ['reply 1', false],
      ['reply 2', true],
    ]);
    expect(emu.messages.find((m) => m.ts === ts)).toMatchObject({ text: 'card v2', blocks: [section('card v2')], updates: 1 });
  });

  it('refuses chat.update text over 4000 characters and an unknown ts', async () => {
    const posted = await client.chat.postMessage({ channel: 'C3', text: 'x'.repeat(4001) });
    expect(await errorOf(client.chat.update({ channel: 'C3', ts: posted.ts ?? '', text: 'x'.repeat(4001) }))).toBe('msg_too_long');
    expect(await errorOf(client.chat.update({ channel: 'C3', ts: '1.000001', text: 'x' }))).toBe('message_not_found');
  });

  it('records a reply whose thread_ts names no message, as Slack accepts it', async () => {
    await client.chat.postMessage({ channel: 'C4', text: 'orphan', thread_ts: '1600000000.000100' });
    expect(emu.thread('C4', '1600000000.000100').map((m) => m.text)).toEqual(['orphan']);
  });

  it('posts to a user id in the DM channel Slack opens for it', async () => {
    const res = await client.chat.postMessage({ channel: 'U0REQUESTER', text: 'hello you' });
    expect(res.channel).toBe('D0REQUESTER');
  });

  it('answers channel_not_found for an unknown channel only when knownChannels is set', async () => {
    const strict = await startExtra({ knownChannels: ['CKNOWN'] });
    await expect(strict.client.chat.postMessage({ channel: 'CKNOWN', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(await errorOf(strict.client.chat.postMessage({ channel: 'COTHER', text: 'x' }))).toBe('channel_not_found');
    await expect(client.chat.postMessage({ channel: 'COTHER', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('gives permalinks to messages and thread replies', async () => {
    const parent = await client.chat.postMessage({ channel: 'C5', text: 'p' });
    const reply = await client.chat.postMessage({ channel: 'C5', text: 'r', thread_ts: parent.ts });
    const link = await client.chat.getPermalink({ channel: 'C5', message_ts: parent.ts ?? '' });
    expect(link.permalink).toBe(`https://spconn-sandbox.slack.com/archives/C5/p${(parent.ts ?? '').replace('.', '')}`);
    const replyLink = await client.chat.getPermalink({ channel: 'C5', message_ts: reply.ts ?? '' });
    expect(replyLink.permalink).toContain(`?thread_ts=${parent.ts}&cid=C5`);
    expect(await errorOf(client.chat.getPermalink({ channel: 'C5', message_ts: '1.000001' }))).toBe('message_not_found');
  });

  it('posts ephemeral messages and answers their message_ts', async () => {
    const res = await client.chat.postEphemeral({ channel: 'C6', user: 'U1', text: 'psst', blocks: [section('psst')] });
    expect(res.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(emu.ephemerals.at(-1)).toMatchObject({ channel: 'C6', user: 'U1', text: 'psst', blocks: [section('psst')], ts: res.message_ts });
  });

  it('refuses message blocks that break Block Kit limits with invalid_blocks and a pointer', async () => {
    const fiftyOne: KnownBlock[] = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(await errorOf(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: fiftyOne }))).toBe('invalid_blocks');
    const longButton: KnownBlock[] = [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: plain('x'.repeat(76)) }] }];
    const err = await failure(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: longButton }));
    expect(err.data?.response_metadata?.messages).toEqual(['[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]']);
    const huge: KnownBlock[] = Array.from({ length: 5 }, () => section('y'.repeat(2900)));
    expect(await errorOf(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: huge }))).toBe('msg_blocks_too_long');
    expect(await errorOf(client.apiCall('chat.postMessage', { channel: 'C1' }))).toBe('no_text');
  });
});

describe('users and groups', () => {
  it('lists the members of a user group and refuses an unknown one', async () => {
    emu.setUsergroup('S1', ['U1', 'U2']);
    await expect(client.usergroups.users.list({ usergroup: 'S1' })).resolves.toMatchObject({ ok: true, users: ['U1', 'U2'] });
    expect(await errorOf(client.usergroups.users.list({ usergroup: 'SNOPE' }))).toBe('no_such_subteam');
  });

  it('answers users.info with a minimal user', async () => {
    await expect(client.users.info({ user: 'U0ALICE' })).resolves.toMatchObject({ ok: true, user: { id: 'U0ALICE', team_id: 'T0TEAM', is_bot: false } });
    expect(await errorOf(client.users.info({ user: 'nobody' }))).toBe('user_not_found');
  });
});

describe('rate limits and faults', () => {
  it('answers 429 ratelimited with Retry-After once a method exceeds its per-minute limit', async () => {
    let now = 1_700_000_000_000;
    const limited = await startExtra({ rateLimits: { 'chat.postEphemeral': 2 }, now: () => now });
    const post = () => limited.client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'x' });
    await post();
    now += 10_000;
    await post();
    const raw = await fetch(`${limited.emu.url}chat.postEphemeral`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${TOKEN}` },
      body: 'channel=C1&user=U1&text=x',
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('50');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });
    const strict = new WebClient(TOKEN, { slackApiUrl: limited.emu.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const err = await failure(strict.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'x' }));
    expect(err).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 50 });
    expect(limited.emu.calls.at(-1)).toMatchObject({ status: 429, ok: false, error: 'ratelimited' });
    now += 50_000; // the first call leaves the one-minute window
    await expect(post()).resolves.toMatchObject({ ok: true });
  });

  it('injects an error for the given number of calls, then answers normally', async () => {
    emu.injectFault('chat.postMessage', { error: 'not_in_channel', times: 2 });
    expect(await errorOf(client.chat.postMessage({ channel: 'C7', text: 'x' }))).toBe('not_in_channel');
    expect(await errorOf(client.chat.postMessage({ channel: 'C7', text: 'x' }))).toBe('not_in_channel');
    await expect(client.chat.postMessage({ channel: 'C7', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(emu.calls.slice(-3).map((c) => c.error ?? 'ok')).toEqual(['not_in_channel', 'not_in_channel', 'ok']);
  });

  it('injects an HTTP 500 and a 429 with Retry-After', async () => {
    emu.injectFault('views.update', { status: 500 });
    expect(await failure(client.views.update({ view_id: 'V1', view: modal() }))).toMatchObject({ code: 'slack_webapi_http_error', statusCode: 500 });
    emu.injectFault('*', { status: 429, retryAfterSeconds: 7 });
    const strict = new WebClient(TOKEN, { slackApiUrl: emu.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    expect(await failure(strict.auth.test())).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });

  it('delays an answer without failing it', async () => {
    emu.injectFault('auth.test', { delayMs: 150 });
    const started = performance.now();
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('lets a slow answer outlive the client timeout, as a stuck Slack would', async () => {
    // Its own emulator: the late answer must not land in the shared one's call log.
    const slow = await startExtra({});
    slow.emu.injectFault('chat.postMessage', { delayMs: 2000 });
    const impatient = new WebClient(TOKEN, { slackApiUrl: slow.emu.url, retryConfig: { retries: 0 }, timeout: 100 });
    expect((await failure(impatient.chat.postMessage({ channel: 'C8', text: 'x' }))).code).toBe('slack_webapi_request_error');
  });
});

describe('waitFor and stop', () => {
  it('resolves once a request makes the condition true', async () => {
    const waiting = emu.waitFor(() => emu.messages.some((m) => m.text === 'awaited'));
    await client.chat.postMessage({ channel: 'C9', text: 'awaited' });
    await expect(waiting).resolves.toBeUndefined();
  });

  it('rejects after the timeout with the calls it saw', async () => {
    await client.auth.test();
    await expect(emu.waitFor(() => false, 30)).rejects.toThrow(/did not hold within 30 ms after \d+ Slack calls \(last: .*auth\.test ok\)/);
  });

  it('stops with a request still delayed, and refuses connections afterwards', async () => {
    const slow = await startExtra({});
    slow.emu.injectFault('auth.test', { delayMs: 60_000 });
    const pending = slow.client.auth.test().catch((err: unknown) => err);
    await vi.waitFor(() => expect(slow.emu.inFlight).toBe(1));
    const stopping = performance.now();
    await slow.emu.stop();
    expect(performance.now() - stopping).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
    await expect(fetch(`${slow.emu.url}auth.test`, { method: 'POST' })).rejects.toThrow();
  });
});

// ---- Block Kit rules as pure functions ----

type Block = Record<string, unknown>;
const input = (element: Block, extra: Block = {}): Block => ({ type: 'input', block_id: 'b', label: plain('Label'), element, ...extra });
const option = (text: string, value: string) => ({ text: plain(text), value });
const view = (blocks: Block[], extra: Block = {}): Block => ({ type: 'modal', title: plain('Title'), submit: plain('Save'), blocks, ...extra });
const button = (extra: Block = {}): Block => ({ type: 'button', action_id: 'go', text: plain('Go'), ...extra });
const pointers = (messages: string[]) => messages.map((m) => /\[json-pointer:([^\]]*)\]/.exec(m)?.[1]);

describe('Block Kit validation', () => {
  it('accepts a modal built like spconn builds them', () => {
    const options = [option('HTTPS', 'https'), option('Kafka', 'kafka')];
    const blocks = [
      { type: 'header', text: plain('New connection') },
      input({ type: 'static_select', action_id: 'type', placeholder: plain('Pick'), options, initial_option: options[0] }, { block_id: 'type', dispatch_action: true }),
      input({ type: 'plain_text_input', action_id: 'name', max_length: 64, multiline: false, initial_value: 'x' }, { block_id: 'name', hint: plain('a-z'), optional: false }),
      input({ type: 'radio_buttons', action_id: 'auth', options: [option('PLAIN', 'PLAIN')] }, { block_id: 'auth' }),
      { type: 'section', block_id: 's', text: { type: 'mrkdwn', text: '*hi*' }, fields: [plain('a')], accessory: button({ confirm: { title: plain('Sure?'), text: { type: 'mrkdwn', text: 'Really' }, confirm: plain('Yes'), deny: plain('No'), style: 'danger' } }) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'ctx' }, { type: 'image', image_url: 'https://x/y.png', alt_text: 'y' }] },
      { type: 'actions', elements: [button({ action_id: 'approve', style: 'primary', value: 'r1' })] },
      { type: 'divider' },
    ];
    expect(validateView(view(blocks, { callback_id: 'create', private_metadata: '{}', close: plain('Cancel') }))).toEqual([]);
  });

  const cases: Array<[string, Block, string]> = [
    ['a title over 24 characters', view([], { title: plain('x'.repeat(25)) }), '/view/title/text'],
    ['a submit over 24 characters', view([], { submit: plain('x'.repeat(25)) }), '/view/submit/text'],
    ['a close over 24 characters', view([], { close: plain('x'.repeat(25)) }), '/view/close/text'],
    ['a mrkdwn title', view([], { title: { type: 'mrkdwn', text: 'x' } }), '/view/title/type'],
    ['private_metadata over 3000 characters', view([], { private_metadata: 'x'.repeat(3001) }), '/view/private_metadata'],
    ['callback_id over 255 characters', view([], { callback_id: 'x'.repeat(256) }), '/view/callback_id'],
    ['an input block without submit', { type: 'modal', title: plain('T'), blocks: [input({ type: 'plain_text_input', action_id: 'a' })] }, '/view'],
    ['an unknown view property', view([], { submit_disabled: true }), '/view'],
    ['a block_id over 255 characters', view([{ type: 'divider', block_id: 'x'.repeat(256) }]), '/view/blocks/0/block_id'],
    ['a duplicate block_id', view([{ type: 'divider', block_id: 'd' }, { type: 'divider', block_id: 'd' }]), '/view/blocks/1/block_id'],
    ['a duplicate action_id', view([{ type: 'actions', elements: [button(), button()] }]), '/view/blocks/0/elements/1/action_id'],
    ['an action_id over 255 characters', view([{ type: 'actions', elements: [button({ action_id: 'x'.repeat(256) })] }]), '/view/blocks/0/elements/0/action_id'],
    ['a header over 150 characters', view([{ type: 'header', text: plain('x'.repeat(151)) }]), '/view/blocks/0/text/text'],
    ['section text over 3000 characters', view([{ type: 'section', text: plain('x'.repeat(3001)) }]), '/view/blocks/0/text/text'],
    ['more than 10 section fields', view([{ type: 'section', fields: Array.from({ length: 11 }, () => plain('f')) }]), '/view/blocks/0/fields'],
    ['a section field over 2000 characters', view([{ type: 'section', fields: [plain('x'.repeat(2001))] }]), '/view/blocks/0/fields/0/text'],
    ['more than 10 context elements', view([{ type: 'context', elements: Array.from({ length: 11 }, () => plain('c')) }]), '/view/blocks/0/elements'],
    ['more than 25 action elements', view([{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button({ action_id: `a${i}` })) }]), '/view/blocks/0/elements'],
    ['an input with a list of elements', view([{ type: 'input', label: plain('L'), elements: [{ type: 'plain_text_input' }] }]), '/view/blocks/0/element'],
    ['an input label over 2000 characters', view([input({ type: 'plain_text_input', action_id: 'a' }, { label: plain('x'.repeat(2001)) })]), '/view/blocks/0/label/text'],
    ['an input hint over 2000 characters', view([input({ type: 'plain_text_input', action_id: 'a' }, { hint: plain('x'.repeat(2001)) })]), '/view/blocks/0/hint/text'],
    ['a placeholder over 150 characters', view([input({ type: 'plain_text_input', action_id: 'a', placeholder: plain('x'.repeat(151)) })]), '/view/blocks/0/element/placeholder/text'],
    ['max_length over 3000', view([input({ type: 'plain_text_input', action_id: 'a', max_length: 3001 })]), '/view/blocks/0/element/max_length'],
    ['a non-string initial_value', view([input({ type: 'plain_text_input', action_id: 'a', initial_value: 5 })]), '/view/blocks/0/element/initial_value'],
    ['more than 100 select options', view([input({ type: 'static_select', action_id: 'a', options: Array.from({ length: 101 }, (_, i) => option(`o${i}`, `v${i}`)) })]), '/view/blocks/0/element/options'],
    ['an option text over 75 characters', view([input({ type: 'static_select', action_id: 'a', options: [option('x'.repeat(76), 'v')] })]), '/view/blocks/0/element/options/0/text/text'],
    ['an option value over 75 characters', view([input({ type: 'static_select', action_id: 'a', options: [option('t', 'x'.repeat(76))] })]), '/view/blocks/0/element/options/0/value'],
    ['an initial_option that is not an option', view([input({ type: 'static_select', action_id: 'a', options: [option('A', 'a')], initial_option: option('B', 'b') })]), '/view/blocks/0/element/initial_option'],
    ['more than 10 radio buttons', view([input({ type: 'radio_buttons', action_id: 'a', options: Array.from({ length: 11 }, (_, i) => option(`o${i}`, `v${i}`)) })]), '/view/blocks/0/element/options'],
    ['more than 10 checkboxes', view([input({ type: 'checkboxes', action_id: 'a', options: Array.from({ length: 11 }, (_, i) => option(`o${i}`, `v${i}`)) })]), '/view/blocks/0/element/options'],
    ['a button text over 75 characters', view([{ type: 'actions', elements: [button({ text: plain('x'.repeat(76)) })] }]), '/view/blocks/0/elements/0/text/text'],
    ['a button value over 2000 characters', view([{ type: 'actions', elements: [button({ value: 'x'.repeat(2001) })] }]), '/view/blocks/0/elements/0/value'],
    ['a button url over 3000 characters', view([{ type: 'actions', elements: [button({ url: `https://${'x'.repeat(3000)}` })] }]), '/view/blocks/0/elements/0/url'],
    ['a button style other than primary or danger', view([{ type: 'actions', elements: [button({ style: 'secondary' })] }]), '/view/blocks/0/elements/0/style'],
    ['a confirm title over 100 characters', view([{ type: 'actions', elements: [button({ confirm: { title: plain('x'.repeat(101)), text: plain('t'), confirm: plain('y'), deny: plain('n') } })] }]), '/view/blocks/0/elements/0/confirm/title/text'],
    ['a confirm text over 300 characters', view([{ type: 'actions', elements: [button({ confirm: { title: plain('t'), text: plain('x'.repeat(301)), confirm: plain('y'), deny: plain('n') } })] }]), '/view/blocks/0/elements/0/confirm/text/text'],
    ['a confirm button over 30 characters', view([{ type: 'actions', elements: [button({ confirm: { title: plain('t'), text: plain('t'), confirm: plain('x'.repeat(31)), deny: plain('n') } })] }]), '/view/blocks/0/elements/0/confirm/confirm/text'],
    ['a deny button over 30 characters', view([{ type: 'actions', elements: [button({ confirm: { title: plain('t'), text: plain('t'), confirm: plain('y'), deny: plain('x'.repeat(31)) } })] }]), '/view/blocks/0/elements/0/confirm/deny/text'],
    ['an empty text object', view([{ type: 'section', text: plain('') }]), '/view/blocks/0/text/text'],
    ['an unknown block type', view([{ type: 'carousel' }]), '/view/blocks/0/type'],
    ['an unknown element type', view([{ type: 'actions', elements: [{ type: 'slider', action_id: 's' }] }]), '/view/blocks/0/elements/0/type'],
    ['an element where the block does not allow it', view([{ type: 'actions', elements: [{ type: 'plain_text_input', action_id: 'p' }] }]), '/view/blocks/0/elements/0/type'],
    ['an unknown block property', view([{ type: 'divider', colour: 'red' }]), '/view/blocks/0'],
  ];

  it.each(cases)('refuses %s', (_name, candidate, pointer) => {
    expect(pointers(validateView(candidate))).toContain(pointer);
  });

  it('words problems like Slack, with a json-pointer', () => {
    expect(validateView(view([], { title: plain('x'.repeat(25)) }))).toEqual(['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]']);
    expect(validateBlocks([{ type: 'header', text: plain('') }], 'message')).toEqual(['[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]']);
  });

  it('allows 50 blocks in a message and 100 in a modal', () => {
    const dividers = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(validateBlocks(dividers(50), 'message')).toEqual([]);
    expect(pointers(validateBlocks(dividers(51), 'message'))).toEqual(['/blocks']);
    expect(validateBlocks(dividers(100), 'modal')).toEqual([]);
    expect(pointers(validateBlocks(dividers(101), 'modal'))).toEqual(['/view/blocks']);
  });

  it('checks message text and blocks with the error codes chat methods answer', () => {
    expect(validateMessage({ text: 'x'.repeat(4000) }, 'chat.update')).toBeUndefined();
    expect(validateMessage({ text: 'x'.repeat(4001) }, 'chat.update')).toEqual({ error: 'msg_too_long', messages: [] });
    expect(validateMessage({ text: 'x'.repeat(40_000) }, 'chat.postMessage')).toBeUndefined();
    expect(validateMessage({ text: 'x'.repeat(40_001) }, 'chat.postMessage')).toEqual({ error: 'msg_too_long', messages: [] });
    expect(validateMessage({}, 'chat.postMessage')).toEqual({ error: 'no_text', messages: [] });
    expect(validateMessage({ blocks: 'not json' }, 'chat.postMessage')).toEqual({ error: 'invalid_blocks_format', messages: [] });
    expect(validateMessage({ text: 'x', blocks: [{ type: 'section' }] }, 'chat.postMessage')?.error).toBe('invalid_blocks');
    expect(validateMessage({ blocks: [{ type: 'section', text: plain('y'.repeat(2999)) }] }, 'chat.postMessage')).toBeUndefined();
  });

  it('refuses blocks whose text totals more than 13,000 characters', () => {
    const sections = (n: number, size: number) => Array.from({ length: n }, () => ({ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(size) } }));
    expect(blocksTextLength(sections(5, 2600))).toBe(13_000);
    expect(validateMessage({ text: 'x', blocks: sections(5, 2600) }, 'chat.postMessage')).toBeUndefined();
    expect(validateMessage({ text: 'x', blocks: sections(5, 2601) }, 'chat.postMessage')?.error).toBe('msg_blocks_too_long');
  });

});
