// spconn's views.open against the Slack emulator: the modal Slack keeps, and each way Slack can
// refuse or fail to answer, as an error that names Slack's reason and never carries the view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { View } from '@slack/types';
import { isSpconnError, type SpconnError } from '../../src/errors.js';
import { SlackEmulator } from '../../src/sandbox/slackEmulator.js';
import { slackTransport } from '../../src/slack/transport.js';
import { SlackViews } from '../../src/slack/views.js';

const TOKEN = 'fake-bot-token-for-views-tests';
let emu: SlackEmulator;
let views: SlackViews;
const transport = slackTransport();

const modal = (title = 'New HTTPS connection', blocks: View['blocks'] = [{ type: 'section', text: { type: 'mrkdwn', text: 'CANARY-view-text' } }]): View => ({
  type: 'modal',
  callback_id: 'create_connection',
  title: { type: 'plain_text', text: title },
  blocks,
});

async function refusal(promise: Promise<unknown>): Promise<SpconnError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!isSpconnError(err, 'SLACK_VIEW_FAILED')) throw new Error(`expected SLACK_VIEW_FAILED, got ${String(err)}`);
  expect(JSON.stringify({ message: err.message, user: err.userMessage })).not.toContain('CANARY');
  return err;
}

beforeAll(async () => {
  emu = await SlackEmulator.start({ botToken: TOKEN });
  views = new SlackViews({ fetch: transport, botToken: TOKEN, apiUrl: emu.url, timeoutMs: 300 });
});
afterAll(async () => {
  await emu.stop();
  transport.close();
});

describe('SlackViews.open', () => {
  it('opens the modal as JSON with the bot token and returns Slack\'s view id', async () => {
    const trigger = emu.issueTriggerId();
    const { viewId } = await views.open(trigger, modal());
    expect(emu.views.get(viewId)).toMatchObject({ triggerId: trigger, view: { callback_id: 'create_connection', title: { text: 'New HTTPS connection' } } });
    const call = emu.calls.at(-1)!;
    expect(call).toMatchObject({ method: 'views.open', ok: true, args: { trigger_id: trigger } });
    expect(JSON.parse(call.raw)).toMatchObject({ trigger_id: trigger, view: { type: 'modal' } });
  });

  it('names Slack\'s reason when it refuses: a used trigger, a bad view, a wrong token', async () => {
    const trigger = emu.issueTriggerId();
    await views.open(trigger, modal());
    expect((await refusal(views.open(trigger, modal()))).userMessage).toBe('Slack refused to open the form: exchanged_trigger_id.');
    const tooLong = await refusal(views.open(emu.issueTriggerId(), modal('x'.repeat(25))));
    expect(tooLong.userMessage).toBe('Slack refused to open the form: invalid_arguments ([ERROR] must be less than 25 characters [json-pointer:/view/title/text]).');
    const stranger = new SlackViews({ fetch: transport, botToken: 'fake-bot-token-of-another-app', apiUrl: emu.url });
    expect((await refusal(stranger.open(emu.issueTriggerId(), modal()))).userMessage).toBe('Slack refused to open the form: invalid_auth.');
  });

  it('gives up when Slack fails or does not answer before the trigger would die', async () => {
    emu.injectFault('views.open', { status: 503 });
    expect((await refusal(views.open(emu.issueTriggerId(), modal()))).userMessage).toBe('Slack answered views.open with HTTP 503.');
    emu.injectFault('views.open', { delayMs: 2_000 });
    const started = Date.now();
    expect((await refusal(views.open(emu.issueTriggerId(), modal()))).userMessage).toBe('Slack did not answer in time to open the form.');
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
