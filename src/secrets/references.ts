// Secrets by reference (SPEC §10): any secret field of any connection type may hold
// `secretsmanager:<name or ARN>[#<json key>]` instead of the value. This module is the one parser
// and reader for them: the forms check a reference at submission (readable, key present and a
// string), the sealed call keeps the reference, and execution reads it again just before Atlas.
//
// Reads here never go through the TTL cache of `apiKeys.ts`: a connection's secret must be the
// version that is current *now* (a rotation between submission and approval is what gets sent),
// so every read is a fresh GetSecretValue of AWSCURRENT, with the same deadline as the cache's.
// Errors name the reference and why; they never carry a value.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';
import { DEFAULT_SECRET_READ_TIMEOUT_MS } from './apiKeys.js';

export const REFERENCE_PREFIX = 'secretsmanager:';

export interface SecretReference {
  /** The reference as typed, e.g. `secretsmanager:kafka/prod#password`. */
  raw: string;
  /** Name or ARN, as GetSecretValue's SecretId. */
  secretId: string;
  /** The JSON key whose string value is used; without it, the whole SecretString. */
  key?: string;
}

/** True when a field's text is meant as a reference (it may still be malformed). */
export function isSecretReference(text: string): boolean {
  return text.trim().startsWith(REFERENCE_PREFIX);
}

/** A reference's parts, or a sentence saying what is wrong with it (naming the reference). */
export function parseSecretReference(text: string): { ok: true; ref: SecretReference } | { ok: false; error: string } {
  // `raw` stays as typed: it is how the body and the sealed call hold the reference.
  const raw = text;
  const rest = text.trim().slice(REFERENCE_PREFIX.length);
  const hash = rest.indexOf('#');
  const secretId = hash < 0 ? rest : rest.slice(0, hash);
  const key = hash < 0 ? undefined : rest.slice(hash + 1);
  const shown = text.trim().slice(0, 120);
  if (secretId === '') return { ok: false, error: `${shown}: name the secret after "secretsmanager:" (its name or ARN).` };
  if (secretId.length > 2048) return { ok: false, error: `${shown}…: a secret's name or ARN is at most 2048 characters.` };
  if (/\s/.test(secretId)) return { ok: false, error: `${shown}: a secret's name or ARN has no spaces.` };
  if (key !== undefined && key === '') return { ok: false, error: `${shown}: name the JSON key after "#", or leave the "#" out to use the whole secret.` };
  return { ok: true, ref: { raw, secretId, ...(key !== undefined ? { key } : {}) } };
}

/** Why a reference could not be used; `reason` is short and safe to show (never a value). */
export type ReadFailure = 'not found' | 'access denied' | 'cannot be decrypted' | 'binary, not text' | 'not JSON' | 'no such key' | 'key is not a string' | 'timed out' | 'unavailable';

export type ReadResult = { ok: true; value: string; versionId: string | undefined } | { ok: false; reason: ReadFailure; detail: string };

const jsonObjectSchema = z.record(z.string(), z.unknown());

export interface SecretReferencesOptions {
  logger: Logger;
  /** The deadline of one read, retries included (the config's `secrets.readTimeout`). */
  timeoutMs?: number;
}

export class SecretReferences {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: SecretReferencesOptions,
  ) {}

  /** A fresh read of the reference's current version, as a result (never throws). */
  async read(ref: SecretReference, signal?: AbortSignal): Promise<ReadResult> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_SECRET_READ_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(timeoutMs);
    const abortSignal = signal ? AbortSignal.any([deadline, signal]) : deadline;
    this.options.logger.info({ secretId: ref.secretId }, 'reading a referenced secret from Secrets Manager');
    let out;
    try {
      out = await this.client.send(new GetSecretValueCommand({ SecretId: ref.secretId }), { abortSignal });
    } catch (cause) {
      if (abortSignal.aborted) return { ok: false, reason: 'timed out', detail: `Secrets Manager did not answer within ${timeoutMs / 1000} s` };
      const name = cause instanceof Error ? cause.name : 'Error';
      this.options.logger.warn({ secretId: ref.secretId, error: name }, 'referenced secret could not be read');
      if (name === 'ResourceNotFoundException') return { ok: false, reason: 'not found', detail: 'no such secret (or version) in Secrets Manager' };
      if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException') {
        return { ok: false, reason: 'access denied', detail: "spconn's IAM role may not read it (secretsmanager:GetSecretValue)" };
      }
      if (name === 'DecryptionFailure') return { ok: false, reason: 'cannot be decrypted', detail: "spconn may not use the secret's KMS key (kms:Decrypt)" };
      return { ok: false, reason: 'unavailable', detail: `Secrets Manager answered ${name}` };
    }
    if (typeof out.SecretString !== 'string') return { ok: false, reason: 'binary, not text', detail: 'the secret holds binary data; spconn needs a text secret' };
    const versionId = out.VersionId;
    if (ref.key === undefined) return { ok: true, value: out.SecretString, versionId };
    let json: unknown;
    try {
      json = JSON.parse(out.SecretString);
    } catch {
      return { ok: false, reason: 'not JSON', detail: `the secret is not JSON, so it has no key ${ref.key}` };
    }
    const object = jsonObjectSchema.safeParse(json);
    if (!object.success || !(ref.key in object.data)) return { ok: false, reason: 'no such key', detail: `the secret's JSON has no key ${ref.key}` };
    const value = object.data[ref.key];
    if (typeof value !== 'string') return { ok: false, reason: 'key is not a string', detail: `the value of ${ref.key} is not a string` };
    return { ok: true, value, versionId };
  }

  /** The reference's value now, or a SpconnError naming the reference (for execution). */
  async resolve(ref: SecretReference): Promise<{ value: string; versionId: string | undefined }> {
    const result = await this.read(ref);
    if (result.ok) return { value: result.value, versionId: result.versionId };
    throw new SpconnError(
      'SECRET_UNAVAILABLE',
      `spconn could not read ${ref.raw.trim()} (${result.reason}: ${result.detail}); nothing was sent to Atlas.`,
    );
  }
}

/** The message shown inline on the field whose reference failed. */
export function referenceFieldError(ref: SecretReference, failure: Extract<ReadResult, { ok: false }>): string {
  return `${ref.raw.trim().slice(0, 200)}: ${failure.reason} (${failure.detail}).`.slice(0, 2000);
}

/** Path of a string leaf in a JSON body, e.g. `["authentication", "password"]`. */
export type FieldPath = string[];

/** Every place in `body` whose string value is exactly one of `refs` (the secret fields holding a reference). */
export function referencePaths(body: unknown, refs: readonly string[]): Array<{ path: FieldPath; ref: string }> {
  const wanted = new Set(refs);
  const found: Array<{ path: FieldPath; ref: string }> = [];
  const walk = (node: unknown, path: FieldPath) => {
    if (typeof node === 'string') {
      if (wanted.has(node)) found.push({ path, ref: node });
    } else if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...path, String(i)]));
    else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(body, []);
  return found;
}

/** A copy of `body` with each reference replaced by its value. */
export function substituteReferences<T>(body: T, values: ReadonlyMap<string, string>): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return values.get(node) ?? node;
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(body) as T;
}

/** The references among a form's secret values, parsed (malformed ones left to the form check). */
export function referencesIn(secretValues: readonly string[]): SecretReference[] {
  const refs = new Map<string, SecretReference>();
  for (const v of secretValues) {
    if (!isSecretReference(v)) continue;
    const parsed = parseSecretReference(v);
    if (parsed.ok) refs.set(parsed.ref.raw, parsed.ref);
  }
  return [...refs.values()];
}

/** Resolves every reference a call holds, reading each once; the values for substitution and scrubbing. */
export async function resolveAll(
  reader: SecretReferences,
  refs: readonly string[],
): Promise<{ values: Map<string, string>; versions: Map<string, string | undefined> }> {
  const values = new Map<string, string>();
  const versions = new Map<string, string | undefined>();
  for (const raw of refs) {
    const parsed = parseSecretReference(raw);
    if (!parsed.ok) throw new SpconnError('SECRET_UNAVAILABLE', `${parsed.error} Nothing was sent to Atlas.`);
    const { value, versionId } = await reader.resolve(parsed.ref);
    values.set(raw, value);
    versions.set(raw, versionId);
  }
  return { values, versions };
}
