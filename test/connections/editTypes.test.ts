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
