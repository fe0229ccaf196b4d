// AWS Lambda, Kinesis, Schema Registry, and Kafka with OIDC and mutual TLS, end to end over HTTP:
// form → inline errors on bad input → card → owner approval → exactly the body → thread; list and
// show; and each new secret (registry password, OIDC client secret, client key and its password)
// proven absent from what the app sent Slack, its logs and its database, even when Atlas echoes it.
import Database from 'better-sqlite3';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { state } from '../support/slackDriver.js';
import { cardFor, openModal, startStack, submitCreateForm, threadTexts, WORLD, type Stack } from '../support/stack.js';

const ROLE = 'arn:aws:iam::123456789012:role/atlas-streams';
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

type Errors = { errors: Record<string, string> };
const named = (name: string) => ({ connection_name: { name: state.text(name) } });

async function cardOf(name: string) {
  await stack.world.slack.waitFor(() => cardFor(stack, name) !== undefined);
  return cardFor(stack, name)!;
}

async function approveAndWait(name: string) {
  const card = await cardOf(name);
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes(':white_check_mark:') || t.includes(':x:')));
  return threadTexts(stack, card).join('\n');
}

const stored = (name: string) => stack.world.atlas.connections(WORLD.projectId, WORLD.instance).find((c) => c.name === name);

/** The body Atlas received for the connection's create call, exactly as sent. */
const sentBody = (name: string) =>
  stack.world.atlas.calls.find((c) => c.operation === 'createConnection' && (c.body as { name?: string } | undefined)?.name === name)?.body;

async function ephemeralOf(text: string): Promise<string> {
  const before = stack.world.slack.ephemerals.length;
  const res = await stack.driver.command(text, { user: WORLD.requester, channel: WORLD.channel, triggerId: stack.world.slack.issueTriggerId() });
  expect(res.status).toBe(200);
  await stack.world.slack.waitFor(() => stack.world.slack.ephemerals.length > before);
  return JSON.stringify(stack.world.slack.ephemerals.at(-1)!.blocks);
}

/** Everything the app wrote: the raw bodies it sent Slack, its log lines, every database row and byte. */
async function writtenByApp(): Promise<Record<string, string>> {
  await stack.app.requests.idle();
  const db = new Database(join(stack.dataDir, 'spconn.sqlite'), { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
    return {
      slack: stack.world.slack.calls.map((c) => c.raw).join('\n'),
      logs: stack.logs.join('\n'),
      rows: JSON.stringify(tables.map(({ name }) => db.prepare(`select * from "${name}"`).all())),
      bytes: readdirSync(stack.dataDir).map((f) => readFileSync(join(stack.dataDir, f)).toString('latin1')).join(''),
    };
  } finally {
    db.close();
  }
}

async function expectNowhere(...canaries: string[]) {
  for (const [place, text] of Object.entries(await writtenByApp())) {
    for (const canary of canaries) expect(text, `${canary} in ${place}`).not.toContain(canary);
  }
}

describe('AWS Lambda connections', () => {
  const lambda = (role: string, extra: Record<string, Record<string, ReturnType<typeof state.text>>> = {}) => ({
    ...named('fn'),
    lambda_role: { lambda_role_arn: state.external(role) },
    ...extra,
  });

  it("offers the project's authorised roles, refuses an unauthorised one saying why, and creates with exactly the Lambda body", async () => {
    // Atlas's own type name opens the same form.
    expect(JSON.stringify((await openModal(stack, 'create awslambda')).blocks)).toContain('lambda_role_arn');
    const view = await openModal(stack, 'create lambda');
    // The type picker offers every type, these three included.
    for (const id of ['lambda', 'kinesis', 'schemaregistry']) expect(JSON.stringify(view.blocks)).toContain(`"value":"${id}"`);
    expect(JSON.stringify(view.blocks)).toContain('lambda:InvokeFunction');
    const base = { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select('lambda') } };
    const options = (await stack.driver.suggest(view, base, 'lambda_role', 'lambda_role_arn', '', { user: WORLD.requester })).json() as { options: Array<{ value: string }> };
    expect(options.options.map((o) => o.value)).toEqual([ROLE]);

    const refused = (await submitCreateForm(stack, 'lambda', lambda(UNAUTHORISED))) as Errors;
    expect(refused.errors.lambda_role).toMatch(/not authorised in the project/);
    expect(refused.errors.lambda_role).toMatch(/Unified AWS Access.*lambda:InvokeFunction/);
    const badLink = (await submitCreateForm(stack, 'lambda', lambda(ROLE, { lambda_network_access: { network_access: state.select('PRIVATE_LINK') } }))) as Errors;
    expect(badLink.errors.lambda_private_link).toMatch(/_id of the Private Link connection/);
    const notArn = (await submitCreateForm(stack, 'lambda', lambda('arn:aws:iam::123456789012:user/bob'))) as Errors;
    expect(notArn.errors.lambda_role).toMatch(/not an IAM role ARN/);
    expect(stack.world.atlas.calls.filter((c) => c.operation === 'createConnection')).toEqual([]);

    expect(await submitCreateForm(stack, 'lambda', lambda(ROLE))).toBeUndefined();
    const card = JSON.stringify((await cardOf('fn')).blocks);
    expect(card).toContain(ROLE);
    expect(card).toContain('$externalFunction');
    expect(await approveAndWait('fn')).toContain('ready to use');
    expect(sentBody('fn')).toEqual({ name: 'fn', type: 'AWSLambda', aws: { roleArn: ROLE } });

    expect(await ephemeralOf('list')).toMatch(/\*fn\* · AWSLambda.*IAM role: `arn:aws:iam::123456789012:role\/atlas-streams`/);
    const shown = await ephemeralOf('show fn');
    expect(shown).toContain(ROLE);
    expect(shown).toContain('Public');
  });
});

describe('AWS Kinesis Data Streams connections', () => {
  it('refuses an unauthorised role, and sends the role with its networking', async () => {
    const kinesis = (role: string) => ({ ...named('stream'), kinesis_role: { kinesis_role_arn: state.external(role) } });
    const refused = (await submitCreateForm(stack, 'kinesis', kinesis(UNAUTHORISED))) as Errors;
    expect(refused.errors.kinesis_role).toMatch(/not authorised in the project.*Unified AWS Access/);

    expect(await submitCreateForm(stack, 'kinesis', kinesis(ROLE))).toBeUndefined();
    expect(JSON.stringify((await cardOf('stream')).blocks)).toContain(ROLE);
    expect(await approveAndWait('stream')).toContain('ready to use');
    expect(sentBody('stream')).toEqual({ name: 'stream', type: 'AWSKinesisDataStreams', aws: { roleArn: ROLE }, networking: { access: { type: 'PUBLIC' } } });
    const shown = await ephemeralOf('show stream');
    expect(shown).toContain(ROLE);
    expect(shown).toContain('AWSKinesisDataStreams');
  });
});

describe('Lambda and Kinesis over an existing Private Link', () => {
  it('sends the link in the networking attribute each type uses, and says the connection is PENDING rather than ready', async () => {
    const link = '65f0c0ffee0123456789abcd';
    stack.world.atlas.privateLinks(WORLD.projectId).push({ _id: link, provider: 'AWS', region: 'us-east-1', state: 'DONE' });
    const privately = (type: 'lambda' | 'kinesis', name: string) => ({
      ...named(name),
      [`${type}_role`]: { [`${type}_role_arn`]: state.external(ROLE) },
      [`${type}_network_access`]: { network_access: state.select('PRIVATE_LINK') },
      [`${type}_private_link`]: { private_link_id: state.text(link) },
    });
    const notHex = (await submitCreateForm(stack, 'kinesis', { ...privately('kinesis', 'k'), kinesis_private_link: { private_link_id: state.text('not-an-id') } })) as Errors;
    expect(notHex.errors.kinesis_private_link).toMatch(/24 lower-case hex digits/);

    expect(await submitCreateForm(stack, 'lambda', privately('lambda', 'fn-private'))).toBeUndefined();
    expect(JSON.stringify((await cardOf('fn-private')).blocks)).toContain(`Private Link \`${link}\``);
    // Private networking starts PENDING in Atlas: the thread says so rather than calling it ready.
    expect(await approveAndWait('fn-private')).toContain('its state is PENDING');
    expect(sentBody('fn-private')).toEqual({ name: 'fn-private', type: 'AWSLambda', aws: { roleArn: ROLE }, publicPrivateNetworking: { access: { type: 'PRIVATE_LINK', connectionId: link } } });
    expect(stored('fn-private')?.state).toBe('PENDING');

    expect(await submitCreateForm(stack, 'kinesis', privately('kinesis', 'stream-private'))).toBeUndefined();
    expect(await approveAndWait('stream-private')).toContain('its state is PENDING');
    expect(sentBody('stream-private')).toEqual({ name: 'stream-private', type: 'AWSKinesisDataStreams', aws: { roleArn: ROLE }, networking: { access: { type: 'PRIVATE_LINK', connectionId: link } } });
    expect(await ephemeralOf('show fn-private')).toContain('Private Link `' + link + '`');
  });
});

describe('Schema Registry connections', () => {
  const canary = 'CANARY-registry-pw-7731';
  const registry = (o: { name?: string; urls?: string; auth?: string; username?: string | null; password?: string | null }) => ({
    ...named(o.name ?? 'registry'),
    sr_urls: { registry_urls: state.text(o.urls ?? 'https://psrc-abc12.us-east-2.aws.confluent.cloud\nhttps://sr-2.example.com:8081') },
    sr_auth: { registry_auth: state.select(o.auth ?? 'USER_INFO') },
    sr_username: { registry_username: state.text(o.username === undefined ? 'SRKEY123' : o.username) },
    sr_password: { registry_password: state.text(o.password === undefined ? canary : o.password) },
  });

  it('checks every URL and the credentials inline, masks the password, and sends exactly the USER_INFO body', async () => {
    // A title Slack's 24 characters do not cut mid-word.
    expect(JSON.stringify((await openModal(stack, 'create schemaregistry') as { title?: unknown }).title)).toContain('"text":"New Schema Registry"');
    const refused = (await submitCreateForm(stack, 'schemaregistry', registry({ urls: 'https://ok.example.com\nftp://files.example.com', password: '' }))) as Errors;
    expect(refused.errors.sr_urls).toBe('URL 2 must start with https:// or http://, not ftp://.');
    expect(refused.errors.sr_password).toMatch(/Enter the registry password/);
    const tooMany = (await submitCreateForm(stack, 'schemaregistry', registry({ urls: Array.from({ length: 11 }, (_, i) => `https://r${i}.example.com`).join('\n') }))) as Errors;
    expect(tooMany.errors.sr_urls).toMatch(/At most 10 registry URLs; there are 11/);

    expect(await submitCreateForm(stack, 'schemaregistry', registry({}))).toBeUndefined();
    const card = JSON.stringify((await cardOf('registry')).blocks);
    expect(card).not.toContain(canary);
    expect(card).toContain('••••31');
    expect(card).toContain('USER_INFO');
    expect(await approveAndWait('registry')).toContain('ready to use');
    expect(sentBody('registry')).toEqual({
      name: 'registry',
      type: 'SchemaRegistry',
      provider: 'CONFLUENT',
      schemaRegistryUrls: ['https://psrc-abc12.us-east-2.aws.confluent.cloud', 'https://sr-2.example.com:8081'],
      schemaRegistryAuthentication: { type: 'USER_INFO', username: 'SRKEY123', password: canary },
    });
    const shown = await ephemeralOf('show registry');
    expect(shown).toContain('https://sr-2.example.com:8081');
    expect(shown).toContain('USER_INFO');
    expect(await ephemeralOf('list')).toContain('Registry URLs');
    await expectNowhere(canary);

    // Delete goes through the same approval, and the card describes what goes, masked.
    const before = stack.world.slack.messages.length;
    await stack.driver.command('delete registry', { user: WORLD.requester, channel: WORLD.channel, triggerId: stack.world.slack.issueTriggerId() });
    await stack.world.slack.waitFor(() => stack.world.slack.messages.slice(before).some((m) => !m.threadTs && m.text.startsWith('Delete Schema Registry connection registry')));
    const m = stack.world.slack.messages.slice(before).find((msg) => !msg.threadTs && msg.text.startsWith('Delete Schema Registry connection registry'))!;
    const deleteCard = { channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks as unknown[] };
    expect(JSON.stringify(deleteCard.blocks)).toContain('https://sr-2.example.com:8081');
    await stack.driver.clickButton(deleteCard, 'request_approve', { user: WORLD.owner });
    await stack.world.slack.waitFor(() => threadTexts(stack, deleteCard).some((t) => t.includes('is deleted')));
    expect(stored('registry')).toBeUndefined();
  });

  it('sends SASL_INHERIT with no credentials, and refuses credentials typed with it', async () => {
    const typed = (await submitCreateForm(stack, 'schemaregistry', registry({ name: 'inherit', auth: 'SASL_INHERIT', username: 'x', password: 'y' }))) as Errors;
    expect(typed.errors.sr_password).toMatch(/SASL_INHERIT takes the Kafka connection's credentials/);
    expect(await submitCreateForm(stack, 'schemaregistry', registry({ name: 'inherit', auth: 'SASL_INHERIT', username: null, password: null }))).toBeUndefined();
    expect(await approveAndWait('inherit')).toContain('ready to use');
    expect(sentBody('inherit')).toEqual({
      name: 'inherit',
      type: 'SchemaRegistry',
      provider: 'CONFLUENT',
      schemaRegistryUrls: ['https://psrc-abc12.us-east-2.aws.confluent.cloud', 'https://sr-2.example.com:8081'],
      schemaRegistryAuthentication: { type: 'SASL_INHERIT' },
    });
  });
});

describe('Kafka with OAUTHBEARER (OIDC)', () => {
  const canary = 'CANARYoidcSecret5521';
  const oidc = (o: { name?: string; endpoint?: string; secret?: string; username?: string | null } = {}) => ({
    ...named(o.name ?? 'oidc-events'),
    kafka_bootstrap: { bootstrap_servers: state.text('b-1.kafka.example.com:9093') },
    kafka_protocol: { security_protocol: state.select('SASL_SSL') },
    kafka_mechanism: { sasl_mechanism: state.select('OAUTHBEARER') },
    kafka_username: { username: state.text(o.username ?? null) },
    kafka_password: { password: state.text(null) },
    kafka_oidc_token_endpoint: { token_endpoint_url: state.text(o.endpoint ?? 'https://login.example.com/oauth2/token') },
    kafka_oidc_client_id: { client_id: state.text('atlas-streams') },
    kafka_oidc_client_secret: { client_secret: state.text(o.secret ?? canary) },
    kafka_oidc_scope: { scope: state.text('kafka.read kafka.write') },
    kafka_oidc_extensions: { sasl_oauthbearer_extensions: state.text('logicalCluster=lkc-abc12, identityPoolId=pool-x1') },
  });

  it('refuses a plain-http token endpoint and a stray username inline, masks the client secret, and sends exactly the OIDC body', async () => {
    const refused = (await submitCreateForm(stack, 'kafka', oidc({ endpoint: 'http://login.example.com/token', username: 'bob' }))) as Errors;
    expect(refused.errors.kafka_oidc_token_endpoint).toMatch(/must be an https:\/\/ URL/);
    expect(refused.errors.kafka_username).toMatch(/only used with PLAIN or SCRAM/);

    expect(await submitCreateForm(stack, 'kafka', oidc())).toBeUndefined();
    const card = JSON.stringify((await cardOf('oidc-events')).blocks);
    expect(card).toContain('OAUTHBEARER (OIDC)');
    expect(card).toContain('••••21');
    expect(await approveAndWait('oidc-events')).toContain('ready to use');
    expect(sentBody('oidc-events')).toEqual({
      name: 'oidc-events',
      type: 'Kafka',
      bootstrapServers: 'b-1.kafka.example.com:9093',
      security: { protocol: 'SASL_SSL' },
      authentication: {
        mechanism: 'OAUTHBEARER',
        method: 'OIDC',
        tokenEndpointUrl: 'https://login.example.com/oauth2/token',
        clientId: 'atlas-streams',
        clientSecret: canary,
        scope: 'kafka.read kafka.write',
        saslOauthbearerExtensions: 'logicalCluster=lkc-abc12,identityPoolId=pool-x1',
      },
      networking: { access: { type: 'PUBLIC' } },
    });
    const shown = await ephemeralOf('show oidc-events');
    expect(shown).toContain('OAUTHBEARER');
    expect(shown).toContain('atlas-streams');
    await expectNowhere(canary);
  });

  it('keeps the client secret out of the thread, logs and database when Atlas echoes it in an error', async () => {
    stack.world.atlas.injectFault({
      method: 'POST',
      path: '/connections',
      status: 400,
      echo: (body) => `Token request failed for client secret ${(body as { authentication: { clientSecret: string } }).authentication.clientSecret}.`,
    });
    expect(await submitCreateForm(stack, 'kafka', oidc({ name: 'echoed' }))).toBeUndefined();
    const thread = await approveAndWait('echoed');
    expect(thread).toContain('Token request failed for client secret ••••');
    await expectNowhere(canary);
  });
});

describe('Kafka with mutual TLS', () => {
  // A real encrypted PKCS#8 key with a canary planted in its base64 body, and a certificate-shaped PEM.
  const keyCanary = 'CANARYmtlsKey4417';
  const passwordCanary = 'CANARY-keypass-8812';
  const realKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: passwordCanary })
    .toString()
    .trim();
  const lines = realKey.split('\n');
  const key = [lines[0], `${keyCanary}${lines[1]!.slice(keyCanary.length)}`, ...lines.slice(2)].join('\n');
  const certificate = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xpZW50Q2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjAS\nMRAwDgYDVQQDDAdjbGllbnQxMB4XDTI2MDEwMTAwMDAwMFoXDTI3MDEwMTAwMDAwMFow\n-----END CERTIFICATE-----';
  const mtls = (o: { name?: string; key?: string; keyPassword?: string | null } = {}) => ({
    ...named(o.name ?? 'mtls-events'),
    kafka_bootstrap: { bootstrap_servers: state.text('b-1.kafka.example.com:9094') },
    kafka_protocol: { security_protocol: state.select('SSL') },
    kafka_mechanism: { sasl_mechanism: state.select('PLAIN') },
    kafka_tls_certificate: { ssl_certificate: state.text(certificate) },
    kafka_tls_key: { ssl_key: state.text(o.key ?? key) },
    kafka_tls_key_password: { ssl_key_password: state.text(o.keyPassword === undefined ? passwordCanary : o.keyPassword) },
  });

  it('asks for the password of an encrypted key, says what fits in Slack, and sends exactly the mTLS body', async () => {
    const view = JSON.stringify((await openModal(stack, 'create kafka')).blocks);
    expect(view).toContain('At most 3000 characters');
    expect(view).toContain('RSA 4096-bit key');
    const refused = (await submitCreateForm(stack, 'kafka', mtls({ keyPassword: null }))) as Errors;
    expect(refused.errors.kafka_tls_key_password).toBe('This key is encrypted: enter its password.');
    const notPem = (await submitCreateForm(stack, 'kafka', mtls({ key: 'not a key' }))) as Errors;
    expect(notPem.errors.kafka_tls_key).toMatch(/PEM form/);

    expect(await submitCreateForm(stack, 'kafka', mtls())).toBeUndefined();
    const card = JSON.stringify((await cardOf('mtls-events')).blocks);
    expect(card).toContain('mutual TLS');
    expect(await approveAndWait('mtls-events')).toContain('ready to use');
    expect(sentBody('mtls-events')).toEqual({
      name: 'mtls-events',
      type: 'Kafka',
      bootstrapServers: 'b-1.kafka.example.com:9094',
      security: { protocol: 'SSL' },
      authentication: { sslCertificate: certificate, sslKey: key, sslKeyPassword: passwordCanary },
      networking: { access: { type: 'PUBLIC' } },
    });
    expect(stored('mtls-events')).toBeDefined();
    expect(await ephemeralOf('show mtls-events')).toContain('mutual TLS');
    await expectNowhere(keyCanary, passwordCanary);
  });

  it('keeps the key and its password out of the thread, logs and database when Atlas echoes them', async () => {
    stack.world.atlas.injectFault({
      method: 'POST',
      path: '/connections',
      status: 400,
      echo: (body) => {
        const auth = (body as { authentication: { sslKey: string; sslKeyPassword: string } }).authentication;
        return `Could not decrypt key ${auth.sslKey} with password ${auth.sslKeyPassword}.`;
      },
    });
    expect(await submitCreateForm(stack, 'kafka', mtls({ name: 'echoed-tls' }))).toBeUndefined();
    const thread = await approveAndWait('echoed-tls');
    expect(thread).toContain('Could not decrypt key ••••');
    await expectNowhere(keyCanary, passwordCanary);
  });
});
