// A rotation's PATCH, pure: from Atlas's current definition of a connection and the references
// remembered for its secret fields, the body that sets each of those fields to its reference (read
// at execution) plus `name` and `type`. A PATCH replaces each top-level field it carries whole
// (README, "Editing a connection": assumed), so the siblings of a secret travel with it, read
// from Atlas (Kafka's `authentication`: mechanism and username; HTTPS `headers`: the other
// headers). Write-only siblings Atlas never returns (atlas-streams-openapi.json,
// StreamsKafkaAuthentication: password, clientSecret, sslKey, sslKeyPassword) cannot travel: a
// rotation that would drop one the mechanism needs is refused, naming it.
import type { ConnectionBody, StreamsConnection } from '../atlas/streams.js';
import type { ConnectionRef } from '../store/secretRefs.js';

export type RotationPlan =
  | { ok: true; body: ConnectionBody; refs: string[]; fields: Array<{ fieldPath: string; reference: string }>; otherSecrets: string[] }
  | { ok: false; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The write-only fields of Kafka's authentication a mechanism needs (the others are optional). */
function neededWriteOnly(auth: Record<string, unknown>): string[] {
  const mechanism = typeof auth.mechanism === 'string' ? auth.mechanism : undefined;
  if (mechanism === 'OAUTHBEARER') return ['clientSecret'];
  if (mechanism !== undefined) return ['password'];
  if (auth.sslCertificate !== undefined) return ['sslKey'];
  return [];
}

export function planRotation(current: StreamsConnection, remembered: readonly Pick<ConnectionRef, 'fieldPath' | 'reference'>[]): RotationPlan {
  const body: ConnectionBody = { name: current.name, type: current.type };
  const fields = [...remembered].sort((a, b) => a.fieldPath.localeCompare(b.fieldPath)).map((r) => ({ fieldPath: r.fieldPath, reference: r.reference }));
  const tops = [...new Set(fields.map((f) => f.fieldPath.split('.')[0]!))];
  for (const top of tops) {
    if (top === 'name' || top === 'type' || top === '') return { ok: false, error: `The remembered field ${top || '(empty)'} cannot hold a secret; edit the connection instead.` };
    const value: unknown = structuredClone(current[top]);
    body[top] = value === undefined ? {} : value;
  }
  for (const { fieldPath, reference } of fields) {
    const path = fieldPath.split('.');
    if (path.length === 1) {
      body[path[0]!] = reference;
      continue;
    }
    let node: unknown = body;
    for (const key of path.slice(0, -1)) {
      if (!isObject(node)) break;
      node[key] = isObject(node[key]) ? node[key] : {};
      node = node[key];
    }
    if (!isObject(node)) return { ok: false, error: `Atlas's definition has no object at ${fieldPath}; edit the connection instead.` };
    node[path.at(-1)!] = reference;
  }
  if (isObject(body.authentication)) {
    const given = new Set(fields.filter((f) => f.fieldPath.startsWith('authentication.')).map((f) => f.fieldPath.slice('authentication.'.length)));
    const missing = neededWriteOnly(body.authentication).filter((k) => !given.has(k));
    if (missing.length > 0) {
      return {
        ok: false,
        error: `authentication travels whole in a PATCH, and its ${missing.join(', ')} is not a remembered reference (Atlas never returns it), so a rotation would lose it. Use \`/spconn edit\` and give ${missing.length > 1 ? 'them' : 'it'} as \`secretsmanager:\` references too.`,
      };
    }
  }
  // Values read from Atlas that travel beside the references (other header values): masked and scrubbed like secrets.
  const referenced = new Set(fields.map((f) => f.reference));
  const otherSecrets = isObject(body.headers) ? Object.values(body.headers).filter((v): v is string => typeof v === 'string' && !referenced.has(v)) : [];
  return { ok: true, body, refs: [...referenced], fields, otherSecrets };
}
