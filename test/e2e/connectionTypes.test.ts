// S3 and Kafka end to end, and the type picker that switches forms without losing input.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { state } from '../support/slackDriver.js';
import { cardFor, openModal, startStack, submitCreateForm, threadTexts, WORLD, type Stack } from '../support/stack.js';

const ROLE = 'arn:aws:iam::123456789012:role/atlas-s3-writer';
const UNAUTHORISED = 'arn:aws:iam::123456789012:role/not-yet';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
  stack.world.atlas.addProject(WORLD.projectId, {
    instances: [WORLD.instance],
    awsIamRoles: [{ iamAssumedRoleArn: ROLE }, { iamAssumedRoleArn: UNAUTHORISED, authorized: false }],
  });
});
afterEach(async () => {
  await stack?.stop();
});

async function approveAndWait(name: string) {
  const card = cardFor(stack, name)!;
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes(':white_check_mark:') || t.includes(':x:')));
  return threadTexts(stack, card);
}

describe('S3 connections', () => {
  it("offers the project's authorised roles, refuses an unauthorised one inline, and creates with an authorised one", async () => {
    const view = await openModal(stack, 'create s3');
    expect(JSON.stringify(view.blocks)).toContain('$emit');
    expect(JSON.stringify(view.blocks)).toContain('ListAllMyBuckets');
    const base = { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select('s3') } };
    const options = (await stack.driver.suggest(view, base, 's3_role', 's3_role_arn', '', { user: WORLD.requester })).json() as { options: Array<{ value: string }> };
    expect(options.options.map((o) => o.value)).toEqual([ROLE]);

    const refused = (await submitCreateForm(stack, 's3', { connection_name: { name: state.text('lake') }, s3_role: { s3_role_arn: state.external(UNAUTHORISED) } })) as { errors: Record<string, string> };
    expect(refused.errors.s3_role).toMatch(/not authorised in the project/);
    expect(refused.errors.s3_role).toMatch(/Unified AWS Access/);
    const wrongPartition = (await submitCreateForm(stack, 's3', { connection_name: { name: state.text('lake') }, s3_role: { s3_role_arn: state.external('arn:aws-cn:iam::123456789012:role/x') } })) as { errors: Record<string, string> };
    expect(wrongPartition.errors.s3_role).toMatch(/partition/);

    expect(await submitCreateForm(stack, 's3', { connection_name: { name: state.text('lake') }, s3_role: { s3_role_arn: state.external(ROLE) } })).toBeUndefined();
    await stack.world.slack.waitFor(() => cardFor(stack, 'lake') !== undefined);
    expect(JSON.stringify(cardFor(stack, 'lake')!.blocks)).toContain('sink-only');
    expect((await approveAndWait('lake')).join('\n')).toContain('ready to use');
    expect(stack.world.atlas.connections(WORLD.projectId, WORLD.instance)).toEqual([expect.objectContaining({ name: 'lake', type: 'S3', aws: { roleArn: ROLE } })]);
  });
});

describe('Kafka connections', () => {
  const canary = 'CANARY-kafka-pw-99';
  const kafka = (overrides: Record<string, string | null> = {}) => ({
    connection_name: { name: state.text(overrides.name ?? 'events') },
    kafka_bootstrap: { bootstrap_servers: state.text(overrides.bootstrap ?? 'b-1.kafka.example.com:9092, b-2.kafka.example.com:9092') },
    kafka_protocol: { security_protocol: state.select('SASL_SSL') },
    kafka_mechanism: { sasl_mechanism: state.select('SCRAM-512') },
    kafka_username: { username: state.text('svc-atlas') },
    kafka_password: { password: state.text(overrides.password ?? canary) },
    kafka_certificate: { broker_certificate: state.text(null) },
  });

  it('validates each bootstrap server, masks the password, and sends Atlas the Kafka body', async () => {
    const refused = (await submitCreateForm(stack, 'kafka', kafka({ bootstrap: 'b-1.kafka.example.com:9092,b-2.kafka.example.com', password: '' }))) as { errors: Record<string, string> };
    expect(refused.errors.kafka_bootstrap).toMatch(/"b-2.kafka.example.com" has no port/);
    expect(refused.errors.kafka_password).toMatch(/password/);

    expect(await submitCreateForm(stack, 'kafka', kafka())).toBeUndefined();
    await stack.world.slack.waitFor(() => cardFor(stack, 'events') !== undefined);
    expect(JSON.stringify(cardFor(stack, 'events')!.blocks)).not.toContain(canary);
    expect(JSON.stringify(cardFor(stack, 'events')!.blocks)).toContain('••••99');
    expect((await approveAndWait('events')).join('\n')).toContain('ready to use');
    expect(stack.world.atlas.connections(WORLD.projectId, WORLD.instance)).toEqual([
      expect.objectContaining({
        name: 'events',
        type: 'Kafka',
        bootstrapServers: 'b-1.kafka.example.com:9092,b-2.kafka.example.com:9092',
        security: { protocol: 'SASL_SSL' },
        authentication: { mechanism: 'SCRAM-512', username: 'svc-atlas', password: canary },
        networking: { access: { type: 'PUBLIC' } },
      }),
    ]);
    await stack.app.requests.idle();
    expect(stack.world.slack.calls.map((c) => c.raw).join('\n')).not.toContain(canary);
    expect(stack.logs.join('\n')).not.toContain(canary);
    const db = readdirSync(stack.dataDir).map((f) => readFileSync(join(stack.dataDir, f)).toString('latin1')).join('');
    expect(db).not.toContain(canary);
  });
});

describe('the type picker', () => {
  it('switches the form to the chosen type and keeps what was typed', async () => {
    const { slack } = stack.world;
    const view = await openModal(stack, 'create');
    expect(JSON.stringify(view.blocks)).not.toContain('https_url');
    const typed = {
      target: { target: state.select('sandbox') },
      connection_type: { connection_type_picked: state.select('https') },
      connection_name: { name: state.text('kept-name') },
    };
    await stack.driver.selectInView(view, typed, 'connection_type', 'connection_type_picked', { user: WORLD.requester });
    await slack.waitFor(() => slack.count('views.update') === 1);
    const https = slack.views.get(view.id)!.view;
    const blocks = JSON.stringify(https.blocks);
    expect(blocks).toContain('https_url');
    expect(blocks).toContain('"initial_value":"kept-name"');
    expect(blocks).toMatch(/"initial_option":\{"text":\{"type":"plain_text","text":"HTTPS"/);

    const toKafka = { ...typed, connection_type: { connection_type_picked: state.select('kafka') } };
    await stack.driver.selectInView({ ...https, id: view.id, hash: slack.views.get(view.id)!.hash, blocks: https.blocks as unknown[] }, toKafka, 'connection_type', 'connection_type_picked', { user: WORLD.requester });
    await slack.waitFor(() => slack.count('views.update') === 2);
    const kafkaBlocks = JSON.stringify(slack.views.get(view.id)!.view.blocks);
    expect(kafkaBlocks).toContain('kafka_bootstrap');
    expect(kafkaBlocks).not.toContain('https_url');
    expect(kafkaBlocks).toContain('"initial_value":"kept-name"');
    expect(slack.calls.filter((c) => c.method === 'views.update').every((c) => c.ok)).toBe(true);
  });
});
