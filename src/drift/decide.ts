// Drift watching's decisions, pure (like privateLinkMachine.ts): which of a project's connection
// events are changes made outside spconn that a target should hear about, and how far its cursor
// moves. The effects (reading Atlas, claiming, posting) are in watcher.ts.
import type { ProjectEvent } from '../atlas/events.js';
import type { DriftActor, DriftChange } from '../modals/driftAlert.js';

const ACTIONS: Record<string, DriftChange['action']> = {
  STREAM_TENANT_CONNECTION_CREATED: 'created',
  STREAM_TENANT_CONNECTION_UPDATED: 'updated',
  STREAM_TENANT_CONNECTION_DELETED: 'deleted',
};

/** How far back each read looks before the cursor: events Atlas shows late are still seen (claims stop repeats). */
export const DRIFT_OVERLAP_MS = 10 * 60_000;

export interface DriftInput {
  targetName: string;
  instance: string;
  /** spconn's own identities for the target: its API key's public key or its service account's client ID. */
  own: readonly string[];
  /** When watching began for the target: older events are history, never alerted. */
  startedAt: Date;
  events: readonly ProjectEvent[];
}

export function actorOf(event: ProjectEvent): DriftActor {
  if (event.username !== undefined) return { kind: 'user', username: event.username };
  if (event.publicKey !== undefined) return { kind: 'key', publicKey: event.publicKey };
  if (event.delegatePrincipal?.name !== undefined || event.delegatePrincipal?.id !== undefined) {
    return { kind: 'key', publicKey: event.delegatePrincipal.name ?? event.delegatePrincipal.id ?? '' };
  }
  return { kind: 'unknown' };
}

/**
 * Whether spconn itself made the change. How Atlas names a service account in an event is not
 * documented: its client ID is looked for in every field that could carry it.
 */
export function isOwn(event: ProjectEvent, own: readonly string[]): boolean {
  const fields = [event.publicKey, event.username, event.apiKeyId, event.delegatePrincipal?.id, event.delegatePrincipal?.name];
  return fields.some((f) => f !== undefined && own.includes(f));
}

/** The changes to alert about, oldest first. */
export function driftChanges(input: DriftInput): DriftChange[] {
  const out: DriftChange[] = [];
  for (const event of input.events) {
    const action = ACTIONS[event.eventTypeName];
    if (!action) continue;
    if (event.instanceName !== undefined && event.instanceName !== input.instance) continue;
    const at = new Date(event.created);
    if (at.getTime() < input.startedAt.getTime()) continue;
    if (isOwn(event, input.own)) continue;
    out.push({ action, connectionName: event.raw?.connectionName, instance: event.instanceName, actor: actorOf(event), at, targetName: input.targetName, eventId: event.id });
  }
  return out;
}

/** The cursor after a read: the newest event seen, never backwards. */
export function nextCursor(previous: Date, events: readonly ProjectEvent[]): Date {
  const newest = Math.max(previous.getTime(), ...events.map((e) => Date.parse(e.created)));
  return new Date(newest);
}
