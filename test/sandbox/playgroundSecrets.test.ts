// The playground tries secrets by reference: the sandbox seeds secretsmanager:sandbox/…, a form
// uses one, "New version" puts another, and the approved request sends the version current then.
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import type { WorkspaceSnapshot } from '../../src/sandbox/playground/workspace.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { WORLD } from '../../src/sandbox/world.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 }, logger: createLogger({ level: 'silent' }), banner: false });
});
afterAll(async () => {
  await sandbox?.stop();
});

const plain = (text: string) => ({ type: 'plain_text', text });
async function api(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${sandbox.playgroundUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}
const snapshot = async (as: string) => JSON.parse(await (await fetch(`${sandbox.playgroundUrl}api/state?as=${as}`)).text()) as WorkspaceSnapshot;

describe('secrets by reference in the playground', () => {
  it('creates an HTTPS connection whose header comes from a seeded secret, in its newest version', async () => {
    const { slack, atlas } = sandbox.world;
    const before = slack.count('views.open');
    await api('api/command', { as: WORLD.requester, text: '/spconn create https' });
    await slack.waitFor(() => slack.count('views.open') === before + 1);
    const viewId = (await snapshot(WORLD.requester)).modal!.viewId;
    await api('api/view-submit', {
      as: WORLD.requester,
      viewId,
      values: {
        target: { target: { type: 'static_select', selected_option: { text: plain('sandbox'), value: 'sandbox' } } },
        connection_type: { connection_type_picked: { type: 'static_select', selected_option: { text: plain('https'), value: 'https' } } },
        connection_name: { name: { type: 'plain_text_input', value: 'by-reference' } },
        https_url: { url: { type: 'plain_text_input', value: 'https://api.example.com/hook' } },
        https_headers: { headers: { type: 'plain_text_input', value: 'Authorization: secretsmanager:sandbox/orders-api#token' } },
      },
    });
    await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.includes('connection by-reference ')));
    const card = slack.messages.find((m) => !m.threadTs && m.text.includes('connection by-reference '))!;
    expect(JSON.stringify(card.blocks)).toContain('from secretsmanager:sandbox/orders-api#token');

    const { versionId } = (await api('api/secrets/new-version', { name: 'sandbox/orders-api' })) as { versionId: string };
    expect(versionId).toMatch(/^[0-9a-f-]{36}$/);
    const block = (card.blocks as Array<{ block_id?: string; elements?: Array<{ action_id?: string }> }>).find((b) => b.elements?.some((e) => e.action_id === 'request_approve'))!;
    await api('api/message-action', { as: WORLD.owner, message: { channel: card.channel, ts: card.ts, ephemeral: false }, blockId: block.block_id, actionId: 'request_approve' });
    await atlas.waitFor(() => atlas.connections(WORLD.projectId, WORLD.instance).some((c) => c.name === 'by-reference'), 10_000);
    const created = atlas.connections(WORLD.projectId, WORLD.instance).find((c) => c.name === 'by-reference')!;
    const { SecretString } = await sandbox.world.secretsManagerClient().send(new GetSecretValueCommand({ SecretId: 'sandbox/orders-api' }));
    expect(created).toMatchObject({ headers: { Authorization: (JSON.parse(SecretString!) as { token: string }).token } });
  });
});
