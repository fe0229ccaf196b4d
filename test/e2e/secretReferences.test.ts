// Secrets by reference (SPEC §10), end to end: a secret field holding `secretsmanager:<name>[#key]`
// is checked at submission, shown as the reference on the card, read again at execution (the
// version current then is the one Atlas gets), remembered for the connection, and its value never
// reaches Slack, the logs or the database.
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardFor, createHttpsRequest, startStack, state, submitCreateForm, submitHttpsForm, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});

const dbBytes = () => readdirSync(stack.dataDir).map((f) => readFileSync(join(stack.dataDir, f)).toString('latin1')).join('');

async function approveAndWait(name: string): Promise<string[]> {
  const card = cardFor(stack, name)!;
  const res = await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  expect(res.status).toBe(200);
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use') || t.includes(':x:')));
  await stack.app.requests.idle();
  return threadTexts(stack, card);
}

const slackAndLogs = () => stack.world.slack.calls.map((c) => c.raw).join('\n') + stack.logs.join('\n');

function sentToAtlas(): unknown[] {
  return stack.world.atlas.calls.filter((c) => c.operation === 'createConnection').map((c) => c.body);
}

const kafka = (password: string, name = 'events') => ({
  connection_name: { name: state.text(name) },
  kafka_bootstrap: { bootstrap_servers: state.text('b-1.kafka.example.com:9092') },
  kafka_protocol: { security_protocol: state.select('SASL_SSL') },
  kafka_mechanism: { sasl_mechanism: state.select('SCRAM-512') },
  kafka_username: { username: state.text('svc-atlas') },
  kafka_password: { password: state.text(password) },
  kafka_certificate: { broker_certificate: state.text(null) },
});

describe('an HTTPS header value from Secrets Manager', () => {
  it('shows the reference on the card, sends the version current at approval, and keeps the value out of Slack, logs and the store', async () => {
    const { secrets, slack } = stack.world;
    const first = 'CANARY-ref-header-1f2e3d';
    const rotated = 'CANARY-ref-header-rotated-9a8b';
    secrets.putSecret('team/orders-api', JSON.stringify({ token: `Bearer ${first}`, other: 'x' }));

    const card = await createHttpsRequest(stack, { name: 'orders-api', url: 'https://api.example.com/v1/orders', headers: 'Authorization: secretsmanager:team/orders-api#token' });
    const cardJson = JSON.stringify(card.blocks);
    expect(cardJson).toContain('from secretsmanager:team/orders-api#token');
    expect(cardJson).not.toContain(first);

    // A rotation between submission and approval: the new version is the one Atlas gets.
    const put = secrets.putSecret('team/orders-api', JSON.stringify({ token: `Bearer ${rotated}` }));
    expect((await approveAndWait('orders-api')).join('\n')).toContain('ready to use');
    expect(sentToAtlas()).toEqual([
      { name: 'orders-api', type: 'Https', url: 'https://api.example.com/v1/orders', headers: { Authorization: `Bearer ${rotated}` } },
    ]);

    // Remembered for the connection: `show` says which field comes from which reference and version.
    await stack.driver.command('show orders-api', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    await slack.waitFor(() => slack.ephemerals.some((e) => e.user === WORLD.requester && JSON.stringify(e.blocks ?? []).includes('Secrets by reference')));
    const shown = JSON.stringify(slack.ephemerals.find((e) => JSON.stringify(e.blocks ?? []).includes('Secrets by reference'))!.blocks);
    expect(shown).toContain('`headers.Authorization` from secretsmanager:team/orders-api#token');
    expect(shown).toContain(put.versionId);

    for (const canary of [first, rotated]) {
      expect(slack.calls.map((c) => c.raw).join('\n')).not.toContain(canary);
      expect(stack.logs.join('\n')).not.toContain(canary);
      expect(dbBytes()).not.toContain(canary);
    }
  });

  it('refuses, inline on the headers field, a reference that is missing, has no such key, or is not JSON', async () => {
    const { secrets, slack } = stack.world;
    secrets.putSecret('team/plain', 'CANARY-plain-text-value');
    secrets.putSecret('team/json', JSON.stringify({ token: 'CANARY-json-value' }));
    const refused = async (headers: string) => ((await submitHttpsForm(stack, { name: 'orders-api', url: 'https://api.example.com', headers })) as { errors: Record<string, string> }).errors;

    expect((await refused('Authorization: secretsmanager:team/nope')).https_headers).toBe(
      'secretsmanager:team/nope: not found (no such secret (or version) in Secrets Manager).',
    );
    expect((await refused('Authorization: secretsmanager:team/json#missing')).https_headers).toBe(
      "secretsmanager:team/json#missing: no such key (the secret's JSON has no key missing).",
    );
    expect((await refused('Authorization: secretsmanager:team/plain#token')).https_headers).toBe(
      'secretsmanager:team/plain#token: not JSON (the secret is not JSON, so it has no key token).',
    );
    expect((await refused('Authorization: secretsmanager:team/json#')).https_headers).toMatch(/name the JSON key after "#"/);
    expect(slack.count('chat.postMessage')).toBe(0);
    const answered = slack.calls.map((c) => c.raw).join('\n') + stack.logs.join('\n');
    expect(answered).not.toContain('CANARY-');
  });

  it('fails the request with a thread message naming the reference when it is gone at execution', async () => {
    const { secrets } = stack.world;
    secrets.putSecret('team/short-lived', JSON.stringify({ token: 'Bearer CANARY-short' }));
    await createHttpsRequest(stack, { name: 'orders-api', url: 'https://api.example.com', headers: 'Authorization: secretsmanager:team/short-lived#token' });
    secrets.injectFault({ type: 'ResourceNotFoundException', secretId: 'team/short-lived', times: Infinity });
    const thread = (await approveAndWait('orders-api')).join('\n');
    expect(thread).toContain('secretsmanager:team/short-lived#token');
    expect(thread).toMatch(/not found/);
    expect(stack.world.atlas.count('createConnection')).toBe(0);
  });

  it("scrubs the value read at execution from Atlas's error echo", async () => {
    const { secrets, atlas } = stack.world;
    const canary = 'CANARY-echoed-by-atlas-7c6d5e4f';
    secrets.putSecret('team/echo', JSON.stringify({ token: canary }));
    await createHttpsRequest(stack, { name: 'orders-api', url: 'https://api.example.com', headers: 'X-Api-Key: secretsmanager:team/echo#token' });
    atlas.injectFault({
      method: 'POST',
      path: /\/connections$/,
      status: 400,
      body: { error: 400, errorCode: 'INVALID_ATTRIBUTE', detail: `Invalid header value "${canary}".`, reason: 'Bad Request' },
    });
    const thread = (await approveAndWait('orders-api')).join('\n');
    expect(thread).toContain(':x:');
    expect(thread).toContain('••••');
    expect(slackAndLogs()).not.toContain(canary);
    expect(dbBytes()).not.toContain(canary);
  });
});

describe('a Kafka password from Secrets Manager', () => {
  it('sends the whole secret as the password when no key is given, read at execution', async () => {
    const { secrets, slack } = stack.world;
    const arn = secrets.putSecret('kafka/events', 'CANARY-kafka-ref-v1').arn;
    expect(await submitCreateForm(stack, 'kafka', kafka(`secretsmanager:${arn}`))).toBeUndefined();
    await slack.waitFor(() => cardFor(stack, 'events') !== undefined);
    expect(JSON.stringify(cardFor(stack, 'events')!.blocks)).toContain(`from secretsmanager:${arn}`);
    secrets.putSecret('kafka/events', 'CANARY-kafka-ref-v2');
    expect((await approveAndWait('events')).join('\n')).toContain('ready to use');
    expect(sentToAtlas()).toEqual([
      expect.objectContaining({ name: 'events', type: 'Kafka', authentication: { mechanism: 'SCRAM-512', username: 'svc-atlas', password: 'CANARY-kafka-ref-v2' } }),
    ]);
    expect(slack.calls.map((c) => c.raw).join('\n')).not.toContain('CANARY-kafka-ref');
    expect(stack.logs.join('\n')).not.toContain('CANARY-kafka-ref');
    expect(dbBytes()).not.toContain('CANARY-kafka-ref');
  });

  it('refuses an unreadable reference inline on the password field', async () => {
    stack.world.secrets.injectFault({ type: 'AccessDeniedException', secretId: 'kafka/locked', times: Infinity });
    stack.world.secrets.putSecret('kafka/locked', 'x');
    const ack = (await submitCreateForm(stack, 'kafka', kafka('secretsmanager:kafka/locked'))) as { errors: Record<string, string> };
    expect(ack.errors.kafka_password).toMatch(/^secretsmanager:kafka\/locked: access denied/);
  });
});

describe('a mutual TLS key and its password from one JSON secret', () => {
  it('accepts references where a PEM is expected, and sends the key and password read at execution', async () => {
    const { secrets, slack } = stack.world;
    const password = 'CANARY-mtls-pass-5150';
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: password }).toString().trim();
    secrets.putSecret('kafka/mtls', JSON.stringify({ key, password }));
    const certificate = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xpZW50Q2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjAS\n-----END CERTIFICATE-----';
    const form = {
      connection_name: { name: state.text('mtls-events') },
      kafka_bootstrap: { bootstrap_servers: state.text('b-1.kafka.example.com:9094') },
      kafka_protocol: { security_protocol: state.select('SSL') },
      kafka_mechanism: { sasl_mechanism: state.select('PLAIN') },
      kafka_tls_certificate: { ssl_certificate: state.text(certificate) },
      kafka_tls_key: { ssl_key: state.text('secretsmanager:kafka/mtls#key') },
      kafka_tls_key_password: { ssl_key_password: state.text('secretsmanager:kafka/mtls#password') },
    };
    expect(await submitCreateForm(stack, 'kafka', form)).toBeUndefined();
    await slack.waitFor(() => cardFor(stack, 'mtls-events') !== undefined);
    const card = JSON.stringify(cardFor(stack, 'mtls-events')!.blocks);
    expect(card).toContain('from secretsmanager:kafka/mtls#key');
    expect(card).toContain('from secretsmanager:kafka/mtls#password');
    expect((await approveAndWait('mtls-events')).join('\n')).toContain('ready to use');
    expect(sentToAtlas()).toEqual([expect.objectContaining({ authentication: { sslCertificate: certificate, sslKey: key, sslKeyPassword: password } })]);
    expect(slackAndLogs()).not.toContain(password);
    expect(dbBytes()).not.toContain(password);
    const keyBody = key.split('\n')[1]!;
    expect(slackAndLogs()).not.toContain(keyBody);
    expect(dbBytes()).not.toContain(keyBody);
  });
});
