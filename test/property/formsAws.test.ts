// Property tests of the AWS Lambda, Kinesis and Schema Registry forms and Kafka's OIDC and mTLS, with Atlas's official
// schema (and the emulator's rules) as the oracle: any input ends in precise errors on the type's
// own blocks, or in a body the schema accepts, whose secrets the card never shows.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectionType } from '../../src/connections/index.js';
import { KAFKA_ACTIONS, KAFKA_BLOCKS, KAFKA_MECHANISMS, KAFKA_PROTOCOLS, SECURITY_PROTOCOLS } from '../../src/connections/kafka.js';
import { KINESIS_ACTIONS, KINESIS_BLOCKS, KINESIS_NETWORKING } from '../../src/connections/kinesis.js';
import { LAMBDA_ACTIONS, LAMBDA_BLOCKS, LAMBDA_NETWORKING } from '../../src/connections/lambda.js';
import { NETWORK_ACTIONS } from '../../src/connections/networking.js';
import { SR_ACTIONS, SR_AUTH_TYPES, SR_BLOCKS } from '../../src/connections/schemaRegistry.js';
import type { ViewStateValues } from '../../src/modals/viewState.js';
import { connectionRuleProblem } from '../../src/sandbox/atlas/rules.js';
import { CONNECTION_TYPES as ATLAS_SCHEMAS, schemaProblem } from '../../src/sandbox/atlas/schemaValidation.js';
import { checkEveryForm, expectSecretsMasked, hostileText, external, select, text } from '../support/formProperties.js';

const hostile = hostileText(
  'ftp://registry.example.com',
  'https://user:pw@registry.example.com',
  'https://registry.example.com\nhttps://registry.example.com',
  'https://exa mple.com',
  'https://bücher.example',
  '\u0000\u0007',
  'arn:aws:iam::12345678901:role/x',
  'arn:aws-us-gov:iam::123456789012:role/x',
  'arn:aws:iam::123456789012:user/x',
  '65f0c0ffee0123456789abcd',
  '65F0C0FFEE0123456789ABCD',
);
const maybe = fc.option(hostile, { nil: null });

const LINK_ID = '65f0c0ffee0123456789abcd';
const AUTHORISED = new Set<string>();
const validRole = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/).map((r) => {
  const arn = `arn:aws:iam::123456789012:role/${r}`;
  AUTHORISED.add(arn);
  return arn as string | null;
});
const validAccess = fc.oneof(fc.constant({ access: 'PUBLIC', link: null }), fc.constant({ access: 'PRIVATE_LINK', link: LINK_ID })) as fc.Arbitrary<{ access: string | null; link: string | null }>;
const anyAccess = fc.record({ access: fc.oneof(fc.constantFrom('PUBLIC', 'PRIVATE_LINK'), maybe), link: fc.oneof(maybe, fc.constant(LINK_ID)) });

function awsForm(blocks: { role: string }, actions: { role: string }, networking: { blocks: { access: string; link: string } }) {
  return fc
    .oneof(fc.record({ role: maybe, net: anyAccess }), fc.record({ role: validRole, net: validAccess }))
    .map(({ role, net }): ViewStateValues => ({
      [blocks.role]: { [actions.role]: external(role) },
      [networking.blocks.access]: { [NETWORK_ACTIONS.access]: select(net.access) },
      [networking.blocks.link]: { [NETWORK_ACTIONS.link]: text(net.link) },
    }));
}

const validUrl = fc.webUrl({ validSchemes: ['https', 'http'], withQueryParameters: true, withFragments: false });
const secretish = fc.stringMatching(/^[!-~][ -~]{0,60}$/);
const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);
const validRegistry = fc.record({
  urls: fc.uniqueArray(validUrl, { minLength: 1, maxLength: 10 }).map((us) => us.join('\n') as string | null),
  auth: fc.constantFrom(...SR_AUTH_TYPES) as fc.Arbitrary<string | null>,
  username: token as fc.Arbitrary<string | null>,
  password: secretish as fc.Arbitrary<string | null>,
}).map((v) => (v.auth === 'SASL_INHERIT' ? { ...v, username: null, password: null } : v));

// Real keys (PKCS#8, plain and encrypted) and a certificate-shaped PEM: the form checks PEM framing.
const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim();
const encryptedKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'key-pass-123' })
  .toString()
  .trim();
const certificate = `-----BEGIN CERTIFICATE-----\n${randomBytes(700).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----`;
const validServers = fc
  .array(fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })), { minLength: 1, maxLength: 3 })
  .map((xs) => xs.map(([h, p]) => `${h}:${p}`).join(','));
type KafkaFields = Partial<Record<keyof typeof KAFKA_BLOCKS, string | null>>;
const validOidc: fc.Arbitrary<KafkaFields> = fc.record({
  bootstrap: validServers,
  protocol: fc.constantFrom(...SECURITY_PROTOCOLS),
  mechanism: fc.constant('OAUTHBEARER'),
  tokenEndpoint: fc.webUrl({ validSchemes: ['https'] }),
  clientId: token,
  clientSecret: secretish,
  scope: fc.option(token, { nil: null }),
  extensions: fc.option(fc.constantFrom('logicalCluster=lkc-abc12', 'logicalCluster=lkc-abc12,identityPoolId=pool-x1'), { nil: null }),
});
const validMtls: fc.Arbitrary<KafkaFields> = fc.record({
  bootstrap: validServers,
  protocol: fc.constant('SSL'),
  mechanism: fc.constantFrom(...KAFKA_MECHANISMS),
  clientCertificate: fc.constant(certificate),
  clientKey: fc.constantFrom(ecKey, encryptedKey),
}).map((v) => ({ ...v, keyPassword: v.clientKey === encryptedKey ? 'key-pass-123' : null }));
const anyKafka: fc.Arbitrary<KafkaFields> = fc.record({
  bootstrap: fc.oneof(maybe, validServers),
  protocol: fc.oneof(fc.constantFrom(...KAFKA_PROTOCOLS), hostile),
  mechanism: fc.oneof(fc.constantFrom(...KAFKA_MECHANISMS), hostile),
  username: maybe,
  password: maybe,
  tokenEndpoint: fc.oneof(maybe, fc.webUrl()),
  clientId: fc.oneof(maybe, token),
  clientSecret: fc.oneof(maybe, secretish),
  scope: maybe,
  extensions: maybe,
  clientCertificate: fc.oneof(maybe, fc.constant(certificate)),
  clientKey: fc.oneof(maybe, fc.constantFrom(ecKey, encryptedKey)),
  keyPassword: maybe,
  certificate: maybe,
});

const formValues: Record<string, fc.Arbitrary<ViewStateValues>> = {
  kafka: fc.oneof(anyKafka, validOidc, validMtls).map((v) =>
    Object.fromEntries(
      (Object.keys(KAFKA_BLOCKS) as Array<keyof typeof KAFKA_BLOCKS>).map((k) => [
        KAFKA_BLOCKS[k],
        { [KAFKA_ACTIONS[k]]: k === 'protocol' || k === 'mechanism' ? select(v[k] ?? null) : text(v[k] ?? null) },
      ]),
    ),
  ),
  lambda: awsForm(LAMBDA_BLOCKS, LAMBDA_ACTIONS, LAMBDA_NETWORKING),
  kinesis: awsForm(KINESIS_BLOCKS, KINESIS_ACTIONS, KINESIS_NETWORKING),
  schemaregistry: fc
    .oneof(
      fc
        .record({ urls: fc.oneof(maybe, validUrl), auth: fc.oneof(fc.constantFrom(...SR_AUTH_TYPES), hostile), username: fc.oneof(maybe, token), password: fc.oneof(maybe, secretish) })
        // Both may draw the same hostile text: a password also typed as the username (a shown field) is not the card's to hide.
        .filter((v) => !v.password || !`${v.urls ?? ''}\n${v.username ?? ''}`.includes(v.password)),
      validRegistry,
    )
    .map((v) => ({
      [SR_BLOCKS.urls]: { [SR_ACTIONS.urls]: text(v.urls) },
      [SR_BLOCKS.auth]: { [SR_ACTIONS.auth]: select(v.auth) },
      [SR_BLOCKS.username]: { [SR_ACTIONS.username]: text(v.username) },
      [SR_BLOCKS.password]: { [SR_ACTIONS.password]: text(v.password) },
    })),
};

/** Values of the attributes Atlas's schemas mark write-only in these bodies. */
function writeOnlyValues(body: Record<string, unknown>): string[] {
  const auth = (body.authentication ?? body.schemaRegistryAuthentication ?? {}) as Record<string, unknown>;
  return ['password', 'clientSecret', 'sslKey', 'sslKeyPassword'].map((k) => auth[k]).filter((v): v is string => typeof v === 'string');
}

// Facts about Azure and GCP principals, which these types never read.
const noCloudPrincipals = { azureServicePrincipalIds: new Set<string>(), gcpServiceAccounts: new Map<string, string>() };
const facts = { authorisedRoleArns: AUTHORISED, knownRoleArns: AUTHORISED, privateLinkIds: new Set([LINK_ID]), ...noCloudPrincipals };

describe.each(Object.keys(formValues))('the %s form', (id) => {
  const type = connectionType(id)!;
  it('answers any input with field errors on its own blocks, or a body Atlas accepts', async () => {
    const outcomes = await checkEveryForm(type, formValues[id]!, 1500, (form) => {
      const body = type.atlasBody('valid-name', form);
      expect(body.type).toBe(type.atlasType);
      expect(schemaProblem(ATLAS_SCHEMAS[body.type]!, body)).toBeUndefined();
      expect(connectionRuleProblem(body, facts)).toBeUndefined();
      expectSecretsMasked(type, form);
      // Every write-only attribute of the body is declared a secret, so it is masked and sealed.
      for (const value of writeOnlyValues(body)) expect(type.secretValues(form)).toContain(value);
    });
    expect(outcomes.accepted).toBeGreaterThan(300);
    expect(outcomes.refused).toBeGreaterThan(300);
  });
});

describe('the oracle itself', () => {
  it('refuses what Atlas refuses for these types', () => {
    const sr = (auth: unknown, urls: unknown = ['https://r.example.com']) => ({ name: 'n', type: 'SchemaRegistry', provider: 'CONFLUENT', schemaRegistryUrls: urls, schemaRegistryAuthentication: auth });
    expect(schemaProblem('StreamsSchemaRegistryConnection', sr({ type: 'USER_INFO', username: 'u' }))).toMatch(/password/);
    expect(schemaProblem('StreamsSchemaRegistryConnection', sr({ type: 'SASL_INHERIT', password: 'p' }))).toMatch(/password/);
    expect(schemaProblem('StreamsSchemaRegistryConnection', sr({ type: 'SASL_INHERIT' }, Array.from({ length: 11 }, (_, i) => `https://r${i}.example.com`)))).toMatch(/schemaRegistryUrls/);
    expect(schemaProblem('StreamsAWSLambdaConnection', { name: 'n', type: 'AWSLambda', aws: { roleArn: 'x' }, networking: { access: { type: 'PUBLIC' } } })).toMatch(/networking/);
  });

  it("applies Atlas's rules beyond the schema to these types", () => {
    const role = 'arn:aws:iam::123456789012:role/authorised';
    const known = { authorisedRoleArns: new Set([role]), knownRoleArns: new Set([role, 'arn:aws:iam::123456789012:role/pending']), privateLinkIds: new Set([LINK_ID]), ...noCloudPrincipals };
    const lambda = (roleArn: string, extra = {}) => ({ name: 'n', type: 'AWSLambda', aws: { roleArn }, ...extra });
    expect(connectionRuleProblem(lambda(role), known)).toBeUndefined();
    expect(connectionRuleProblem(lambda('arn:aws:iam::123456789012:role/pending'), known)?.why).toMatch(/not authorized yet/);
    expect(connectionRuleProblem({ ...lambda('arn:aws:iam::123456789012:role/other'), type: 'AWSKinesisDataStreams' }, known)?.field).toBe('aws.roleArn');
    expect(connectionRuleProblem(lambda(role, { publicPrivateNetworking: { access: { type: 'PRIVATE_LINK', connectionId: 'ffffffffffffffffffffffff' } } }), known)?.field).toBe('publicPrivateNetworking.access.connectionId');
    expect(connectionRuleProblem({ name: 'n', type: 'SchemaRegistry', schemaRegistryUrls: [] }, known)?.field).toBe('schemaRegistryUrls');
    expect(connectionRuleProblem({ name: 'n', type: 'SchemaRegistry', schemaRegistryUrls: ['ftp://x.example.com'] }, known)?.field).toBe('schemaRegistryUrls');
    const kafka = (protocol: string, authentication: Record<string, string>) => ({ name: 'n', type: 'Kafka', bootstrapServers: 'b.example.com:9092', security: { protocol }, authentication });
    expect(connectionRuleProblem(kafka('SASL_SSL', { mechanism: 'OAUTHBEARER', tokenEndpointUrl: 'https://t.example.com', clientId: 'c', clientSecret: 's' }), known)?.field).toBe('authentication.method');
    expect(connectionRuleProblem(kafka('SASL_SSL', { mechanism: 'OAUTHBEARER', method: 'OIDC', tokenEndpointUrl: 'https://t.example.com', clientId: 'c' }), known)?.field).toBe('authentication.clientSecret');
    expect(connectionRuleProblem(kafka('SSL', { sslCertificate: 'c' }), known)?.field).toBe('authentication.sslKey');
    expect(connectionRuleProblem(kafka('SSL', { sslCertificate: 'c', sslKey: 'k' }), known)).toBeUndefined();
  });
});
