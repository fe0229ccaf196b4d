// Each editable type's form, filled from Atlas and submitted unchanged, says exactly what Atlas has:
// the edit plans no change (so `/spconn edit` refuses it inline), and one changed field is the only
// thing a PATCH would carry.
import { describe, expect, it } from 'vitest';
import type { StreamsConnection } from '../../src/atlas/streams.js';
import { planEdit } from '../../src/connections/edits.js';
import { CONNECTION_TYPES } from '../../src/connections/index.js';
import type { ConnectionType } from '../../src/connections/types.js';
import type { ViewStateValues } from '../../src/modals/viewState.js';

function typeOf(atlasType: string): ConnectionType<unknown> {
  const type = CONNECTION_TYPES.find((t) => t.atlasType === atlasType && !t.privateLinkPlan && t.formFromConnection);
  if (!type) throw new Error(`no editable type for ${atlasType}`);
  return type as ConnectionType<unknown>;
}

/** The plan for the form filled from `connection`, with `changes` applied to its values. */
export function planFor(connection: StreamsConnection, changes: ViewStateValues = {}) {
  const type = typeOf(connection.type);
  const values = { ...type.formFromConnection!(connection), ...changes };
  const form = type.parseForm(values, connection);
  if (!form.ok) throw new Error(`form refused: ${JSON.stringify(form.errors)}`);
  return planEdit(connection, type.atlasBody(connection.name, form.value), type.secretValues(form.value));
}

const ROLE = 'arn:aws:iam::123456789012:role/streams';
const LINK = '65b000000000000000000009';
const text = (value: string) => ({ type: 'plain_text_input', value });

describe('lambda', () => {
  it('round-trips with no change, public or over Private Link', () => {
    expect(planFor({ name: 'fn', type: 'AWSLambda', aws: { roleArn: ROLE } })).toEqual({ kind: 'none' });
    expect(planFor({ name: 'fn', type: 'AWSLambda', aws: { roleArn: ROLE }, publicPrivateNetworking: { access: { type: 'PRIVATE_LINK', connectionId: LINK } } })).toEqual({ kind: 'none' });
  });
  it('makes a move off Private Link a replace', () => {
    const plan = planFor(
      { name: 'fn', type: 'AWSLambda', aws: { roleArn: ROLE }, publicPrivateNetworking: { access: { type: 'PRIVATE_LINK', connectionId: LINK } } },
      { lambda_network_access: { network_access: { type: 'static_select', selected_option: { value: 'PUBLIC' } } }, lambda_private_link: { private_link_id: text('') } },
    );
    expect(plan).toMatchObject({ kind: 'replace', reason: expect.stringMatching(/PRIVATE_LINK → PUBLIC/) });
  });
});

describe('kinesis', () => {
  it('round-trips with no change, with or without networking from Atlas', () => {
    expect(planFor({ name: 'ks', type: 'AWSKinesisDataStreams', aws: { roleArn: ROLE } })).toEqual({ kind: 'none' });
    expect(planFor({ name: 'ks', type: 'AWSKinesisDataStreams', aws: { roleArn: ROLE }, networking: { access: { type: 'PRIVATE_LINK', connectionId: LINK } } })).toEqual({ kind: 'none' });
  });
});

const select = (value: string) => ({ type: 'external_select', selected_option: { value } });

describe('cluster', () => {
  const cluster = { name: 'c', type: 'Cluster', clusterName: 'Cluster0', dbRoleToExecute: { role: 'readWrite', type: 'BUILT_IN' } };
  it('round-trips with no change, built-in or custom role, in another project', () => {
    expect(planFor(cluster)).toEqual({ kind: 'none' });
    expect(planFor({ ...cluster, clusterGroupId: '65b000000000000000000001', dbRoleToExecute: { role: 'ordersWriter', type: 'CUSTOM' } })).toEqual({ kind: 'none' });
  });
  it('sends only the changed role', () => {
    const plan = planFor(cluster, { cluster_role: { db_role: select('BUILT_IN:read') } });
    expect(plan).toMatchObject({ kind: 'edit', patch: { name: 'c', type: 'Cluster', dbRoleToExecute: { role: 'read', type: 'BUILT_IN' } } });
    expect(plan.kind === 'edit' && Object.keys(plan.patch).sort()).toEqual(['dbRoleToExecute', 'name', 'type']);
  });
});

describe('azure blob', () => {
  const azure = { name: 'a', type: 'AzureBlobStorage', azure: { servicePrincipalId: '6f8f4b3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', storageAccountName: 'orders' } };
  it('round-trips with no change, public (stated or not) or over Private Link', () => {
    expect(planFor(azure)).toEqual({ kind: 'none' });
    expect(planFor({ ...azure, publicPrivateNetworking: { access: { type: 'PUBLIC' } } })).toEqual({ kind: 'none' });
    expect(planFor({ ...azure, publicPrivateNetworking: { access: { type: 'PRIVATE_LINK', connectionId: LINK } } })).toEqual({ kind: 'none' });
  });
  it('keeps Private Link networking when another field changes: an edit, not a replace', () => {
    const plan = planFor({ ...azure, publicPrivateNetworking: { access: { type: 'PRIVATE_LINK', connectionId: LINK } } }, { azure_storage_account: { storage_account: text('archive') } });
    expect(plan).toMatchObject({ kind: 'edit', patch: { name: 'a', type: 'AzureBlobStorage', azure: { storageAccountName: 'archive' } } });
    expect(plan.kind === 'edit' && Object.keys(plan.patch).sort()).toEqual(['azure', 'name', 'type']);
  });
});

describe('pub/sub', () => {
  it('round-trips with no change', () => {
    const gcp = { name: 'g', type: 'GCPPubSub', gcp: { serviceAccountId: 'mongodb-atlas-a1b2c3d4e5f6a7b8@p-0123456789abcdef01234567.iam.gserviceaccount.com' } };
    expect(planFor(gcp)).toEqual({ kind: 'none' });
    expect(planFor({ ...gcp, publicPrivateNetworking: { access: { type: 'PRIVATE_LINK', connectionId: LINK } } })).toEqual({ kind: 'none' });
  });
});

describe('schema registry', () => {
  const sr = {
    name: 'sr',
    type: 'SchemaRegistry',
    provider: 'CONFLUENT',
    schemaRegistryUrls: ['https://psrc-1.example.com', 'https://psrc-2.example.com'],
    schemaRegistryAuthentication: { type: 'USER_INFO', username: 'KEY1' },
  };
  it('round-trips with no change, the password left empty to keep', () => {
    expect(planFor(sr)).toEqual({ kind: 'none' });
    expect(planFor({ ...sr, schemaRegistryAuthentication: { type: 'SASL_INHERIT' } })).toEqual({ kind: 'none' });
  });
  it('sends only the URLs when they change, keeping the password', () => {
    const plan = planFor(sr, { sr_urls: { registry_urls: text('https://psrc-3.example.com') } });
    expect(plan).toEqual(expect.objectContaining({ kind: 'edit', patch: { name: 'sr', type: 'SchemaRegistry', schemaRegistryUrls: ['https://psrc-3.example.com'] } }));
  });
  it('asks for the password again when the username changes', () => {
    expect(() => planFor(sr, { sr_username: { registry_username: text('KEY2') } })).toThrow(/sr_password.*password again/);
  });
});

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xpZW50Q2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjAS\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN PRIVATE KEY-----\nFAKExKEYxFORxTESTSxNOTxAxCREDENTIAL\n-----END PRIVATE KEY-----';

describe('kafka with OIDC', () => {
  const oidc = {
    name: 'k',
    type: 'Kafka',
    bootstrapServers: 'b-1.example.com:9092',
    security: { protocol: 'SASL_SSL' },
    authentication: { mechanism: 'OAUTHBEARER', method: 'OIDC', tokenEndpointUrl: 'https://login.example.com/token', clientId: 'atlas', scope: 'kafka', saslOauthbearerExtensions: 'logicalCluster=lkc-1' },
    networking: { access: { type: 'PUBLIC' } },
  };
  it('round-trips with no change, the client secret left empty to keep', () => {
    expect(planFor(oidc)).toEqual({ kind: 'none' });
  });
  it('keeps the secret when only the bootstrap servers change', () => {
    expect(planFor(oidc, { kafka_bootstrap: { bootstrap_servers: text('b-2.example.com:9092') } })).toMatchObject({ kind: 'edit', patch: { name: 'k', type: 'Kafka', bootstrapServers: 'b-2.example.com:9092' } });
  });
  it('asks for the client secret again when another OIDC field changes, and sends it whole when given', () => {
    expect(() => planFor(oidc, { kafka_oidc_client_id: { client_id: text('atlas-2') } })).toThrow(/kafka_oidc_client_secret.*client secret again/);
    const plan = planFor(oidc, { kafka_oidc_client_id: { client_id: text('atlas-2') }, kafka_oidc_client_secret: { client_secret: text('new-secret-9') } });
    expect(plan).toMatchObject({ kind: 'edit', patch: { authentication: { clientId: 'atlas-2', clientSecret: 'new-secret-9' } } });
  });
});

describe('kafka with mutual TLS', () => {
  const mtls = {
    name: 'k',
    type: 'Kafka',
    bootstrapServers: 'b-1.example.com:9093',
    security: { protocol: 'SSL' },
    authentication: { sslCertificate: CERT },
    networking: { access: { type: 'PUBLIC' } },
  };
  it('round-trips with no change, the key and its password left empty to keep', () => {
    expect(planFor(mtls)).toEqual({ kind: 'none' });
  });
  it('keeps the key when only the bootstrap servers change', () => {
    expect(planFor(mtls, { kafka_bootstrap: { bootstrap_servers: text('b-2.example.com:9093') } })).toMatchObject({ kind: 'edit', patch: { name: 'k', type: 'Kafka', bootstrapServers: 'b-2.example.com:9093' } });
  });
  it('asks for the key again with a new certificate, and refuses a new key password alone', () => {
    const newCert = CERT.replace('MIIBsz', 'MIIBtz');
    expect(() => planFor(mtls, { kafka_tls_certificate: { ssl_certificate: text(newCert) } })).toThrow(/kafka_tls_key.*client key again/);
    expect(() => planFor(mtls, { kafka_tls_key_password: { ssl_key_password: text('pw-1') } })).toThrow(/kafka_tls_key_password/);
    const plan = planFor(mtls, { kafka_tls_certificate: { ssl_certificate: text(newCert) }, kafka_tls_key: { ssl_key: text(KEY) } });
    expect(plan).toMatchObject({ kind: 'edit', patch: { authentication: { sslCertificate: newCert, sslKey: KEY } } });
    expect(JSON.stringify(plan)).toContain('"secret":true');
  });
});
