// The exact Atlas call an approval authorises, as a discriminated union: stored sealed (bodies
// carry secrets), digested as it is, and mapped to the `src/atlas/` functions only when it runs.
import { z } from 'zod';
import { connectionBodySchema, streamsLocationSchema } from '../atlas/streams.js';
import { canonicalJson } from '../secrets/sealing.js';
import { planSchema } from '../workflows/privateLinkMachine.js';

const secretValuesSchema = z.array(z.string());
/** Secret fields given as `secretsmanager:` references (src/secrets/references.ts): read at execution, never stored as values. */
const refsSchema = z.array(z.string()).optional();

export const storedCallSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('create'), at: streamsLocationSchema, body: connectionBodySchema, secretValues: secretValuesSchema, refs: refsSchema }),
  z.object({ kind: z.literal('delete'), at: streamsLocationSchema, name: z.string() }),
  /** The Private Link workflow (README, "The Private Link setup"), which ends in a create of `body` over the link. */
  z.object({ kind: z.literal('privatelink'), at: streamsLocationSchema, body: connectionBodySchema, plan: planSchema, secretValues: secretValuesSchema, refs: refsSchema }),
  /**
   * One `PATCH` of `body`: `name`, `type` and the given fields only (README, "Editing a
   * connection"). Rotation reuses it: a PATCH with the fields to change.
   */
  z.object({ kind: z.literal('edit'), at: streamsLocationSchema, body: connectionBodySchema, secretValues: secretValuesSchema, refs: refsSchema }),
  /**
   * A rotation (README, "Rotating a connection's secrets"): one `PATCH` like an edit, whose secret
   * fields are references read at execution; its own kind so quorum (`rotate`) and the card know it.
   */
  z.object({ kind: z.literal('rotate'), at: streamsLocationSchema, body: connectionBodySchema, secretValues: secretValuesSchema, refs: refsSchema }),
  /** Delete the connection `body.name`, wait until Atlas no longer has it, create `body` (README, "Replacing a connection"). */
  z.object({ kind: z.literal('replace'), at: streamsLocationSchema, body: connectionBodySchema, secretValues: secretValuesSchema, refs: refsSchema }),
]);
export type StoredCall = z.infer<typeof storedCallSchema>;
export type CallKind = StoredCall['kind'];

/** What the keyed digest covers: the call as stored, nothing derived from it. */
export function digestInput(call: StoredCall): string {
  return canonicalJson(call);
}

// Requests stored before the union (version 0.1) held `{method, path, body?, plan?, secretValues}`
// and were digested over method, path, body and plan. A request pending across the upgrade keeps
// its approval binding: it is read as before and digested as before.
const legacyCallSchema = z.object({
  method: z.enum(['POST', 'DELETE', 'PRIVATELINK']),
  path: z.string(),
  body: connectionBodySchema.optional(),
  plan: planSchema.optional(),
  secretValues: secretValuesSchema,
});
const LEGACY_PATH = /^\/groups\/([^/]+)\/streams\/([^/]+)\/connections(?:\/([^/]+))?$/;

/** The stored call and the text its digest was computed over; undefined if it is neither form. */
export function readStoredCall(json: string): { call: StoredCall; digested: string } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  const current = storedCallSchema.safeParse(raw);
  if (current.success) return { call: current.data, digested: digestInput(current.data) };
  const legacy = legacyCallSchema.safeParse(raw);
  const path = legacy.success ? LEGACY_PATH.exec(legacy.data.path) : null;
  if (!legacy.success || !path) return undefined;
  const { method, body, plan, secretValues } = legacy.data;
  const at = { projectId: decodeURIComponent(path[1]!), instance: decodeURIComponent(path[2]!) };
  const digested = canonicalJson({ method, path: legacy.data.path, body: body ?? null, plan: plan ?? null });
  if (method === 'DELETE' && path[3]) return { call: { kind: 'delete', at, name: decodeURIComponent(path[3]) }, digested };
  if (method === 'POST' && body) return { call: { kind: 'create', at, body, secretValues }, digested };
  if (method === 'PRIVATELINK' && body && plan) return { call: { kind: 'privatelink', at, body, plan, secretValues }, digested };
  return undefined;
}

/** The secrets a call carries (masked everywhere, scrubbed from Atlas's echoes). */
export function secretsOf(call: StoredCall): readonly string[] {
  return call.kind === 'delete' ? [] : call.secretValues;
}

/** The Private Link plan a `privatelink` call carries. */
export type PlanOf<K extends 'privatelink'> = Extract<StoredCall, { kind: K }>['plan'];
