// The body of a request to /slack/events is read before its signature can be checked, so the app
// reads no more than Slack's largest real delivery: beyond that it answers 413 and stops reading.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SLACK_BODY_LIMIT } from '../../src/http/slackEvents.js';
import { cardFor, openModal, startStack, state, WORLD, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

interface EarlyAnswer {
  status: number;
  connection: string | undefined;
  /** Resolves when the app has closed the connection. */
  closed: Promise<void>;
}

/**
 * Sends the headers and these chunks of a body, and never ends it: an app that waited for the
 * whole body would never answer. Resolves with the answer that came while the body was unfinished.
 */
function postUnfinished(url: string, headers: Record<string, string>, chunks: Buffer[]): Promise<EarlyAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/slack/events`, { method: 'POST', headers });
    const closed = new Promise<void>((done) => req.once('socket', (socket) => socket.once('close', () => done())));
    // The app closes the connection while this side still has body to send.
    req.on('error', () => undefined);
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, closed });
    });
    req.on('close', () => reject(new Error('closed without an answer')));
    for (const chunk of chunks) req.write(chunk);
  });
}

const unsigned = () => ({
  'Content-Type': 'application/x-www-form-urlencoded',
  'X-Slack-Request-Timestamp': String(Math.floor(Date.now() / 1000)),
  'X-Slack-Signature': `v0=${'0'.repeat(64)}`,
});

async function expectHelpAnswered(s: Stack): Promise<void> {
  const res = await s.driver.command('help', { user: WORLD.requester, channel: WORLD.channel, triggerId: s.world.slack.issueTriggerId() });
  expect(res.status).toBe(200);
  expect(res.json()).toMatchObject({ text: expect.stringContaining('/spconn create') });
}

describe('POST /slack/events', () => {
  it('takes a view_submission as large as Slack allows, up to the limit, and refuses one byte more with 413', async () => {
    stack = await startStack();
    const s = stack;
    const view = await openModal(s, 'create https');
    // Slack's limits: a view of at most 250 KB with at most 100 blocks, at most 100 inputs of at
    // most 3,000 characters. '!' is form-encoded as three bytes (%21), the most an ASCII character takes.
    const typed = '!'.repeat(3_000);
    const values: Record<string, Record<string, ReturnType<typeof state.text>>> = {
      target: { target: state.select('sandbox') },
      connection_type: { connection_type_picked: state.select('https') },
      connection_name: { name: state.text('orders-api') },
      https_url: { url: state.text('https://api.example.com/orders') },
      https_headers: { headers: state.text(`X-Note: ${typed.slice(0, 2_990)}`) },
    };
    for (let i = Object.keys(values).length; i < 100; i++) values[`more_${i}`.padEnd(255, 'b')] = { ['typed'.padEnd(255, 'a')]: state.text(typed) };
    const blocks = [...view.blocks];
    while (JSON.stringify({ ...view, blocks }).length < 250_000 - 3_100 && blocks.length < 100) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: typed } });
    const asLargeAsSlackAllows = s.driver.submitViewBody({ ...view, blocks }, values, { user: WORLD.requester });
    expect(asLargeAsSlackAllows.length).toBeGreaterThan(1_600_000);
    expect(asLargeAsSlackAllows.length).toBeLessThanOrEqual(SLACK_BODY_LIMIT);

    // Padded with letters (one byte each) to exactly the limit: taken, and the request is made.
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'x' }] });
    const short = SLACK_BODY_LIMIT - s.driver.submitViewBody({ ...view, blocks }, values, { user: WORLD.requester }).length;
    blocks[blocks.length - 1] = { type: 'context', elements: [{ type: 'mrkdwn', text: 'x'.repeat(1 + short) }] };
    const atTheLimit = s.driver.submitViewBody({ ...view, blocks }, values, { user: WORLD.requester });
    expect(atTheLimit.length).toBe(SLACK_BODY_LIMIT);
    const taken = await s.driver.post(atTheLimit);
    expect(taken.status).toBe(200);
    expect(taken.text).toBe('');
    await s.world.slack.waitFor(() => cardFor(s, 'orders-api') !== undefined);

    // One byte more, correctly signed even: refused before anything reads it.
    blocks[blocks.length - 1] = { type: 'context', elements: [{ type: 'mrkdwn', text: 'x'.repeat(2 + short) }] };
    const overTheLimit = s.driver.submitViewBody({ ...view, blocks }, values, { user: WORLD.requester });
    expect(overTheLimit.length).toBe(SLACK_BODY_LIMIT + 1);
    expect((await s.driver.post(overTheLimit)).status).toBe(413);
    expect(s.world.slack.messages.filter((m) => !m.threadTs && m.text.includes('orders-api'))).toHaveLength(1);
  });

  it('refuses at once an unsigned body that declares more than the limit, and closes the connection without reading it', async () => {
    stack = await startStack();
    const answer = await postUnfinished(stack.driver.appUrl, { ...unsigned(), 'Content-Length': String(SLACK_BODY_LIMIT + 1) }, [Buffer.alloc(64 * 1024, 'a')]);
    expect(answer.status).toBe(413);
    expect(answer.connection).toBe('close');
    await answer.closed;
    await expectHelpAnswered(stack);
  });

  it('refuses an unsigned chunked body as soon as it passes the limit, and closes the connection', async () => {
    stack = await startStack();
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const chunks = Array.from({ length: Math.ceil((SLACK_BODY_LIMIT + 1) / chunk.length) }, () => chunk);
    const answer = await postUnfinished(stack.driver.appUrl, unsigned(), chunks);
    expect(answer.status).toBe(413);
    expect(answer.connection).toBe('close');
    await answer.closed;
    await expectHelpAnswered(stack);
  });
});
