// Request bodies checked against Atlas's official OpenAPI schemas (the Streams subset, verbatim
// in atlas-streams-openapi.json), plus the rules the seed docs add. The spec's StreamsConnection
// is a cyclic oneOf parent / allOf child pair, so the discriminator is resolved by hand here.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Schema = Record<string, unknown>;

const spec = JSON.parse(readFileSync(new URL('./atlas-streams-openapi.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, Schema> };
};

// A copy with the parent's oneOf, discriminator and whole-schema readOnly removed, which breaks the cycle.
const schemas: Record<string, Schema> = structuredClone(spec.components.schemas);
const parent = schemas.StreamsConnection!;
delete parent.oneOf;
delete parent.discriminator;
delete parent.readOnly;
// The spec's `type` enum forgets S3 although its discriminator maps it.
const typeEnum = (parent.properties as Record<string, { enum?: string[] }>).type?.enum;
if (typeEnum && !typeEnum.includes('S3')) typeEnum.push('S3');

export const CONNECTION_TYPES: Record<string, string> = {
  Kafka: 'StreamsKafkaConnection',
  Cluster: 'StreamsClusterConnection',
  Sample: 'StreamsSampleConnection',
  Https: 'StreamsHttpsConnection',
  S3: 'StreamsS3Connection',
  AWSLambda: 'StreamsAWSLambdaConnection',
  AWSKinesisDataStreams: 'StreamsAWSKinesisDataStreamsConnection',
  SchemaRegistry: 'StreamsSchemaRegistryConnection',
  AzureBlobStorage: 'StreamsAzureBlobStorageConnection',
  GCPPubSub: 'StreamsGCPPubSubConnection',
};

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema({ components: { schemas } }, 'atlas');

const compiled = new Map<string, ValidateFunction>();
function validator(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    v = ajv.compile({ $ref: `atlas#/components/schemas/${name}` });
    compiled.set(name, v);
  }
  return v;
}

function resolve(schema: Schema | undefined): Schema | undefined {
  const ref = schema?.$ref;
  if (typeof ref === 'string') return resolve(schemas[ref.replace('#/components/schemas/', '')]);
  return schema;
}

/** The first read-only property the body sets, as a dotted path. */
function readOnlyViolation(value: unknown, schema: Schema | undefined, path: string): string | undefined {
  const s = resolve(schema);
  if (!s || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const parts = [s, ...((s.allOf as Schema[] | undefined) ?? []).map(resolve)];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    for (const part of parts) {
      const prop = resolve((part?.properties as Record<string, Schema> | undefined)?.[key]);
      if (!prop) continue;
      if (prop.readOnly === true) return `${path}${key}`;
      const nested = readOnlyViolation(child, prop, `${path}${key}.`);
      if (nested) return nested;
    }
  }
  return undefined;
}

/** Checks `body` against the named component schema; a message naming the field, or undefined. */
export function schemaProblem(schemaName: string, body: unknown): string | undefined {
  const validate = validator(schemaName);
  if (!validate(body)) {
    const e = validate.errors?.[0];
    const field = (e?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || (e?.params as { missingProperty?: string })?.missingProperty || 'body';
    return `Invalid attribute ${field}: ${e?.message ?? 'invalid'}.`;
  }
  const ro = readOnlyViolation(body, schemas[schemaName], '');
  return ro ? `Attribute ${ro} is read-only and cannot be set.` : undefined;
}
