// Hostile input over the real HTTP path: every submission and command is answered (never a 5xx
// or a crash), and nothing unvalidated reaches Atlas (the stack checks every body Atlas got).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { state } from '../support/slackDriver.js';
import { cardFor, startStack, submitCreateForm, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const hostile = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 50 }), fc.constantFrom('', 'https://ok.example.com/x', 'http://no.example.com', 'Authorization: Digest x', 'X-K: v\r\nX-Evil: 1', 'a.b', 'ok-name'));

describe('hostile input over HTTP', () => {
  it('answers every HTTPS form submission with inline errors or a request card', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, async (name, url, headers) => {
        const unique = /^[a-zA-Z0-9_-]{1,50}$/.test(name) ? `${name}-${n++}` : name;
        const ack = (await submitCreateForm(stack, 'https', {
          connection_name: { name: state.text(unique) },
          https_url: { url: state.text(url) },
          https_headers: { headers: state.text(headers) },
        })) as { response_action?: string; errors?: Record<string, string> } | undefined;
        if (ack === undefined) {
          await stack.world.slack.waitFor(() => cardFor(stack, unique) !== undefined);
        } else {
          expect(ack.response_action).toBe('errors');
          expect(Object.values(ack.errors ?? {}).every((m) => m.length > 0)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('answers every command text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, fc.constantFrom('show', 'delete ../x', 'list sandbox extra words', 'create kafka', 'status x')), async (text) => {
        const res = await stack.driver.command(text, { user: WORLD.requester, channel: WORLD.channel, triggerId: stack.world.slack.issueTriggerId() });
        expect(res.status).toBe(200);
      }),
      { numRuns: 60 },
    );
    await stack.app.requests.idle();
  });
});
