// The playground's server without a browser: it carries out Slack's side of the app's answers
// (response actions, ephemeral command replies), never sends typed secrets back to the page,
// and refuses what a page on another site, or another person, should not be able to do.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SlackDriver, sign } from '../../src/sandbox/slack/driver.js';
import { SlackEmulator } from '../../src/sandbox/slackEmulator.js';
import { WORLD } from '../../src/sandbox/world.js';
import { Workspace, type WorkspaceSnapshot } from '../../src/sandbox/playground/workspace.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of cleanups.splice(0).reverse()) await stop();
});

const PEOPLE = [
  { id: 'U0ALICE', name: 'Alice', role: 'requester' },
  { id: 'U0BOB', name: 'Bob', role: 'owner' },
];
const TOKEN = 'xoxb-FAKE';
const SECRET = 'stub-signing-secret';
const plain = (text: string) => ({ type: 'plain_text', text });
const input = (blockId: string) => ({ type: 'input', block_id: blockId, label: plain(blockId), element: { type: 'plain_text_input', action_id: 'value' } });
const modal = (callbackId: string, title: string) => ({ type: 'modal', callback_id: callbackId, title: plain(title), submit: plain('Next'), close: plain('Cancel'), blocks: [input('answer')] });

/**
 * A stand-in app answering each form with a different response action, so the playground's
 * handling of all of them is exercised (spconn itself only answers `errors` or closes the form).
 */
async function startStubApp(slack: SlackEmulator): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const timestamp = Number(req.headers['x-slack-request-timestamp']);
      if (req.headers['x-slack-signature'] !== sign(SECRET, timestamp, raw)) return void res.writeHead(401).end();
      const form = new URLSearchParams(raw);
      const reply = (body?: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
      if (form.get('command')) {
        if (form.get('text') === 'hello') return reply({ response_type: 'ephemeral', text: 'Hello *there*' });
        reply();
        void fetch(`${slack.url}views.open`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ trigger_id: form.get('trigger_id') ?? '', view: JSON.stringify(modal('first', 'First')) }).toString(),
        });
        return;
      }
      const payload = JSON.parse(form.get('payload') ?? '{}') as { type: string; view: { callback_id: string; state: { values: Record<string, Record<string, { value: string | null }>> } } };
      const answer = payload.view.state.values.answer?.value?.value;
      if (answer === 'wrong') return reply({ response_action: 'errors', errors: { answer: 'Not that one.' } });
      if (answer === 'all') return reply({ response_action: 'clear' });
      if (payload.view.callback_id === 'first') return reply({ response_action: 'push', view: modal('second', 'Second') });
      if (payload.view.callback_id === 'second') return reply({ response_action: 'update', view: modal('third', 'Third') });
      return reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function stubWorkspace() {
  const slack = await SlackEmulator.start({ botToken: TOKEN });
  const app = await startStubApp(slack);
  cleanups.push(() => slack.stop(), () => new Promise<void>((resolve) => app.server.close(() => resolve())));
  return { slack, workspace: new Workspace(slack, new SlackDriver(app.url, SECRET), PEOPLE, { id: 'C0TEST', name: 'test' }) };
}

/** fetch() will not send another Host header; a rebinding DNS name would. */
function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    })
      .on('error', reject)
      .end();
  });
}

const title = (s: WorkspaceSnapshot) => (s.modal?.title as { text?: string } | undefined)?.text;
const answer = (text: string) => ({ answer: { value: { type: 'plain_text_input' as const, value: text } } });

describe('Slack’s side of a form submission', () => {
  it('shows errors inline, stacks a pushed view, replaces an updated one, and closes one view or all', async () => {
    const { slack, workspace } = await stubWorkspace();
    await workspace.command('U0ALICE', '/spconn create');
    await slack.waitFor(() => slack.views.size === 1);
    const first = workspace.snapshot('U0ALICE').modal!;
    expect(title(workspace.snapshot('U0ALICE'))).toBe('First');
    expect(workspace.snapshot('U0BOB').modal).toBeNull();

    await workspace.submit('U0ALICE', first.viewId, answer('wrong'));
    expect(workspace.snapshot('U0ALICE').modal).toMatchObject({ viewId: first.viewId, errors: { answer: 'Not that one.' } });

    await workspace.submit('U0ALICE', first.viewId, answer('fine'));
    const second = workspace.snapshot('U0ALICE').modal!;
    expect(second).toMatchObject({ depth: 1, errors: {} });
    expect(title(workspace.snapshot('U0ALICE'))).toBe('Second');

    await workspace.submit('U0ALICE', second.viewId, answer('fine'));
    const third = workspace.snapshot('U0ALICE').modal!;
    expect(third.viewId).toBe(second.viewId);
    expect(third.hash).not.toBe(second.hash);
    expect(title(workspace.snapshot('U0ALICE'))).toBe('Third');

    // An empty answer closes the top view only; Back shows the one under it again.
    await workspace.submit('U0ALICE', third.viewId, answer('fine'));
    expect(workspace.snapshot('U0ALICE').modal?.viewId).toBe(first.viewId);

    await workspace.submit('U0ALICE', first.viewId, answer('fine'));
    await workspace.submit('U0ALICE', workspace.snapshot('U0ALICE').modal!.viewId, answer('all'));
    expect(workspace.snapshot('U0ALICE').modal).toBeNull();
  });

  it("shows a command's ephemeral answer to the person who ran it only", async () => {
    const { workspace } = await stubWorkspace();
    await workspace.command('U0ALICE', '/spconn hello');
    expect(workspace.snapshot('U0ALICE').messages).toEqual([expect.objectContaining({ ephemeral: true, text: 'Hello *there*', author: 'spconn' })]);
    expect(workspace.snapshot('U0BOB').messages).toEqual([]);
  });

  it("refuses to act on someone else's form", async () => {
    const { slack, workspace } = await stubWorkspace();
    await workspace.command('U0ALICE', '/spconn create');
    await slack.waitFor(() => slack.views.size === 1);
    const viewId = workspace.snapshot('U0ALICE').modal!.viewId;
    await expect(workspace.submit('U0BOB', viewId, answer('fine'))).rejects.toThrow(/no longer open/);
  });
});

describe('the playground with the real app', () => {
  let sandbox: Sandbox;
  const start = async () => {
    sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 }, logger: createLogger({ level: 'silent' }), banner: false });
    cleanups.push(() => sandbox.stop());
  };
  const api = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${sandbox.playgroundUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const state = async () => (await fetch(`${sandbox.playgroundUrl}api/state?as=${WORLD.requester}`)).text();

  it('never sends a typed header value back, even when the app rebuilds the form with it', async () => {
    await start();
    expect((await api('api/command', { as: WORLD.requester, text: '/spconn create https' })).status).toBe(200);
    await sandbox.world.slack.waitFor(() => sandbox.world.slack.views.size === 1);
    const { modal } = JSON.parse(await state()) as WorkspaceSnapshot;
    const values = {
      connection_type: { connection_type_picked: { type: 'static_select', selected_option: { text: plain('HTTPS'), value: 'https' } } },
      https_headers: { headers: { type: 'plain_text_input', value: 'X-Api-Key: sk-typed-value-31337' } },
    };
    // Choosing a type rebuilds the form, and the app carries what was typed over in initial_value.
    expect((await api('api/view-action', { as: WORLD.requester, viewId: modal!.viewId, values, blockId: 'connection_type', actionId: 'connection_type_picked' })).status).toBe(200);
    await sandbox.world.slack.waitFor(() => sandbox.world.slack.count('views.update') === 1);
    expect(JSON.stringify(sandbox.world.slack.views.get(modal!.viewId)!.view)).toContain('sk-typed-value-31337');
    const seen = await state();
    expect(seen).not.toContain('sk-typed-value-31337');
    expect(seen).toContain('"typed_value_kept":true');
  });

  it('refuses requests from other sites, bodies that are not JSON, and values that do not fit', async () => {
    await start();
    expect(await statusWithHost(`${sandbox.playgroundUrl}api/state?as=${WORLD.requester}`, 'evil.example')).toBe(421);
    expect(await statusWithHost(`${sandbox.playgroundUrl}api/state?as=${WORLD.requester}`, new URL(sandbox.playgroundUrl).host)).toBe(200);
    const form = await fetch(`${sandbox.playgroundUrl}api/command`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'as=U0REQUEST1&text=/spconn' });
    expect(form.status).toBe(415);
    const bad = await api('api/view-submit', { as: WORLD.requester, viewId: 'V1', values: { a: { b: { type: 'plain_text_input', value: 'x'.repeat(3001) } } } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain('xxxx');
    expect((await api('api/command', { as: 'U0NOBODY', text: '/spconn help' })).status).toBe(409);
  });

  it('makes a Private Link ready and arms Atlas faults from the panel', async () => {
    await start();
    const link = { _id: 'cccccccccccccccccccccccc', provider: 'AWS', vendor: 'CONFLUENT', region: 'us-east-1', serviceEndpointId: 'svc', dnsDomain: 'x.example', state: 'WORKING' };
    sandbox.world.atlas.privateLinks(WORLD.projectId).push(link);
    expect((await api('api/atlas/private-link', { id: link._id, state: 'DONE' })).status).toBe(200);
    expect(link.state).toBe('DONE');
    expect((await api('api/atlas/fault', { status: 503, times: 2 })).status).toBe(200);
    expect(JSON.parse(await state()).atlas.faults).toEqual([{ status: 503, remaining: 2, where: 'any call' }]);
    expect((await api('api/atlas/fault', { status: 418 })).status).toBe(400);
    await api('api/atlas/clear-faults', {});
    expect(sandbox.world.atlas.armedFaults()).toEqual([]);
  });
});
