// The Slack emulator's Home tabs: views.publish as @slack/web-api sends it, validated as a Home view
// (type home, no title, at most 100 blocks, 250 kB), stored per user for tests to read.
import { WebClient, type KnownBlock } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SlackEmulator } from '../../src/sandbox/slackEmulator.js';
import { validateHomeView } from '../../src/sandbox/slack/blockKit.js';

const TOKEN = 'xoxb-FAKE'; // obviously not a credential
let emu: SlackEmulator;
let client: WebClient;

beforeAll(async () => {
  emu = await SlackEmulator.start({ botToken: TOKEN, teamId: 'T0TEAM' });
  client = new WebClient(TOKEN, { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
});
afterAll(async () => {
  await emu.stop();
});

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const slackError = z.object({ data: z.object({ error: z.string(), response_metadata: z.object({ messages: z.array(z.string()).optional() }).optional() }) });
async function refusal(call: Promise<unknown>) {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) throw new Error('expected the call to fail');
  return slackError.parse(err).data;
}

describe('views.publish', () => {
  it('stores each user’s Home, replacing it on the next publish with the same id and a new hash', async () => {
    const first = await client.views.publish({ user_id: 'U0ONE', view: { type: 'home', blocks: [section('one')] } });
    expect(first.view).toMatchObject({ type: 'home', team_id: 'T0TEAM', blocks: [section('one')] });
    await client.views.publish({ user_id: 'U0TWO', view: { type: 'home', blocks: [section('two')] } });
    const second = await client.views.publish({ user_id: 'U0ONE', view: { type: 'home', blocks: [section('one again')] } });
    expect(second.view?.id).toBe(first.view?.id);
    expect(second.view?.hash).not.toBe(first.view?.hash);
    expect(emu.home('U0ONE')).toEqual([section('one again')]);
    expect(emu.home('U0TWO')).toEqual([section('two')]);
    expect(emu.home('U0NOBODY')).toBeUndefined();
    expect(emu.homes.get('U0ONE')?.updates).toBe(1);
  });

  it('refuses a stale hash with hash_conflict', async () => {
    const published = await client.views.publish({ user_id: 'U0HASH', view: { type: 'home', blocks: [section('a')] } });
    await client.views.publish({ user_id: 'U0HASH', view: { type: 'home', blocks: [section('b')] } });
    expect((await refusal(client.views.publish({ user_id: 'U0HASH', hash: published.view!.hash!, view: { type: 'home', blocks: [section('c')] } }))).error).toBe('hash_conflict');
    expect(emu.home('U0HASH')).toEqual([section('b')]);
  });

  it('refuses a modal, a title, 101 blocks, a view over 250 kB and a user that is no user', async () => {
    const modal = await refusal(client.views.publish({ user_id: 'U0X', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [section('x')] } }));
    expect(modal.error).toBe('invalid_arguments');
    expect(modal.response_metadata?.messages).toEqual(expect.arrayContaining([expect.stringContaining('[json-pointer:/view/type]'), expect.stringContaining('additional property: title')]));
    const many = await refusal(client.views.publish({ user_id: 'U0X', view: { type: 'home', blocks: Array.from({ length: 101 }, (_, i) => section(`b${i}`)) } }));
    expect(many.response_metadata?.messages).toEqual([expect.stringContaining('no more than 100 items allowed [json-pointer:/view/blocks]')]);
    const big = await refusal(client.views.publish({ user_id: 'U0X', view: { type: 'home', blocks: Array.from({ length: 90 }, () => section('x'.repeat(2900))) } }));
    expect(big.error).toBe('view_too_large');
    expect((await refusal(client.views.publish({ user_id: 'C0CHANNEL', view: { type: 'home', blocks: [section('x')] } }))).error).toBe('user_not_found');
    expect(emu.home('U0X')).toBeUndefined();
  });

  it('checks the blocks of a Home like those of a modal', () => {
    expect(validateHomeView({ type: 'home', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] })).toEqual([expect.stringContaining('/view/blocks/0/text')]);
    expect(validateHomeView({ type: 'home', blocks: [], callback_id: 'c'.repeat(256) })).toEqual([expect.stringContaining('/view/callback_id')]);
  });
});
