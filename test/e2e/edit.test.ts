// `/spconn edit` end to end: the form filled from Atlas, the card's change field by field, one
// PATCH with only the changed fields plus name and type, the outcome in the thread.
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

const OLD_TOKEN = 'CANARY-old-header-7731';
const NEW_PASSWORD = 'CANARY-new-kafka-pw-4242';

const seed = (connection: Record<string, unknown>) => seedConnection(stack, connection);
const stored = (name: string) => storedConnection(stack, name);
const openEdit = (text: string) => openEditForm(stack, text);
const submit = (view: OpenedView, values: ViewStateValues) => submitEdit(stack, view, values);

describe('editing a connection', () => {
  it('fills the form from Atlas, shows the change, and sends one PATCH of only the changed fields', async () => {
    const { slack, atlas } = stack.world;
    seed({ name: 'orders-api', type: 'Https', url: 'https://api.example.com/v1/orders', headers: { Authorization: `Bearer ${OLD_TOKEN}` } });
    const view = await openEdit('edit orders-api');
    const formJson = JSON.stringify(view.blocks);
    expect(formJson).toContain('"initial_value":"https://api.example.com/v1/orders"');
    expect(formJson).toContain('Leave empty to keep');
    expect(formJson).not.toContain(OLD_TOKEN);

    const ack = await submit(view, submitted(view, { https_url: { url: state.text('https://api.example.com/v2/orders') } }));
    expect(ack).toBeUndefined();
    await slack.waitFor(() => cardFor(stack, 'orders-api') !== undefined);
    const card = cardFor(stack, 'orders-api')!;
    const cardJson = JSON.stringify(card.blocks);
    expect(card.text).toMatch(/^Edit HTTPS connection orders-api/);
    expect(cardJson).toContain('https://api.example.com/v1/orders');
    expect(cardJson).toContain('https://api.example.com/v2/orders');
    expect(cardJson).not.toContain(OLD_TOKEN);
    expect(atlas.count('updateConnection')).toBe(0);

    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('is updated')));
    const patches = atlas.calls.filter((c) => c.operation === 'updateConnection');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body).toEqual({ name: 'orders-api', type: 'Https', url: 'https://api.example.com/v2/orders' });
    // The header Atlas had is kept: the PATCH left it out.
    expect(stored('orders-api')).toMatchObject({ url: 'https://api.example.com/v2/orders', headers: { Authorization: `Bearer ${OLD_TOKEN}` } });
  });

  it('refuses a form with no change inline, and sends nothing', async () => {
    const { slack, atlas } = stack.world;
    seed({ name: 'orders-api', type: 'Https', url: 'https://api.example.com/v1/orders', headers: { Authorization: `Bearer ${OLD_TOKEN}` } });
    const view = await openEdit('edit orders-api');
    const ack = await submit(view, submitted(view, {}));
    expect(ack?.response_action).toBe('errors');
    expect(ack?.errors?.edit_connection_type).toMatch(/Nothing changed/);
    expect(slack.count('chat.postMessage')).toBe(0);
    expect(atlas.count('updateConnection')).toBe(0);
  });

  it('shows a changed secret only as "changed", and its value never reaches Slack, the logs or the database', async () => {
    const { slack, atlas } = stack.world;
    seed({
      name: 'events',
      type: 'Kafka',
      bootstrapServers: 'b-1.kafka.example.com:9092',
      security: { protocol: 'SASL_SSL' },
      authentication: { mechanism: 'SCRAM-512', username: 'svc-atlas', password: 'old-password-1' },
      networking: { access: { type: 'PUBLIC' } },
    });
    const view = await openEdit('edit events');
    expect(JSON.stringify(view.blocks)).toContain('"initial_value":"svc-atlas"');
    expect(JSON.stringify(view.blocks)).not.toContain('old-password-1');

    // Changing the user while keeping the password: authentication travels whole, so it is asked for.
    const refused = await submit(view, submitted(view, { kafka_username: { username: state.text('svc-new') } }));
    expect(refused?.errors?.kafka_password).toMatch(/password again/);

    expect(await submit(view, submitted(view, { kafka_password: { password: state.text(NEW_PASSWORD) } }))).toBeUndefined();
    await slack.waitFor(() => cardFor(stack, 'events') !== undefined);
    const card = cardFor(stack, 'events')!;
    expect(JSON.stringify(card.blocks)).toMatch(/authentication\.password\*: _changed \(secret\)_/);
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('is updated')));

    const patch = atlas.calls.find((c) => c.operation === 'updateConnection')!;
    expect(patch.body).toEqual({ name: 'events', type: 'Kafka', authentication: { mechanism: 'SCRAM-512', username: 'svc-atlas', password: NEW_PASSWORD } });
    expect(stored('events')).toMatchObject({ bootstrapServers: 'b-1.kafka.example.com:9092', authentication: { password: NEW_PASSWORD } });

    await stack.app.requests.idle();
    const everywhere = [JSON.stringify(slack.calls), JSON.stringify(slack.messages), JSON.stringify(slack.ephemerals), stack.logs.join('\n')].join('\n');
    expect(everywhere).not.toContain(NEW_PASSWORD);
    const row = (await stack.store.recentRequests(['sandbox'], new Date(0), 10)).rows.find((r) => r.connection_name === 'events')!;
    expect(JSON.stringify(row)).not.toContain(NEW_PASSWORD);
    expect(row.action).toBe('edit');
    expect((await stack.store.get(row.id))!.sealed_call).toBeNull();
  });

  it('takes a secretsmanager: reference in an edit: checked inline, read at execution, the value sent, remembered for the field', async () => {
    const { slack, atlas, secrets } = stack.world;
    const REF_VALUE = 'CANARY-edit-by-reference-5150';
    seed({
      name: 'events-ref',
      type: 'Kafka',
      bootstrapServers: 'b-1.kafka.example.com:9092',
      security: { protocol: 'SASL_SSL' },
      authentication: { mechanism: 'SCRAM-512', username: 'svc-atlas', password: 'old-password-1' },
      networking: { access: { type: 'PUBLIC' } },
    });
    const view = await openEdit('edit events-ref');
    // An unreadable reference is an inline error naming it, and nothing is submitted.
    const missing = await submit(view, submitted(view, { kafka_password: { password: state.text('secretsmanager:team/absent#password') } }));
    expect(missing?.errors?.kafka_password).toContain('secretsmanager:team/absent');

    secrets.putSecret('team/kafka-edit', JSON.stringify({ password: REF_VALUE }));
    expect(await submit(view, submitted(view, { kafka_password: { password: state.text('secretsmanager:team/kafka-edit#password') } }))).toBeUndefined();
    await slack.waitFor(() => cardFor(stack, 'events-ref') !== undefined);
    const card = cardFor(stack, 'events-ref')!;
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('is updated')));
    await stack.app.requests.idle();

    const patch = atlas.calls.find((c) => c.operation === 'updateConnection')!;
    expect(patch.body).toEqual({ name: 'events-ref', type: 'Kafka', authentication: { mechanism: 'SCRAM-512', username: 'svc-atlas', password: REF_VALUE } });
    const remembered = await stack.store.db.selectFrom('connection_secret_refs').selectAll().where('connection_name', '=', 'events-ref').execute();
    expect(remembered.map((r) => [r.field_path, r.reference])).toEqual([['authentication.password', 'secretsmanager:team/kafka-edit#password']]);
    const everywhere = [JSON.stringify(slack.calls), JSON.stringify(slack.messages), stack.logs.join('\n')].join('\n');
    expect(everywhere).not.toContain(REF_VALUE);
  });

  it('keeps the Private Link networking of a Kafka connection it edits: no replace, no networking in the PATCH', async () => {
    const { slack, atlas } = stack.world;
    const linkId = '65b000000000000000000009';
    atlas.privateLinks(WORLD.projectId).push({ _id: linkId, provider: 'AWS', vendor: 'CONFLUENT', region: 'us-east-1', serviceEndpointId: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0', dnsDomain: 'x.aws.confluent.cloud', state: 'DONE' });
    seed({
      name: 'pl-events',
      type: 'Kafka',
      bootstrapServers: 'b-1.kafka.example.com:9092',
      security: { protocol: 'SASL_SSL' },
      authentication: { mechanism: 'PLAIN', username: 'svc-atlas', password: 'old-password-2' },
      networking: { access: { type: 'PRIVATE_LINK', connectionId: linkId } },
    });
    const view = await openEdit('edit pl-events');
    expect(await submit(view, submitted(view, { kafka_bootstrap: { bootstrap_servers: state.text('b-2.kafka.example.com:9092') } }))).toBeUndefined();
    await slack.waitFor(() => cardFor(stack, 'pl-events') !== undefined);
    const card = cardFor(stack, 'pl-events')!;
    expect(card.text).toMatch(/^Edit Kafka/);
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('is updated')));
    expect(atlas.calls.find((c) => c.operation === 'updateConnection')!.body).toEqual({ name: 'pl-events', type: 'Kafka', bootstrapServers: 'b-2.kafka.example.com:9092' });
    expect(stored('pl-events')).toMatchObject({ networking: { access: { type: 'PRIVATE_LINK', connectionId: linkId } }, authentication: { password: 'old-password-2' } });
  });

  it('edits an S3 connection: its role comes back chosen, the test bucket is the change', async () => {
    const { slack, atlas } = stack.world;
    seed({ name: 'lake', type: 'S3', aws: { roleArn: WORLD.s3Role } });
    const view = await openEdit('edit lake');
    expect(JSON.stringify(view.blocks)).toContain(`"value":"${WORLD.s3Role}"`);
    expect(await submit(view, submitted(view, { s3_test_bucket: { test_bucket: state.text('lake-check') } }))).toBeUndefined();
    await slack.waitFor(() => cardFor(stack, 'lake') !== undefined);
    const card = cardFor(stack, 'lake')!;
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('is updated')));
    expect(atlas.calls.find((c) => c.operation === 'updateConnection')!.body).toEqual({ name: 'lake', type: 'S3', aws: { roleArn: WORLD.s3Role, testBucket: 'lake-check' } });
  });

  it('says honestly that a Sample connection has nothing to edit', async () => {
    seed({ name: 'sample_stream_solar', type: 'Sample' });
    const view = await openEdit('edit sample_stream_solar');
    expect(JSON.stringify(view.blocks)).toMatch(/Sample connection has nothing to edit/);
    expect((view.blocks as Array<{ type: string }>).some((b) => b.type === 'input')).toBe(false);
  });

  it('says so when the connection does not exist', async () => {
    const view = await openEdit('edit nothing-here');
    expect(JSON.stringify(view.blocks)).toMatch(/There is no connection `nothing-here`/);
  });
});
