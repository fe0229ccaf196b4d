// Property tests: thousands of random and hostile values into every form and the command parser.
// Each ends in precise field errors or a body that Atlas's own schemas and rules accept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONNECTION_TYPES } from '../../src/connections/index.js';
import { HTTPS_ACTIONS, HTTPS_BLOCKS } from '../../src/connections/https.js';
import { KAFKA_ACTIONS, KAFKA_BLOCKS, SASL_MECHANISMS, SECURITY_PROTOCOLS } from '../../src/connections/kafka.js';
import { PL_ACTIONS, PL_BLOCKS } from '../../src/connections/privateLink.js';
import { S3_ACTIONS, S3_BLOCKS } from '../../src/connections/s3.js';
import { parseCommand } from '../../src/handlers/commands/parse.js';
import { connectionNameError } from '../../src/modals/createModal.js';
import type { ViewStateValues } from '../../src/modals/viewState.js';
import { CONNECTION_TYPES as ATLAS_SCHEMAS, schemaProblem } from '../../src/sandbox/atlas/schemaValidation.js';
import { checkEveryForm, chosen, hostileText, expectSecretsMasked, external, select, text } from '../support/formProperties.js';

const hostile = hostileText(
  'http://example.com',
  'https://example.com/\r\nX-Injected: 1',
  'Authorization: Bearer ok\r\nX-Evil: 1',
  'a b',
  'a.b',
  '../../etc/passwd',
  '\u0000\u0007',
  '🙂🙂',
  'arn:aws:iam::12345678901:role/x',
  'arn:aws-us-gov:iam::123456789012:role/x',
  'arn:aws:iam::123456789012:user/x',
  'host:99999',
  'host:0,host:1',
  ',,,',
  '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----',
);
const maybe = fc.option(hostile, { nil: null });

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);
const headerValue = fc.stringMatching(/^[!-~][ -~]{0,60}$/);
const validHttps = fc.record({
  url: fc.webUrl({ validSchemes: ['https'] }).map((u) => u as string | null),
  headers: fc.uniqueArray(fc.tuple(token, headerValue), { maxLength: 5, selector: ([k]) => k.toLowerCase() }).map((hs) => hs.map(([k, v]) => `${k}: ${v}`).join('\n') as string | null),
});
const validRole = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/).map((r) => `arn:aws:iam::123456789012:role/${r}` as string | null);
const validServers = fc
  .array(fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })), { minLength: 1, maxLength: 4 })
  .map((xs) => xs.map(([h, p]) => `${h}:${p}`).join(',') as string | null);

const domain = fc.constantFrom('abc123.us-east-1.aws.confluent.cloud', 'xyz.eu-west-1.aws.confluent.cloud');
const validPrivateLink = domain.chain((d) =>
  fc.record({
    kind: fc.constantFrom('dedicated', 'serverless') as fc.Arbitrary<string | null>,
    region: fc.constant(d.split('.')[1]!) as fc.Arbitrary<string | null>,
    service: fc.stringMatching(/^[a-f0-9]{17}$/).map((id) => `com.amazonaws.vpce.${d.split('.')[1]}.vpce-svc-${id}` as string | null),
    dns: fc.constant(d) as fc.Arbitrary<string | null>,
    subs: fc.subarray(['use1-az1', 'use1-az2', 'use1-az4']).map((zs) => zs.map((z) => `${z}.${d}`).join('\n') as string | null),
    bootstrap: fc.constant(`lkc-abc.${d}:9092`) as fc.Arbitrary<string | null>,
    key: fc.stringMatching(/^[A-Z0-9]{16}$/) as fc.Arbitrary<string | null>,
    secret: fc.stringMatching(/^[A-Za-z0-9+/]{64}$/) as fc.Arbitrary<string | null>,
  }),
);

const formValues: Record<string, fc.Arbitrary<ViewStateValues>> = {
  privatelink: fc
    .oneof(fc.record({ kind: maybe, region: maybe, service: maybe, dns: maybe, subs: maybe, bootstrap: maybe, key: maybe, secret: maybe }), validPrivateLink)
    .map((v) => ({
      [PL_BLOCKS.kind]: { [PL_ACTIONS.kind]: chosen('radio_buttons', v.kind) },
      [PL_BLOCKS.region]: { [PL_ACTIONS.region]: select(v.region) },
      [PL_BLOCKS.serviceName]: { [PL_ACTIONS.serviceName]: text(v.service) },
      [PL_BLOCKS.dnsDomain]: { [PL_ACTIONS.dnsDomain]: text(v.dns) },
      [PL_BLOCKS.subdomains]: { [PL_ACTIONS.subdomains]: text(v.subs) },
      [PL_BLOCKS.bootstrap]: { [PL_ACTIONS.bootstrap]: text(v.bootstrap) },
      [PL_BLOCKS.apiKey]: { [PL_ACTIONS.apiKey]: text(v.key) },
      [PL_BLOCKS.apiSecret]: { [PL_ACTIONS.apiSecret]: text(v.secret) },
    })),
  https: fc.oneof(fc.record({ url: maybe, headers: maybe }), validHttps).map(({ url, headers }) => ({
    [HTTPS_BLOCKS.url]: { [HTTPS_ACTIONS.url]: text(url) },
    [HTTPS_BLOCKS.headers]: { [HTTPS_ACTIONS.headers]: text(headers) },
  })),
  s3: fc.oneof(fc.record({ role: maybe, bucket: maybe }), fc.record({ role: validRole, bucket: fc.constant(null) })).map(({ role, bucket }) => ({
    [S3_BLOCKS.role]: { [S3_ACTIONS.role]: external(role) },
    [S3_BLOCKS.testBucket]: { [S3_ACTIONS.testBucket]: text(bucket) },
  })),
  // A field-by-field mix is valid as a whole about once in a hundred; half the cases are valid
  // forms, so the path to an Atlas body is exercised as often as the refusals.
  kafka: fc
    .oneof(
      fc.record({
        bootstrap: fc.oneof(maybe, validServers),
        protocol: fc.oneof(fc.constantFrom(...SECURITY_PROTOCOLS), hostile),
        mechanism: fc.oneof(fc.constantFrom(...SASL_MECHANISMS), hostile),
        username: fc.oneof(maybe, token),
        password: fc.oneof(maybe, headerValue),
        certificate: maybe,
      }),
      fc.record({
        bootstrap: validServers,
        protocol: fc.constantFrom(...SECURITY_PROTOCOLS) as fc.Arbitrary<string | null>,
        mechanism: fc.constantFrom(...SASL_MECHANISMS) as fc.Arbitrary<string | null>,
        username: token as fc.Arbitrary<string | null>,
        password: headerValue as fc.Arbitrary<string | null>,
        certificate: fc.constant(null),
      }),
    )
    .map((v) => ({
      [KAFKA_BLOCKS.bootstrap]: { [KAFKA_ACTIONS.bootstrap]: text(v.bootstrap) },
      [KAFKA_BLOCKS.protocol]: { [KAFKA_ACTIONS.protocol]: select(v.protocol) },
      [KAFKA_BLOCKS.mechanism]: { [KAFKA_ACTIONS.mechanism]: select(v.mechanism) },
      [KAFKA_BLOCKS.username]: { [KAFKA_ACTIONS.username]: text(v.username) },
      [KAFKA_BLOCKS.password]: { [KAFKA_ACTIONS.password]: text(v.password) },
      [KAFKA_BLOCKS.certificate]: { [KAFKA_ACTIONS.certificate]: text(v.certificate) },
    })),
};

// Types with their own property file (formsMore.test.ts) are left to it.
describe.each(CONNECTION_TYPES.filter((t) => t.id in formValues).map((t) => [t.id, t] as const))('the %s form', (id, type) => {
  it('answers any input with field errors on its own blocks, or a body Atlas accepts', async () => {
    const outcomes = await checkEveryForm(type, formValues[id]!, 1500, (form) => {
      const body = type.atlasBody('valid-name', form);
      expect(schemaProblem(ATLAS_SCHEMAS[body.type]!, body)).toBeUndefined();
      expectSecretsMasked(type, form);
    });
    // Both paths were exercised, or the property proved little.
    expect(outcomes.accepted).toBeGreaterThan(300);
    expect(outcomes.refused).toBeGreaterThan(300);
  });
});

describe('connection names and commands', () => {
  it('accepts exactly the names Atlas accepts', () => {
    fc.assert(
      fc.property(hostile, (name) => {
        expect(connectionNameError(name) === undefined).toBe(/^[a-zA-Z0-9_-]{1,64}$/.test(name));
      }),
      { numRuns: 2000 },
    );
  });

  it('parses any command text without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.array(hostile).map((w) => w.join(' '))), (raw) => {
        const command = parseCommand(raw);
        expect(command.kind).toBeTypeOf('string');
        if (command.kind === 'usage') expect(command.problem.length).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
  });
});
