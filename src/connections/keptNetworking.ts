// For forms that cannot express Private Link (Azure Blob, Pub/Sub): an edit keeps the networking
// the connection has in Atlas, so editing another field is never silently a move to public.
import type { StreamsConnection } from '../atlas/streams.js';
import { field } from './types.js';

/** The connection's `publicPrivateNetworking` when it is not public; undefined otherwise or when creating. */
export function keptNetworking(editing: StreamsConnection | undefined): Record<string, unknown> | undefined {
  const networking = editing?.publicPrivateNetworking;
  if (!editing || typeof networking !== 'object' || networking === null || Array.isArray(networking)) return undefined;
  if ((field(editing, 'publicPrivateNetworking', 'access', 'type') ?? 'PUBLIC') === 'PUBLIC') return undefined;
  return networking as Record<string, unknown>;
}
