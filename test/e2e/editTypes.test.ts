// `/spconn edit` end to end for every type beyond HTTPS, S3 and Kafka SASL (edit.test.ts): the form
// filled from Atlas, one change, the card's diff, approval, and the exact PATCH body Atlas gets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ViewStateValues } from '../support/slackDriver.js';
import { cardFor, startStack, state, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});


function seed(connection: Record<string, unknown>) {
  stack.world.atlas.connections(WORLD.projectId, WORLD.instance).push({ id: '65a000000000000000000001', state: 'READY', ...connection });
}

function stored(name: string) {
  return stack.world.atlas.connections(WORLD.projectId, WORLD.instance).find((c) => c.name === name);
}

/** Runs `/spconn edit …` and returns the filled form once it replaced the loading notice. */
async function openEdit(text: string) {
  const { slack } = stack.world;
  const triggerId = slack.issueTriggerId();
  expect((await stack.driver.command(text, { user: WORLD.requester, channel: WORLD.channel, triggerId })).status).toBe(200);
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === triggerId && v.updates > 0));
  const view = [...slack.views.values()].find((v) => v.triggerId === triggerId)!;
  return { ...view.view, id: view.id, hash: view.hash, blocks: view.view.blocks as unknown[], private_metadata: String(view.view.private_metadata ?? ''), callback_id: String(view.view.callback_id ?? '') };
}

type OpenedView = Awaited<ReturnType<typeof openEdit>>;

/** What Slack would submit: every input's initial value, then the person's changes. */
function submitted(view: OpenedView, changes: ViewStateValues): ViewStateValues {
  const values: ViewStateValues = {};
  for (const block of view.blocks as Array<{ type: string; block_id?: string; element?: Record<string, unknown> }>) {
    if (block.type !== 'input' || !block.block_id || !block.element) continue;
    const action = String(block.element.action_id);
    const el = block.element;
    values[block.block_id] = {
      [action]:
        el.type === 'plain_text_input'
          ? state.text(typeof el.initial_value === 'string' ? el.initial_value : null)
          : el.type === 'external_select'
            ? state.external((el.initial_option as { value?: string } | undefined)?.value ?? null)
            : state.select((el.initial_option as { value?: string } | undefined)?.value ?? null),
    };
  }
  return { ...values, ...changes };
}

async function submit(view: OpenedView, values: ViewStateValues) {
  const res = await stack.driver.submitView(view, values, { user: WORLD.requester });
  expect(res.status).toBe(200);
  return res.json() as { response_action?: string; errors?: Record<string, string> } | undefined;
}

/** Submits `changes` on the filled form, approves the card, and returns the one PATCH body and the card. */
async function editAndApprove(name: string, changes: ViewStateValues) {
  const { slack, atlas } = stack.world;
  const view = await openEdit(`edit ${name}`);
  const ack = await submit(view, submitted(view, changes));
  expect(ack).toBeUndefined();
  await slack.waitFor(() => cardFor(stack, name) !== undefined);
  const card = cardFor(stack, name)!;
  expect(atlas.count('updateConnection')).toBe(0);
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('is updated')));
  const patches = atlas.calls.filter((c) => c.operation === 'updateConnection');
  expect(patches).toHaveLength(1);
  return { body: patches[0]!.body, cardJson: JSON.stringify(card.blocks), view };
}

const OLD_ROLE = 'arn:aws:iam::123456789012:role/old-streams-role';

describe('editing every type', () => {
  it('edits an AWS Lambda connection: the role comes back chosen, the new role is the PATCH', async () => {
    seed({ name: 'fns', type: 'AWSLambda', aws: { roleArn: OLD_ROLE } });
    const { body, cardJson, view } = await editAndApprove('fns', { lambda_role: { lambda_role_arn: state.external(WORLD.s3Role) } });
    expect(JSON.stringify(view.blocks)).toContain(`"value":"${OLD_ROLE}"`);
    expect(cardJson).toContain('old-streams-role');
    expect(cardJson).toContain('atlas-s3-writer');
    expect(body).toEqual({ name: 'fns', type: 'AWSLambda', aws: { roleArn: WORLD.s3Role } });
    expect(stored('fns')).toMatchObject({ aws: { roleArn: WORLD.s3Role } });
  });

  it('edits an AWS Kinesis connection: only the role travels, networking stays out', async () => {
    seed({ name: 'streams', type: 'AWSKinesisDataStreams', aws: { roleArn: OLD_ROLE }, networking: { access: { type: 'PUBLIC' } } });
    const { body } = await editAndApprove('streams', { kinesis_role: { kinesis_role_arn: state.external(WORLD.s3Role) } });
    expect(body).toEqual({ name: 'streams', type: 'AWSKinesisDataStreams', aws: { roleArn: WORLD.s3Role } });
  });

  it('edits an Atlas cluster connection: cluster and role come back chosen, the new role is the PATCH', async () => {
    seed({ name: 'atlas-orders', type: 'Cluster', clusterName: WORLD.cluster, dbRoleToExecute: { role: 'read', type: 'BUILT_IN' } });
    const { body, cardJson, view } = await editAndApprove('atlas-orders', { cluster_role: { db_role: state.external('CUSTOM:ordersWriter') } });
    expect(JSON.stringify(view.blocks)).toContain('"value":"BUILT_IN:read"');
    expect(cardJson).toContain('dbRoleToExecute');
    expect(body).toEqual({ name: 'atlas-orders', type: 'Cluster', dbRoleToExecute: { role: WORLD.customRole, type: 'CUSTOM' } });
  });

  it('edits an Azure Blob Storage connection: the storage account changes, its Private Link stays', async () => {
    const linkId = '65b000000000000000000009';
    stack.world.atlas.privateLinks(WORLD.projectId).push({ _id: linkId, provider: 'AZURE', region: 'eastus', serviceEndpointId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/ordersold', dnsDomain: 'ordersold.blob.core.windows.net', state: 'DONE' });
    const link = { access: { type: 'PRIVATE_LINK', connectionId: linkId } };
    seed({ name: 'blobs', type: 'AzureBlobStorage', azure: { servicePrincipalId: WORLD.azurePrincipal, storageAccountName: 'ordersold' }, publicPrivateNetworking: link });
    const { body, cardJson } = await editAndApprove('blobs', { azure_storage_account: { storage_account: state.text('ordersnew') } });
    expect(cardJson).toContain('ordersold');
    expect(cardJson).toContain('ordersnew');
    expect(body).toEqual({ name: 'blobs', type: 'AzureBlobStorage', azure: { servicePrincipalId: WORLD.azurePrincipal, storageAccountName: 'ordersnew' } });
    expect(stored('blobs')).toMatchObject({ publicPrivateNetworking: link });
  });

  it('edits a Google Pub/Sub connection: the service account is the change', async () => {
    const old = 'mongodb-atlas-0000000000000000@p-0123456789abcdef01234567.iam.gserviceaccount.com';
    seed({ name: 'topics', type: 'GCPPubSub', gcp: { serviceAccountId: old } });
    const { body, view } = await editAndApprove('topics', { gcp_account: { gcp_service_account: state.external(WORLD.gcpServiceAccount) } });
    expect(JSON.stringify(view.blocks)).toContain(`"value":"${old}"`);
    expect(body).toEqual({ name: 'topics', type: 'GCPPubSub', gcp: { serviceAccountId: WORLD.gcpServiceAccount } });
  });
});
