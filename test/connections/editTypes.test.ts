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
