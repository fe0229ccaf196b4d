// The playground walks the Cluster, Sample, Azure Blob Storage and Pub/Sub forms against the real
// app and the seeded world: the pickers' options come from the app, the submission posts a card,
// and the owner's approval creates the connection in the emulated Atlas.
import { describe, expect, it } from 'vitest';
import { WORLD } from '../../src/sandbox/world.js';
import { plain, select, typed, usePlayground } from '../support/playground.js';

const playground = usePlayground();
const { api, snapshot, open, approve } = playground;
type Option = { text: { text: string }; value: string };

const typeValue = (type: string) => ({ target: { target: select('sandbox') }, connection_type: { connection_type_picked: select(type) } });
const external = (o: Option) => ({ type: 'external_select', selected_option: { text: plain(o.text.text), value: o.value } });

async function pick(viewId: string, type: string, blockId: string, actionId: string, wanted: string): Promise<Option> {
  const { options } = (await api('api/view-suggest', { as: WORLD.requester, viewId, values: typeValue(type), blockId, actionId, typed: '' })) as { options: Option[] };
  const found = options.find((o) => o.value === wanted);
  expect(found, `${wanted} among ${JSON.stringify(options.map((o) => o.value))}`).toBeDefined();
  return found!;
}

async function submitAndApprove(viewId: string, values: Record<string, unknown>, name: string) {
  await api('api/view-submit', { as: WORLD.requester, viewId, values });
  const { slack, atlas } = playground.world;
  expect((await snapshot(WORLD.requester)).modal ?? null).toBeNull();
  await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.includes(`connection ${name} `)));
  const card = slack.messages.find((m) => !m.threadTs && m.text.includes(`connection ${name} `))!;
  await approve(card);
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
      { ...typeValue('cluster'), connection_name: { name: typed('pg-cdc') }, cluster_name: { cluster_name: external(cluster) }, cluster_role: { db_role: external(role) } },
      'pg-cdc',
    );
    expect(created).toMatchObject({ type: 'Cluster', clusterName: WORLD.cluster, dbRoleToExecute: { role: WORLD.customRole, type: 'CUSTOM' } });
  });

  it('Sample, Azure Blob Storage and Pub/Sub', async () => {
    let viewId = await open('/spconn create sample');
    const sample = { sample_dataset: { sample_dataset: select('sample_stream_solar', 'Solar') } };
    expect(await submitAndApprove(viewId, { ...typeValue('sample'), ...sample }, 'sample_stream_solar')).toMatchObject({ type: 'Sample' });

    viewId = await open('/spconn create AzureBlobStorage');
    const principal = await pick(viewId, 'azureblob', 'azure_principal', 'azure_service_principal', WORLD.azurePrincipal);
    const blob = await submitAndApprove(
      viewId,
      { ...typeValue('azureblob'), connection_name: { name: typed('pg-blob') }, azure_principal: { azure_service_principal: external(principal) }, azure_storage_account: { storage_account: typed('pgarchive') } },
      'pg-blob',
    );
    expect(blob).toMatchObject({ type: 'AzureBlobStorage', azure: { servicePrincipalId: WORLD.azurePrincipal, storageAccountName: 'pgarchive' } });

    viewId = await open('/spconn create pubsub');
    const account = await pick(viewId, 'pubsub', 'gcp_account', 'gcp_service_account', WORLD.gcpServiceAccount);
    const ps = await submitAndApprove(viewId, { ...typeValue('pubsub'), connection_name: { name: typed('pg-pubsub') }, gcp_account: { gcp_service_account: external(account) } }, 'pg-pubsub');
    expect(ps).toMatchObject({ type: 'GCPPubSub', gcp: { serviceAccountId: WORLD.gcpServiceAccount } });
  });
});
