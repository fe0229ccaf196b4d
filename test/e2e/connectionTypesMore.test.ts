// Cluster, Sample, Azure Blob Storage and Pub/Sub end to end over HTTP: the pickers offer what the
// project holds, bad input is refused inline, and an approved request sends Atlas exactly the body.
// Also: Atlas's own type names in `/spconn create`, the picker listing every type, list and show.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONNECTION_TYPES } from '../../src/connections/index.js';
import { WORLD_PROJECT_EXTRAS } from '../../src/sandbox/world.js';
import { state } from '../support/slackDriver.js';
import { cardFor, openModal, startStack, submitCreateForm, threadTexts, WORLD, type Stack } from '../support/stack.js';

const OTHER_PROJECT = 'aaaaaaaaaaaaaaaaaaaaaaaa';

function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});

type Errors = { response_action: string; errors: Record<string, string> };

async function approveAndWait(name: string) {
  const card = cardFor(stack, name)!;
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes(':white_check_mark:') || t.includes(':x:')));
  return threadTexts(stack, card).join('\n');
}

async function createdAfterApproval(name: string) {
  await stack.world.slack.waitFor(() => cardFor(stack, name) !== undefined);
  expect(await approveAndWait(name)).toContain('ready to use');
  return stack.world.atlas.connections(WORLD.projectId, WORLD.instance).find((c) => c.name === name);
}

async function options(type: string, blockId: string, actionId: string, typed = '') {
  const view = await openModal(stack, `create ${type}`);
  const base = { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select(type) } };
  const res = await stack.driver.suggest(view, base, blockId, actionId, typed, { user: WORLD.requester });
  return (res.json() as { options: Array<{ text: { text: string }; value: string }> }).options;
}

const ephemeralFor = (user: string) => stack.world.slack.ephemerals.filter((e) => e.user === user);

async function command(text: string) {
  const res = await stack.driver.command(text, { user: WORLD.requester, channel: WORLD.channel, triggerId: stack.world.slack.issueTriggerId() });
  expect(res.status).toBe(200);
}

describe('Cluster connections', () => {
  const cluster = (overrides: { cluster?: string | null; group?: string | null; role?: string | null; name?: string } = {}) => ({
    connection_name: { name: state.text(overrides.name ?? 'orders-cdc') },
    cluster_name: { cluster_name: state.external(overrides.cluster === undefined ? WORLD.cluster : overrides.cluster) },
    cluster_group: { cluster_group_id: state.text(overrides.group ?? null) },
    cluster_role: { db_role: state.external(overrides.role === undefined ? 'BUILT_IN:readWrite' : overrides.role) },
  });

  it("lists the project's clusters with their state and roles built-in and custom", async () => {
    const clusters = await options('cluster', 'cluster_name', 'cluster_name');
    expect(clusters.map((o) => o.text.text)).toEqual(['Cluster0 — IDLE', 'analytics — PAUSED (cannot be used)', 'legacy — DELETING (cannot be used)', 'reporting — CREATING']);
    expect(clusters.map((o) => o.value)).toEqual(['Cluster0', 'analytics', 'legacy', 'reporting']);
    expect((await options('cluster', 'cluster_name', 'cluster_name', 'elsewhere')).map((o) => o.text.text)).toEqual(['elsewhere (another project)']);
    const roles = await options('cluster', 'cluster_role', 'db_role');
    expect(roles.map((o) => o.value)).toEqual(expect.arrayContaining(['BUILT_IN:read', 'BUILT_IN:readWrite', 'BUILT_IN:atlasAdmin', `CUSTOM:${WORLD.customRole}`]));
    expect(roles.find((o) => o.value === `CUSTOM:${WORLD.customRole}`)!.text.text).toBe(`${WORLD.customRole} (custom)`);
  });

  it('refuses a paused, deleting or unknown cluster, a bad project id and an unknown custom role inline, and sends nothing', async () => {
    const paused = (await submitCreateForm(stack, 'cluster', cluster({ cluster: 'analytics' }))) as Errors;
    expect(paused.errors.cluster_name).toMatch(/analytics is paused/);
    const deleting = (await submitCreateForm(stack, 'cluster', cluster({ cluster: 'legacy' }))) as Errors;
    expect(deleting.errors.cluster_name).toMatch(/legacy is being deleted/);
    const unknown = (await submitCreateForm(stack, 'cluster', cluster({ cluster: 'nope' }))) as Errors;
    expect(unknown.errors.cluster_name).toMatch(/no cluster named nope in the project/);
    const badGroup = (await submitCreateForm(stack, 'cluster', cluster({ group: 'not-hex' }))) as Errors;
    expect(badGroup.errors.cluster_group).toMatch(/24 hexadecimal digits/);
    const badRole = (await submitCreateForm(stack, 'cluster', cluster({ role: 'CUSTOM:ghostRole' }))) as Errors;
    expect(badRole.errors.cluster_role).toMatch(/no custom role ghostRole/);
    const noRole = (await submitCreateForm(stack, 'cluster', cluster({ role: null }))) as Errors;
    expect(noRole.errors.cluster_role).toMatch(/database role/);
    expect(stack.world.atlas.count('createConnection')).toBe(0);
    expect(stack.world.slack.messages.filter((m) => !m.threadTs)).toHaveLength(0);
  });

  it('creates a connection executing as a custom role, with exactly the Cluster body', async () => {
    expect(await submitCreateForm(stack, 'cluster', cluster({ role: `CUSTOM:${WORLD.customRole}` }))).toBeUndefined();
    await stack.world.slack.waitFor(() => cardFor(stack, 'orders-cdc') !== undefined);
    const card = JSON.stringify(cardFor(stack, 'orders-cdc')!.blocks);
    expect(card).toContain('Cluster0');
    expect(card).toContain(`${WORLD.customRole} (custom)`);
    const created = await createdAfterApproval('orders-cdc');
    const body = stack.world.atlas.calls.find((c) => c.operation === 'createConnection')!.body;
    expect(body).toEqual({ name: 'orders-cdc', type: 'Cluster', clusterName: WORLD.cluster, dbRoleToExecute: { role: WORLD.customRole, type: 'CUSTOM' } });
    expect(created).toMatchObject({ state: 'READY' });
  });

  it('creates a connection to a cluster in another project (clusterGroupId)', async () => {
    stack.world.atlas.addProject(OTHER_PROJECT, { clusters: [{ name: 'shared' }] });
    expect(await submitCreateForm(stack, 'cluster', cluster({ name: 'shared-cdc', cluster: 'shared', group: OTHER_PROJECT, role: 'BUILT_IN:read' }))).toBeUndefined();
    await createdAfterApproval('shared-cdc');
    const body = stack.world.atlas.calls.find((c) => c.operation === 'createConnection')!.body;
    expect(body).toEqual({ name: 'shared-cdc', type: 'Cluster', clusterName: 'shared', clusterGroupId: OTHER_PROJECT, dbRoleToExecute: { role: 'read', type: 'BUILT_IN' } });
  });

  it('does not hold the form when Atlas is slower than the ack budget: the cluster check is left out', async () => {
    const { atlas, slack } = stack.world;
    const held = gate();
    atlas.injectFault({ method: 'GET', path: '/clusters', status: 200, until: held.opened });
    try {
      expect(await submitCreateForm(stack, 'cluster', cluster({ name: 'slow-atlas' }))).toBeUndefined();
      await slack.waitFor(() => cardFor(stack, 'slow-atlas') !== undefined);
      expect(atlas.calls.some((c) => c.path.endsWith('/clusters') && c.status === 0)).toBe(true);
    } finally {
      held.open();
    }
  });

  it('refuses a cluster that was paused after the picker showed it', async () => {
    stack.world.atlas.setClusterState(WORLD.projectId, WORLD.cluster, { paused: true });
    const refused = (await submitCreateForm(stack, 'cluster', cluster())) as Errors;
    expect(refused.errors.cluster_name).toMatch(/Cluster0 is paused; resume it/);
  });
});

describe('Sample connections', () => {
  it('offers the sample data sets instead of a name field, and names the connection after the one chosen', async () => {
    const view = await openModal(stack, 'create sample');
    const blocks = JSON.stringify(view.blocks);
    expect(blocks).not.toContain('"block_id":"connection_name"');
    expect(blocks).toContain('sample_stream_solar');

    const refused = (await submitCreateForm(stack, 'sample', { sample_dataset: { sample_dataset: state.select('sample_stream_lunar') } })) as Errors;
    expect(refused.errors.sample_dataset).toMatch(/Choose one of the sample data sets/);

    expect(await submitCreateForm(stack, 'sample', { sample_dataset: { sample_dataset: state.select('sample_stream_solar') } })).toBeUndefined();
    await createdAfterApproval('sample_stream_solar');
    expect(stack.world.atlas.calls.find((c) => c.operation === 'createConnection')!.body).toEqual({ name: 'sample_stream_solar', type: 'Sample' });

    // Once it exists, asking again says so on the data set's field.
    const again = (await submitCreateForm(stack, 'sample', { sample_dataset: { sample_dataset: state.select('sample_stream_solar') } })) as Errors;
    expect(again.errors.sample_dataset).toMatch(/already exists/);
  });
});

describe('Azure Blob Storage connections', () => {
  const azure = (principal: string | null, account: string | null, name = 'archive') => ({
    connection_name: { name: state.text(name) },
    azure_principal: { azure_service_principal: state.external(principal) },
    azure_storage_account: { storage_account: state.text(account) },
  });

  it("offers the project's service principals, refuses an unregistered one and a bad account inline, and creates", async () => {
    expect((await options('azureblob', 'azure_principal', 'azure_service_principal')).map((o) => o.value)).toEqual([WORLD.azurePrincipal]);
    const unregistered = (await submitCreateForm(stack, 'azureblob', azure('11111111-2222-4333-8444-555555555555', 'ordersarchive'))) as Errors;
    expect(unregistered.errors.azure_principal).toMatch(/not registered in the project/);
    const badAccount = (await submitCreateForm(stack, 'azureblob', azure(WORLD.azurePrincipal, 'Orders_Archive'))) as Errors;
    expect(badAccount.errors.azure_storage_account).toMatch(/3 to 24 lower-case letters and digits/);

    expect(await submitCreateForm(stack, 'azureblob', azure(WORLD.azurePrincipal, 'ordersarchive'))).toBeUndefined();
    await createdAfterApproval('archive');
    expect(stack.world.atlas.calls.find((c) => c.operation === 'createConnection')!.body).toEqual({
      name: 'archive',
      type: 'AzureBlobStorage',
      azure: { servicePrincipalId: WORLD.azurePrincipal, storageAccountName: 'ordersarchive' },
      publicPrivateNetworking: { access: { type: 'PUBLIC' } },
    });
  });
});

describe('Pub/Sub connections', () => {
  const pubsub = (account: string | null, name = 'events-gcp') => ({
    connection_name: { name: state.text(name) },
    gcp_account: { gcp_service_account: state.external(account) },
  });
  const inProgress = WORLD_PROJECT_EXTRAS.gcpServiceAccounts[1]!.gcpServiceAccountForAtlas;

  it("offers the project's service accounts, refuses one not ready or unknown inline, and creates", async () => {
    const listed = await options('pubsub', 'gcp_account', 'gcp_service_account');
    expect(listed.map((o) => o.value)).toEqual([WORLD.gcpServiceAccount, inProgress]);
    expect(listed[1]!.text.text).toMatch(/^\(IN_PROGRESS\) mongodb-atlas-/);
    const notReady = (await submitCreateForm(stack, 'pubsub', pubsub(inProgress))) as Errors;
    expect(notReady.errors.gcp_account).toMatch(/not ready in Atlas yet \(IN_PROGRESS\)/);
    const unknown = (await submitCreateForm(stack, 'pubsub', pubsub('someone-else@other-project.iam.gserviceaccount.com'))) as Errors;
    expect(unknown.errors.gcp_account).toMatch(/not set up in the project/);
    const notAnAccount = (await submitCreateForm(stack, 'pubsub', pubsub('bob@example.com'))) as Errors;
    expect(notAnAccount.errors.gcp_account).toMatch(/not a GCP service account address/);

    expect(await submitCreateForm(stack, 'pubsub', pubsub(WORLD.gcpServiceAccount))).toBeUndefined();
    await createdAfterApproval('events-gcp');
    expect(stack.world.atlas.calls.find((c) => c.operation === 'createConnection')!.body).toEqual({
      name: 'events-gcp',
      type: 'GCPPubSub',
      gcp: { serviceAccountId: WORLD.gcpServiceAccount },
      publicPrivateNetworking: { access: { type: 'PUBLIC' } },
    });
  });
});

describe("Atlas's type names and the type picker", () => {
  it.each([
    ['Cluster', 'cluster_name', 'New Atlas cluster'],
    ['CLUSTER', 'cluster_name', 'New Atlas cluster'],
    ['Sample', 'sample_dataset', 'New Sample data'],
    ['AzureBlobStorage', 'azure_principal', 'New Azure Blob Storage'],
    ['gcppubsub', 'gcp_account', 'New Google Pub/Sub'],
    ['Https', 'https_url', 'New HTTPS connection'],
    ['S3', 's3_role', 'New S3 connection'],
    ['Kafka', 'kafka_bootstrap', 'New Kafka connection'],
  ])('/spconn create %s opens that form', async (word, block, title) => {
    const view = await openModal(stack, `create ${word}`);
    expect(JSON.stringify(view.blocks)).toContain(`"block_id":"${block}"`);
    // Slack's limit is 24 characters: a title that fits, not one cut mid-word.
    expect((view as unknown as { title: { text: string } }).title.text).toBe(title);
  });

  it('lists every type in the picker', async () => {
    const view = await openModal(stack, 'create');
    const picker = (view.blocks as Array<{ block_id?: string; element?: { options?: Array<{ value: string }> } }>).find((b) => b.block_id === 'connection_type')!;
    expect(picker.element!.options!.map((o) => o.value)).toEqual(CONNECTION_TYPES.map((t) => t.id));
    expect(picker.element!.options!.map((o) => o.value)).toEqual(expect.arrayContaining(['cluster', 'sample', 'azureblob', 'pubsub', 'https', 's3', 'kafka', 'privatelink']));
  });
});

describe('delete', () => {
  it('deletes a Cluster connection after an owner approves', async () => {
    const list = stack.world.atlas.connections(WORLD.projectId, WORLD.instance);
    list.push({ name: 'old-cdc', type: 'Cluster', clusterName: WORLD.cluster, dbRoleToExecute: { role: 'read', type: 'BUILT_IN' }, state: 'READY' });
    await command('delete old-cdc');
    await stack.world.slack.waitFor(() => cardFor(stack, 'old-cdc') !== undefined);
    expect(JSON.stringify(cardFor(stack, 'old-cdc')!.blocks)).toContain('Cluster0');
    await approveAndWait('old-cdc');
    expect(stack.world.atlas.connections(WORLD.projectId, WORLD.instance).map((c) => c.name)).not.toContain('old-cdc');
  });
});

describe('list and show', () => {
  it('describe each new type with its own fields', async () => {
    const list = stack.world.atlas.connections(WORLD.projectId, WORLD.instance);
    list.push(
      { name: 'cdc', type: 'Cluster', clusterName: 'Cluster0', dbRoleToExecute: { role: 'readWrite', type: 'BUILT_IN' }, state: 'READY' },
      { name: 'sample_stream_solar', type: 'Sample', state: 'READY' },
      { name: 'blob', type: 'AzureBlobStorage', azure: { servicePrincipalId: WORLD.azurePrincipal, storageAccountName: 'ordersarchive' }, state: 'READY' },
      { name: 'ps', type: 'GCPPubSub', gcp: { serviceAccountId: WORLD.gcpServiceAccount }, state: 'READY' },
    );
    await command('list');
    await stack.world.slack.waitFor(() => ephemeralFor(WORLD.requester).length === 1);
    const listed = JSON.stringify(ephemeralFor(WORLD.requester)[0]!.blocks);
    for (const name of ['cdc', 'sample_stream_solar', 'blob', 'ps']) expect(listed).toContain(name);

    const shown: Record<string, string[]> = {
      cdc: ['Cluster0', 'readWrite (built-in)'],
      sample_stream_solar: ['Data set'],
      blob: ['ordersarchive', WORLD.azurePrincipal],
      ps: [WORLD.gcpServiceAccount],
    };
    let n = 1;
    for (const [name, expected] of Object.entries(shown)) {
      await command(`show ${name}`);
      n++;
      await stack.world.slack.waitFor(() => ephemeralFor(WORLD.requester).length === n);
      const text = JSON.stringify(ephemeralFor(WORLD.requester)[n - 1]!.blocks);
      for (const e of expected) expect(text).toContain(e);
    }
  });
});
