// `/spconn edit` end to end for every type beyond HTTPS, S3 and Kafka SASL (edit.test.ts): the form
// filled from Atlas, one change, the card's diff, approval, and the exact PATCH body Atlas gets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEdit as openEditForm, seedConnection, storedConnection, submitEdit, submitted, type OpenedView } from '../support/edit.js';
import type { ViewStateValues } from '../support/slackDriver.js';
import { cardFor, startStack, state, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});

const seed = (connection: Record<string, unknown>) => seedConnection(stack, connection);
const stored = (name: string) => storedConnection(stack, name);
const openEdit = (text: string) => openEditForm(stack, text);
const submit = (view: OpenedView, values: ViewStateValues) => submitEdit(stack, view, values);

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

  it('edits a Schema Registry connection: new URLs travel alone, the password Atlas has is kept', async () => {
    seed({ name: 'registry', type: 'SchemaRegistry', provider: 'CONFLUENT', schemaRegistryUrls: ['https://psrc-1.example.com'], schemaRegistryAuthentication: { type: 'USER_INFO', username: 'KEY1', password: 'CANARY-sr-old-1' } });
    const { body, cardJson, view } = await editAndApprove('registry', { sr_urls: { registry_urls: state.text('https://psrc-1.example.com\nhttps://psrc-2.example.com') } });
    expect(JSON.stringify(view.blocks)).toContain('"initial_value":"KEY1"');
    expect(cardJson).toContain('psrc-2.example.com');
    expect(body).toEqual({ name: 'registry', type: 'SchemaRegistry', schemaRegistryUrls: ['https://psrc-1.example.com', 'https://psrc-2.example.com'] });
    expect(stored('registry')).toMatchObject({ schemaRegistryAuthentication: { password: 'CANARY-sr-old-1' } });
  });

  const oidc = {
    name: 'oidc-events',
    type: 'Kafka',
    bootstrapServers: 'b-1.kafka.example.com:9092',
    security: { protocol: 'SASL_SSL' },
    authentication: { mechanism: 'OAUTHBEARER', method: 'OIDC', tokenEndpointUrl: 'https://login.example.com/oauth2/token', clientId: 'atlas', clientSecret: 'CANARY-oidc-old-1' },
    networking: { access: { type: 'PUBLIC' } },
  };

  it('edits a Kafka OIDC connection leaving the client secret empty: it is kept, only the servers travel', async () => {
    seed(oidc);
    const { body, view } = await editAndApprove('oidc-events', { kafka_bootstrap: { bootstrap_servers: state.text('b-2.kafka.example.com:9092') } });
    expect(JSON.stringify(view.blocks)).toContain('"initial_value":"atlas"');
    expect(JSON.stringify(view.blocks)).not.toContain('CANARY-oidc-old-1');
    expect(body).toEqual({ name: 'oidc-events', type: 'Kafka', bootstrapServers: 'b-2.kafka.example.com:9092' });
    expect(stored('oidc-events')).toMatchObject({ authentication: { clientSecret: 'CANARY-oidc-old-1' } });
  });

  it('edits a Kafka OIDC client id with a new secret: shown only as changed, never in clear', async () => {
    const { slack } = stack.world;
    seed(oidc);
    const view = await openEdit('edit oidc-events');
    const refused = await submit(view, submitted(view, { kafka_oidc_client_id: { client_id: state.text('atlas-2') } }));
    expect(refused?.errors?.kafka_oidc_client_secret).toMatch(/client secret again/);
    const secret = 'CANARY-oidc-new-2';
    const { body, cardJson } = await editAndApprove('oidc-events', { kafka_oidc_client_id: { client_id: state.text('atlas-2') }, kafka_oidc_client_secret: { client_secret: state.text(secret) } });
    expect(cardJson).toMatch(/authentication\.clientSecret\*: _changed \(secret\)_/);
    expect(body).toEqual({ name: 'oidc-events', type: 'Kafka', authentication: { mechanism: 'OAUTHBEARER', method: 'OIDC', tokenEndpointUrl: 'https://login.example.com/oauth2/token', clientId: 'atlas-2', clientSecret: secret } });
    await stack.app.requests.idle();
    expect([JSON.stringify(slack.calls), JSON.stringify(slack.messages), stack.logs.join('\n')].join('\n')).not.toContain(secret);
  });

  it('edits a Kafka mutual TLS connection leaving the key and its password empty: both are kept', async () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xpZW50Q2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjAS\n-----END CERTIFICATE-----';
    seed({
      name: 'tls-events',
      type: 'Kafka',
      bootstrapServers: 'b-1.kafka.example.com:9093',
      security: { protocol: 'SSL' },
      authentication: { sslCertificate: cert, sslKey: 'CANARY-tls-key-1', sslKeyPassword: 'CANARY-tls-pw-1' },
      networking: { access: { type: 'PUBLIC' } },
    });
    const { body, view } = await editAndApprove('tls-events', { kafka_bootstrap: { bootstrap_servers: state.text('b-2.kafka.example.com:9093') } });
    expect(JSON.stringify(view.blocks)).not.toContain('CANARY-tls');
    expect(body).toEqual({ name: 'tls-events', type: 'Kafka', bootstrapServers: 'b-2.kafka.example.com:9093' });
    expect(stored('tls-events')).toMatchObject({ authentication: { sslKey: 'CANARY-tls-key-1', sslKeyPassword: 'CANARY-tls-pw-1' } });
  });
});
