// Deliveries Slack would never send, correctly signed (or over the app's own socket) as if it had:
// each is refused, and the app goes on answering the next person who types `/spconn help`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../src/sandbox/world.js';
import { startAppProcess, type AppProcess } from '../support/appProcess.js';
import { blockActionsPayload, interactiveBody, SlackDriver, viewSubmissionPayload, type SignedResponse } from '../support/slackDriver.js';
import { startStack, WORLD, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
let world: World | undefined;
let app: AppProcess | undefined;
let dir: string | undefined;
/** Errors nothing caught, in this process, while a test ran: each would have stopped a real app. */
const escaped: unknown[] = [];
const onEscape = (err: unknown) => escaped.push(err);
beforeEach(() => {
  escaped.length = 0;
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
});
afterEach(async () => {
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
  await stack?.stop();
  await app?.kill();
  await world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  stack = world = app = dir = undefined;
});

/** A block_actions payload as Slack sends it for a click on a message button. */
function blockActions(): Record<string, unknown> {
  return blockActionsPayload(
    WORLD.team,
    { kind: 'message', channel: WORLD.channel, ts: '1700000000.000100', text: 'card', blocks: [] },
    { type: 'button', action_id: 'request_approve', block_id: 'request_buttons', value: '0123456789ab' },
    { user: WORLD.owner },
  );
}

/** A view_submission payload of the reject modal. */
function viewSubmission(): Record<string, unknown> {
  return viewSubmissionPayload(WORLD.team, { id: 'V0SPCONN1', callback_id: 'reject_request', private_metadata: '0123456789ab', blocks: [] }, {}, { user: WORLD.owner });
}

const payload = interactiveBody;
const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });
const without = (body: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== key));

/** Each is signed with the app's signing secret, so only the body's shape is wrong. */
const MALFORMED: Array<[string, { body: string; contentType?: string }]> = [
  ['a JSON body that is null', json(null)],
  ['an interactive payload that is null', { body: payload(null) }],
  ['a JSON body that is an array', json([])],
  ['a JSON body that is a number', json(42)],
  ['a JSON body that is a string', json('x')],
  ['an interactive payload that is an array', { body: payload([]) }],
  ['a block_actions without a user', { body: payload(without(blockActions(), 'user')) }],
  ['a block_actions whose actions are null', { body: payload({ ...blockActions(), actions: null }) }],
  ['a block_actions whose actions are not objects', { body: payload({ ...blockActions(), actions: [7] }) }],
  ['a block_actions whose channel is null', { body: payload({ ...blockActions(), channel: null }) }],
  ['a view_submission whose view is null', { body: payload({ ...viewSubmission(), view: null }) }],
  ['a view_submission whose response_urls are null', { body: payload({ ...viewSubmission(), response_urls: null }) }],
  ['a slash command whose command is a number', json({ command: 5, team_id: WORLD.team, user_id: WORLD.requester, channel_id: WORLD.channel, text: 'help', trigger_id: '1.2.3' })],
  ['an Events API envelope whose event is null', json({ type: 'event_callback', team_id: WORLD.team, event: null })],
  ['a form that is neither a slash command nor a payload', { body: 'a=1&b&%zz=%&=&&' }],
  ['a form whose payload is given twice', { body: 'payload=%7B%7D&payload=%7B%7D' }],
];

async function help(driver: SlackDriver, triggerId: string): Promise<SignedResponse> {
  return driver.command('help', { user: WORLD.requester, channel: WORLD.channel, triggerId });
}

function expectHelp(res: SignedResponse): void {
  expect(res.status).toBe(200);
  expect(res.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/spconn create') });
}

describe('a signed delivery Slack would never send, over HTTP', () => {
  it.each(MALFORMED)('is refused with 400 when it is %s, and the next /spconn help is answered', async (_name, { body, contentType }) => {
    stack = await startStack();
    const res = await stack.driver.post(body, contentType ? { contentType } : {});
    expect(res.status).toBe(400);
    expectHelp(await help(stack.driver, stack.world.slack.issueTriggerId()));
    // Refused before Bolt: no listener ran, so none failed, and Slack was never called for it.
    const errors = stack.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
    expect(stack.world.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
    expect(escaped).toEqual([]);
  });

  it('is refused with 405 when it is not a POST, and the next /spconn help is answered', async () => {
    stack = await startStack();
    // Only a current timestamp header: enough to get past the clock check to Bolt, which throws on a GET.
    const res = await fetch(`${stack.driver.appUrl}/slack/events`, { headers: { 'X-Slack-Request-Timestamp': String(Math.floor(Date.now() / 1000)) } });
    expect(res.status).toBe(405);
    expectHelp(await help(stack.driver, stack.world.slack.issueTriggerId()));
    expect(escaped).toEqual([]);
  });

  it('does not stop the app process when its body is JSON null', async () => {
    world = await startWorld();
    dir = mkdtempSync(join(tmpdir(), 'spconn-malformed-'));
    app = await startAppProcess(world, dir, randomBytes(32).toString('base64'));
    const driver = new SlackDriver(app.url, world.signingSecret, WORLD.team);
    expect((await driver.post('null', { contentType: 'application/json' })).status).toBe(400);
    expect((await driver.post(payload(null))).status).toBe(400);
    expectHelp(await help(driver, world.slack.issueTriggerId()));
    expect(app.child.exitCode).toBeNull();
  });
});

describe('an envelope Slack would never send, over Socket Mode', () => {
  const envelope = (type: string, body: unknown) => ({ envelope_id: randomBytes(8).toString('hex'), type, payload: body, accepts_response_payload: true });
  const MALFORMED_ENVELOPES: Array<[string, unknown]> = [
    ['a message that is null', null],
    ['a block_actions without a user', envelope('interactive', without(blockActions(), 'user'))],
    ['a block_actions whose actions are null', envelope('interactive', { ...blockActions(), actions: null })],
    ['an Events API envelope whose payload is null', envelope('events_api', null)],
    ['an Events API envelope whose event is null', envelope('events_api', { type: 'event_callback', event: null })],
  ];

  it.each(MALFORMED_ENVELOPES)('is ignored when it is %s, and the next /spconn help is answered', async (_name, message) => {
    stack = await startStack({ socketMode: true });
    stack.world.slack.socketMode.sendRaw(message);
    // The socket delivers in order: the help command is handled after the malformed message.
    expectHelp(await help(stack.driver, stack.world.slack.issueTriggerId()));
    const errors = stack.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
    expect(stack.world.slack.calls.filter((c) => !['auth.test', 'apps.connections.open'].includes(c.method))).toEqual([]);
    expect(escaped).toEqual([]);
  });
});
