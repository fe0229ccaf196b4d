// The Slack emulator answers the real @slack/web-api client as Slack would.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../../src/sandbox/slackEmulator.js';

let emu: SlackEmulator;
let client: WebClient;
const modal = (title = 'Hello', blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }]) => ({ type: 'modal' as const, title: { type: 'plain_text' as const, text: title }, blocks: blocks as never });

beforeAll(async () => {
  emu = await SlackEmulator.start({ botToken: 'xoxb-test-token', triggerTtlMs: 200 });
  client = new WebClient('xoxb-test-token', { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
});
afterAll(async () => {
  await emu.stop();
});

const code = async (p: Promise<unknown>) => ((await p.then(() => 'ok').catch((e: { data?: { error?: string } }) => e.data?.error)) as string);

describe('Slack emulator', () => {
  it('opens a view once per trigger_id, and not after it expired', async () => {
    const trigger = emu.issueTriggerId();
    await expect(client.views.open({ trigger_id: trigger, view: modal() })).resolves.toMatchObject({ ok: true });
    expect(await code(client.views.open({ trigger_id: trigger, view: modal() }))).toBe('exchanged_trigger_id');
    expect(await code(client.views.open({ trigger_id: 'made.up.trigger', view: modal() }))).toBe('invalid_arguments');
    const late = emu.issueTriggerId();
    await emu.waitFor(() => false, 250).catch(() => undefined); // let the 200 ms trigger lifetime pass
    expect(await code(client.views.open({ trigger_id: late, view: modal() }))).toBe('expired_trigger_id');
  });

  it('enforces Block Kit limits on views and messages', async () => {
    expect(await code(client.views.open({ trigger_id: emu.issueTriggerId(), view: modal('A title that is 25 chars!') }))).toBe('invalid_arguments');
    const many = Array.from({ length: 101 }, () => ({ type: 'divider' }));
    expect(await code(client.views.open({ trigger_id: emu.issueTriggerId(), view: modal('ok', many) }))).toBe('invalid_arguments');
    const fifty1 = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(await code(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: fifty1 as never }))).toBe('invalid_blocks');
    const longButton = [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'x'.repeat(76) } }] }];
    expect(await code(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: longButton as never }))).toBe('invalid_blocks');
    expect(await code(client.chat.update({ channel: 'C1', ts: '1.1', text: 'x' }))).toBe('message_not_found');
  });

  it('keeps threads, updates and ephemerals', async () => {
    const parent = await client.chat.postMessage({ channel: 'C2', text: 'card' });
    await client.chat.postMessage({ channel: 'C2', text: 'reply 1', thread_ts: parent.ts });
    await client.chat.postMessage({ channel: 'C2', text: 'reply 2', thread_ts: parent.ts });
    await client.chat.update({ channel: 'C2', ts: parent.ts!, text: 'card v2' });
    await client.chat.postEphemeral({ channel: 'C2', user: 'U1', text: 'psst' });
    expect(emu.thread('C2', parent.ts!).map((m) => m.text)).toEqual(['reply 1', 'reply 2']);
    expect(emu.messages.find((m) => m.ts === parent.ts)).toMatchObject({ text: 'card v2', updates: 1 });
    expect(emu.ephemerals.at(-1)).toMatchObject({ user: 'U1', text: 'psst' });
    expect(await code(client.chat.update({ channel: 'C2', ts: parent.ts!, text: 'x'.repeat(4001) }))).toBe('msg_too_long');
  });

  it('checks the token, lists user groups, and injects faults and rate limits', async () => {
    const bad = new WebClient('xoxb-wrong', { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
    expect(await code(bad.auth.test())).toBe('invalid_auth');
    emu.setUsergroup('S1', ['U1', 'U2']);
    await expect(client.usergroups.users.list({ usergroup: 'S1' })).resolves.toMatchObject({ users: ['U1', 'U2'] });
    emu.injectFault('chat.postMessage', { error: 'not_in_channel' });
    expect(await code(client.chat.postMessage({ channel: 'C3', text: 'x' }))).toBe('not_in_channel');
    emu.injectFault('chat.postMessage', { status: 429, retryAfterSeconds: 0 });
    const strict = new WebClient('xoxb-test-token', { slackApiUrl: emu.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const rateLimited = await strict.chat.postMessage({ channel: 'C3', text: 'x' }).then(() => 'ok', (e: { code?: string }) => e.code);
    expect(rateLimited).toBe('slack_webapi_rate_limited_error');
  });
});
