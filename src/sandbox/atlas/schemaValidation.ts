// Request bodies checked against Atlas's official OpenAPI schemas (the Streams subset, verbatim in
// atlas-streams-openapi.json), the way Atlas reads them: types and patterns, no read-only or unknown
// attributes, write-only attributes never echoed back.
//
// The spec's discriminated unions are cyclic (StreamsConnection has `oneOf: [StreamsHttpsConnection,
// …]` and each child is `allOf: [StreamsConnection, …]`), which sends validators round in circles.
// In a copy, each such parent is split into `X__base` (its own properties, no `oneOf`) and a
// dispatcher `X` that picks the child by the discriminator value, with the children pointing at
// `X__base` instead of `X`.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Schema = Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const REF_PREFIX = '#/components/schemas/';

const spec: unknown = JSON.parse(readFileSync(new URL('./atlas-streams-openapi.json', import.meta.url), 'utf8'));
if (!isRecord(spec) || !isRecord(spec.components) || !isRecord(spec.components.schemas)) {
  throw new Error('atlas-streams-openapi.json has no components.schemas');
}
const original = spec.components.schemas as Record<string, Schema>;

interface Discriminator {
  propertyName: string;
  /** Discriminator value → child schema name. */
  mapping: Record<string, string>;
}

function discriminatorOf(schema: Schema | undefined): Discriminator | undefined {
  const d = schema?.discriminator;
  if (!isRecord(d) || typeof d.propertyName !== 'string' || !isRecord(d.mapping)) return undefined;
  const mapping: Record<string, string> = {};
  for (const [value, ref] of Object.entries(d.mapping)) if (typeof ref === 'string') mapping[value] = ref.slice(REF_PREFIX.length);
  return { propertyName: d.propertyName, mapping };
}

/** Replaces `$ref`s to `from` with `$ref`s to `to`, anywhere inside `node`. */
function repointRefs(node: unknown, from: string, to: string): void {
  if (Array.isArray(node)) {
    for (const item of node) repointRefs(item, from, to);
  } else if (isRecord(node)) {
    if (node.$ref === `${REF_PREFIX}${from}`) node.$ref = `${REF_PREFIX}${to}`;
    for (const value of Object.values(node)) repointRefs(value, from, to);
  }
}

const schemas: Record<string, Schema> = structuredClone(original);
const discriminators = new Map<string, Discriminator>();
for (const [name, schema] of Object.entries(original)) {
  const d = discriminatorOf(schema);
  if (!d || !Array.isArray(schema.oneOf)) continue;
  discriminators.set(name, d);
  const base = structuredClone(schema);
  delete base.oneOf;
  delete base.discriminator;
  // StreamsConnection is marked readOnly as a whole: meaningless for the parts a request sends.
  delete base.readOnly;
  schemas[`${name}__base`] = base;
  for (const child of new Set(Object.values(d.mapping))) repointRefs(schemas[child], name, `${name}__base`);
  schemas[name] = {
    allOf: [
      { $ref: `${REF_PREFIX}${name}__base` },
      ...Object.entries(d.mapping).map(([value, child]) => ({
        if: { properties: { [d.propertyName]: { const: value } }, required: [d.propertyName] },
        then: { $ref: `${REF_PREFIX}${child}` },
      })),
    ],
  };
}

// The spec's `type` enum forgets S3 although its discriminator maps it (README).
const connectionBase = schemas.StreamsConnection__base;
const typeProperty = isRecord(connectionBase?.properties) ? connectionBase.properties.type : undefined;
if (isRecord(typeProperty) && Array.isArray(typeProperty.enum) && !typeProperty.enum.includes('S3')) typeProperty.enum.push('S3');

/** Connection `type` → the child schema that describes it (from the spec's discriminator mapping). */
export const CONNECTION_TYPES: Readonly<Record<string, string>> = Object.freeze({ ...discriminators.get('StreamsConnection')?.mapping });

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
// ajv-formats is CommonJS; under NodeNext its default import is the module object or the function.
const addFormats: unknown = (addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule;
if (typeof addFormats === 'function') addFormats(ajv);
// OpenAPI formats that JSON Schema does not define: checked where meaningful, accepted otherwise.
ajv.addFormat('password', true);
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('float', { type: 'number', validate: () => true });
ajv.addFormat('double', { type: 'number', validate: () => true });
ajv.addSchema({ components: { schemas } }, 'atlas');

const compiled = new Map<string, ValidateFunction>();
function validator(name: string): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    if (!schemas[name]) throw new Error(`no schema ${name} in atlas-streams-openapi.json`);
    validate = ajv.compile({ $ref: `atlas#/components/schemas/${name}` });
    compiled.set(name, validate);
  }
  return validate;
}

/** What is wrong with a body, as Atlas's INVALID_ATTRIBUTE would say it: the attribute and why. */
export interface AttributeProblem {
  /** Dotted path of the attribute, e.g. `aws.roleArn` or `headers.X-Key`; `body` for the whole body. */
  field: string;
  why: string;
}

function fromAjv(error: ErrorObject): AttributeProblem {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params: Record<string, unknown> = error.params;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { field: [...path, params.missingProperty].join('.'), why: 'is required' };
  }
  const allowed = Array.isArray(params.allowedValues) ? ` (one of ${params.allowedValues.join(', ')})` : '';
  return { field: path.join('.') || 'body', why: `${error.message ?? 'is invalid'}${allowed}` };
}

function resolve(schema: unknown): Schema | undefined {
  if (!isRecord(schema)) return undefined;
  if (typeof schema.$ref === 'string') return resolve(schemas[schema.$ref.slice(REF_PREFIX.length)]);
  return schema;
}

/** The schema and everything it is `allOf`, with discriminated parents resolved for this value. */
function partsFor(schema: unknown, value: unknown): Schema[] {
  const out: Schema[] = [];
  const visit = (node: unknown) => {
    if (!isRecord(node)) return;
    const ref = typeof node.$ref === 'string' ? node.$ref.slice(REF_PREFIX.length) : undefined;
    const d = ref ? discriminators.get(ref) : undefined;
    if (d && ref) {
      visit(schemas[`${ref}__base`]);
      const tag = isRecord(value) ? value[d.propertyName] : undefined;
      const child = typeof tag === 'string' ? d.mapping[tag] : undefined;
      if (child) visit(schemas[child]);
      return;
    }
    const s = resolve(node);
    if (!s || out.includes(s)) return;
    out.push(s);
    if (Array.isArray(s.allOf)) for (const part of s.allOf) visit(part);
  };
  visit(schema);
  return out;
}

/**
 * The first attribute a request may not send: one marked readOnly, or one no schema declares
 * (Atlas refuses unknown attributes). Maps (`additionalProperties` schemas) take any key.
 */
function strictnessProblem(value: unknown, schema: unknown, path: string[]): AttributeProblem | undefined {
  const parts = partsFor(schema, value);
  if (Array.isArray(value)) {
    const items = parts.map((p) => p.items).find((i) => i !== undefined);
    if (items === undefined) return undefined;
    for (const [i, item] of value.entries()) {
      const problem = strictnessProblem(item, items, [...path, String(i)]);
      if (problem) return problem;
    }
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const declaresProperties = parts.some((p) => isRecord(p.properties));
  const additional = parts.map((p) => p.additionalProperties).find((a) => a !== undefined && a !== false);
  for (const [key, child] of Object.entries(value)) {
    const field = [...path, key];
    const declared = parts.map((p) => (isRecord(p.properties) ? p.properties[key] : undefined)).find((s) => s !== undefined);
    if (declared !== undefined) {
      if (resolve(declared)?.readOnly === true) return { field: field.join('.'), why: 'is read-only and cannot be set' };
      const problem = strictnessProblem(child, declared, field);
      if (problem) return problem;
    } else if (isRecord(additional)) {
      const problem = strictnessProblem(child, additional, field);
      if (problem) return problem;
    } else if (declaresProperties && additional !== true) {
      return { field: field.join('.'), why: 'is not an attribute of this resource' };
    }
  }
  return undefined;
}

/** Checks a request body against the named component schema; the first problem, or undefined. */
export function requestBodyProblem(schemaName: string, body: unknown): AttributeProblem | undefined {
  const validate = validator(schemaName);
  if (!validate(body)) {
    // An `if`/`then` failure is reported after the error inside `then`, which names the attribute.
    const error = validate.errors?.find((e) => e.keyword !== 'if') ?? validate.errors?.[0];
    return error ? fromAjv(error) : { field: 'body', why: 'is invalid' };
  }
  return strictnessProblem(body, { $ref: `${REF_PREFIX}${schemaName}` }, []);
}

/** The same check, worded as Atlas's detail would be. Kept for the property tests of the forms. */
export function schemaProblem(schemaName: string, body: unknown): string | undefined {
  const problem = requestBodyProblem(schemaName, body);
  return problem ? `Invalid attribute ${problem.field} specified: ${problem.why}.` : undefined;
}

/** A deep copy of `value` without the attributes the schema marks writeOnly (passwords, keys). */
export function withoutWriteOnly<T>(schemaName: string, value: T): T {
  const copy = structuredClone(value);
  const strip = (node: unknown, schema: unknown) => {
    const parts = partsFor(schema, node);
    if (Array.isArray(node)) {
      const items = parts.map((p) => p.items).find((i) => i !== undefined);
      if (items !== undefined) for (const item of node) strip(item, items);
      return;
    }
    if (!isRecord(node)) return;
    for (const key of Object.keys(node)) {
      const declared = parts.map((p) => (isRecord(p.properties) ? p.properties[key] : undefined)).find((s) => s !== undefined);
      const additional = parts.map((p) => p.additionalProperties).find((a) => isRecord(a));
      const childSchema = declared ?? additional;
      if (childSchema === undefined) continue;
      if (resolve(childSchema)?.writeOnly === true) delete node[key];
      else strip(node[key], childSchema);
    }
  };
  strip(copy, { $ref: `${REF_PREFIX}${schemaName}` });
  return copy;
}
