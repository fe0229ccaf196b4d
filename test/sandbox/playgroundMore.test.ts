// The playground walks the Cluster, Sample, Azure Blob Storage and Pub/Sub forms against the real
// app and the seeded world: the pickers' options come from the app, the submission posts a card,
// and the owner's approval creates the connection in the emulated Atlas.
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
type Option = { text: { text: string }; value: string };

async function api(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${sandbox.playgroundUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}
const snapshot = async (as: string) => JSON.parse(await (await fetch(`${sandbox.playgroundUrl}api/state?as=${as}`)).text()) as WorkspaceSnapshot;

/** Opens the form with a command, as the page does, and returns its view id. */
async function open(command: string): Promise<string> {
  const before = sandbox.world.slack.count('views.open');
  await api('api/command', { as: WORLD.requester, text: command });
  await sandbox.world.slack.waitFor(() => sandbox.world.slack.count('views.open') === before + 1);
  return (await snapshot(WORLD.requester)).modal!.viewId;
}

const typeValue = (type: string) => ({
  target: { target: { type: 'static_select', selected_option: { text: plain('sandbox'), value: 'sandbox' } } },
  connection_type: { connection_type_picked: { type: 'static_select', selected_option: { text: plain(type), value: type } } } });
const external = (o: Option) => ({ type: 'external_select', selected_option: { text: plain(o.text.text), value: o.value } });

async function pick(viewId: string, type: string, blockId: string, actionId: string, wanted: string): Promise<Option> {
  const { options } = (await api('api/view-suggest', { as: WORLD.requester, viewId, values: typeValue(type), blockId, actionId, typed: '' })) as { options: Option[] };
  const found = options.find((o) => o.value === wanted);
  expect(found, `${wanted} among ${JSON.stringify(options.map((o) => o.value))}`).toBeDefined();
  return found!;
}

async function submitAndApprove(viewId: string, values: Record<string, unknown>, name: string) {
  await api('api/view-submit', { as: WORLD.requester, viewId, values });
  const { slack, atlas } = sandbox.world;
  expect((await snapshot(WORLD.requester)).modal ?? null).toBeNull();
  await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.includes(`connection ${name} `)));
  const card = slack.messages.find((m) => !m.threadTs && m.text.includes(`connection ${name} `))!;
  const block = (card.blocks as Array<{ block_id?: string; elements?: Array<{ action_id?: string }> }>).find((b) => b.elements?.some((e) => e.action_id === 'request_approve'))!;
  await api('api/message-action', { as: WORLD.owner, message: { channel: card.channel, ts: card.ts, ephemeral: false }, blockId: block.block_id, actionId: 'request_approve' });
  await atlas.waitFor(() => atlas.connections(WORLD.projectId, WORLD.instance).some((c) => c.name === name), 10_000);
  return atlas.connections(WORLD.projectId, WORLD.instance).find((c) => c.name === name)!;
}

describe('the playground walks the new connection types', () => {
  it('Cluster: picks a cluster and a custom role from the project', async () => {
    const viewId = await open('/spconn create cluster');
    const cluster = await pick(viewId, 'cluster', 'cluster_name', 'cluster_name', WORLD.cluster);
    expect(cluster.text.text).toBe('Cluster0 — IDLE');
    const role = await pick(viewId, 'cluster', 'cluster_role', 'db_role', `CUSTOM:${WORLD.customRole}`);
    const created = await submitAndApprove(
      viewId,
      { ...typeValue('cluster'), connection_name: { name: { type: 'plain_text_input', value: 'pg-cdc' } }, cluster_name: { cluster_name: external(cluster) }, cluster_role: { db_role: external(role) } },
      'pg-cdc',
    );
    expect(created).toMatchObject({ type: 'Cluster', clusterName: WORLD.cluster, dbRoleToExecute: { role: WORLD.customRole, type: 'CUSTOM' } });
  });

  it('Sample, Azure Blob Storage and Pub/Sub', async () => {
    let viewId = await open('/spconn create sample');
    const sample = { sample_dataset: { sample_dataset: { type: 'static_select', selected_option: { text: plain('Solar'), value: 'sample_stream_solar' } } } };
    expect(await submitAndApprove(viewId, { ...typeValue('sample'), ...sample }, 'sample_stream_solar')).toMatchObject({ type: 'Sample' });

    viewId = await open('/spconn create AzureBlobStorage');
    const principal = await pick(viewId, 'azureblob', 'azure_principal', 'azure_service_principal', WORLD.azurePrincipal);
    const blob = await submitAndApprove(
      viewId,
      { ...typeValue('azureblob'), connection_name: { name: { type: 'plain_text_input', value: 'pg-blob' } }, azure_principal: { azure_service_principal: external(principal) }, azure_storage_account: { storage_account: { type: 'plain_text_input', value: 'pgarchive' } } },
      'pg-blob',
    );
    expect(blob).toMatchObject({ type: 'AzureBlobStorage', azure: { servicePrincipalId: WORLD.azurePrincipal, storageAccountName: 'pgarchive' } });

    viewId = await open('/spconn create pubsub');
    const account = await pick(viewId, 'pubsub', 'gcp_account', 'gcp_service_account', WORLD.gcpServiceAccount);
    const ps = await submitAndApprove(viewId, { ...typeValue('pubsub'), connection_name: { name: { type: 'plain_text_input', value: 'pg-pubsub' } }, gcp_account: { gcp_service_account: external(account) } }, 'pg-pubsub');
    expect(ps).toMatchObject({ type: 'GCPPubSub', gcp: { serviceAccountId: WORLD.gcpServiceAccount } });
  });
});
