// Editing a connection, pure: what changes between Atlas's definition and the edited form's body,
// the PATCH that carries only that, and whether the change needs a replace (Atlas cannot change a
// connection's type or networking in place). Tested without a server.
import type { ConnectionBody, StreamsConnection, StreamProcessor } from '../atlas/streams.js';
import { escapeMrkdwn, truncate } from '../modals/blocks.js';
import { canonicalJson } from '../secrets/sealing.js';

/** Atlas's networking when a connection has none: the public internet. */
const PUBLIC = { access: { type: 'PUBLIC' } };

/** One changed value, by its dotted path in the Atlas body; a secret's values are never kept here. */
export type FieldChange = { path: string; secret: false; before?: string; after?: string } | { path: string; secret: true; change: 'changed' | 'removed' };

export type EditPlan =
  | { kind: 'none' }
  | { kind: 'edit'; patch: ConnectionBody; changes: FieldChange[] }
  | { kind: 'replace'; reason: string; changes: FieldChange[] };

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What to send for `next` (the edited form's Atlas body) given `current` (Atlas's GET, secrets
 * absent). Top-level fields are the unit of a PATCH: a field whose value changed is sent whole,
 * the others are left out (README: the merge of omitted fields is assumed). A change of `type`,
 * or of networking the form states, is a replace.
 */
export function planEdit(current: StreamsConnection, next: ConnectionBody, secretValues: readonly string[]): EditPlan {
  // Atlas leaves out a networking attribute that is public (Lambda's `publicPrivateNetworking`, others' `networking`).
  const base: StreamsConnection = { ...current };
  for (const key of NETWORKING_KEYS) if (next[key] !== undefined && base[key] === undefined) base[key] = PUBLIC;
  const changes = fieldChanges(base, next, secretValues);
  if (next.type !== current.type) return { kind: 'replace', reason: `the type changes from ${current.type} to ${next.type}`, changes };
  for (const key of NETWORKING_KEYS) {
    if (next[key] !== undefined && !same(next[key], base[key])) {
      return { kind: 'replace', reason: `its networking changes (${accessOf(base[key])} → ${accessOf(next[key])})`, changes };
    }
  }
  const patch: ConnectionBody = { name: current.name, type: current.type };
  for (const [key, value] of Object.entries(next)) {
    if (key !== 'name' && key !== 'type' && value !== undefined && !same(value, base[key])) patch[key] = value;
  }
  if (Object.keys(patch).length === 2) return { kind: 'none' };
  return { kind: 'edit', patch, changes };
}

/** The attributes that say how Atlas reaches a connection; changing one is a replace. */
const NETWORKING_KEYS = ['networking', 'publicPrivateNetworking'] as const;

function accessOf(networking: unknown): string {
  const access = isObject(networking) && isObject(networking.access) ? networking.access.type : undefined;
  return typeof access === 'string' ? access : 'unknown';
}

/** Leaf by leaf, the values that differ between the fields `next` sets and what Atlas has. */
export function fieldChanges(current: Record<string, unknown>, next: Record<string, unknown>, secretValues: readonly string[]): FieldChange[] {
  const changes: FieldChange[] = [];
  const secrets = new Set(secretValues);
  const holdsSecret = (value: unknown): boolean => (typeof value === 'string' ? secrets.has(value) : isObject(value) && Object.values(value).some(holdsSecret));
  const walk = (path: string, before: unknown, after: unknown, siblings: unknown) => {
    if (isObject(before) && isObject(after)) {
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) walk(path ? `${path}.${key}` : key, before[key], after[key], after);
      return;
    }
    if (same(before, after)) return;
    // A new secret, or a value removed beside new secrets (an HTTPS header dropped): never shown.
    if (holdsSecret(after) || (after === undefined && holdsSecret(siblings))) {
      changes.push({ path, secret: true, change: after === undefined ? 'removed' : 'changed' });
      return;
    }
    changes.push({ path, secret: false, ...(before === undefined ? {} : { before: display(before) }), ...(after === undefined ? {} : { after: display(after) }) });
  };
  for (const key of Object.keys(next)) {
    if (key === 'name' || next[key] === undefined) continue;
    // A field the form leaves out is kept by Atlas (a secret left empty): not a change.
    walk(key, current[key], next[key], undefined);
  }
  return changes;
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : canonicalJson(value);
}

/** The card's lines for the changes: `path: before → after`, a secret only as "changed". Escaped here. */
export function changeLines(changes: readonly FieldChange[]): Array<[string, string]> {
  return changes.map((c) => {
    const label = escapeMrkdwn(c.path);
    if (c.secret) return [label, `_${c.change} (secret)_`];
    const show = (v: string | undefined) => (v === undefined ? '_none_' : `\`${escapeMrkdwn(truncate(v, 300))}\``);
    return [label, `${show(c.before)} → ${show(c.after)}`];
  });
}

/** The stream processors a replace would cut off, and whether any runs now. */
export function processorLines(processors: readonly StreamProcessor[]): string {
  if (processors.length === 0) return '_none use it_';
  return processors.map((p) => `\`${escapeMrkdwn(p.name)}\` ${escapeMrkdwn(p.state ?? 'UNKNOWN')}`).join('\n');
}

export function startedProcessors(processors: readonly StreamProcessor[]): string[] {
  return processors.filter((p) => p.state === 'STARTED').map((p) => p.name);
}
