// The playground with the real app does an edit as a person would: `/spconn edit`, a field
// changed in the form, an owner's Approve, one PATCH; its panel starts and stops stream processors.
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import type { WorkspaceSnapshot } from '../../src/sandbox/playground/workspace.js';
import { WORLD } from '../../src/sandbox/world.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

const plain = (text: string) => ({ type: 'plain_text', text });

it('edits a connection from the playground, and starts and stops a stream processor from its panel', async () => {
  sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 }, logger: createLogger({ level: 'silent' }), banner: false });
  const { slack, atlas } = sandbox.world;
  const base = sandbox.playgroundUrl;
  const api = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const snapshot = async (as: string) => (await (await fetch(`${base}api/state?as=${as}`)).json()) as WorkspaceSnapshot & { atlas: { processors: Array<{ name: string; state: string; connections: string[] }> } };
  atlas.connections(WORLD.projectId, WORLD.instance).push({ id: '65a000000000000000000003', state: 'READY', name: 'orders-api', type: 'Https', url: 'https://api.example.com/v1/orders' });

  expect((await api('api/command', { as: WORLD.requester, text: '/spconn edit orders-api' })).status).toBe(200);
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.view.callback_id === 'edit_connection'));
  const { modal } = await snapshot(WORLD.requester);
  const values = {
    target: { target: { type: 'static_select', selected_option: { text: plain('sandbox'), value: 'sandbox' } } },
    edit_connection_type: { edit_connection_type_picked: { type: 'static_select', selected_option: { text: plain('HTTPS'), value: 'https' } } },
    https_url: { url: { type: 'plain_text_input', value: 'https://api.example.com/v3/orders' } },
    https_headers: { headers: { type: 'plain_text_input', value: null } },
  };
  expect((await api('api/view-submit', { as: WORLD.requester, viewId: modal!.viewId, values })).status).toBe(200);
  await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.startsWith('Edit HTTPS connection orders-api')));
  const card = slack.messages.find((m) => !m.threadTs && m.text.startsWith('Edit HTTPS connection orders-api'))!;
  expect((await api('api/message-action', { as: WORLD.owner, message: { channel: card.channel, ts: card.ts, ephemeral: false }, blockId: 'request_actions', actionId: 'request_approve' })).status).toBe(200);
  await atlas.waitFor(() => atlas.count('updateConnection') === 1, 15_000);
  expect(atlas.calls.find((c) => c.operation === 'updateConnection')!.body).toEqual({ name: 'orders-api', type: 'Https', url: 'https://api.example.com/v3/orders' });

  expect((await snapshot(WORLD.requester)).atlas.processors).toEqual([{ name: WORLD.processor, state: 'STOPPED', connections: ['sample_stream_solar', 'orders-api', 'atlas-cluster'] }]);
  expect((await api('api/atlas/processor', { name: WORLD.processor, state: 'STARTED' })).status).toBe(200);
  expect(atlas.processors(WORLD.projectId, WORLD.instance)[0]!.state).toBe('STARTED');
}, 60_000);
