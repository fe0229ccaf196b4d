// The project's event feed (`GET /groups/{groupId}/events`, 2023-01-01), for stream connection
// changes only: every create, update and delete Atlas carries out is recorded with who made it.
// Field names are the spec's (`atlas-more-openapi.json`, NDSAuditViewForNdsGroup): `id`, `created`,
// `eventTypeName`, `groupId`, `apiKeyId` + `publicKey` for an API key, `userId` + `username` for a
// person. The spec names no field for the connection: the emulator puts it in `raw.connectionName`
// (sent with `includeRaw=true`) and the instance in `instanceName` (as Streams events have).
// How Atlas names a service account in an event is not documented either: the emulator records
// its client ID as `publicKey` (and no `apiKeyId`), as if it were an API key.
import { apiError, ATLAS_ERROR_CODES as CODES, type Reply } from './envelope.js';
import { newObjectId } from './state.js';

export const CONNECTION_EVENT_TYPES = {
  create: 'STREAM_TENANT_CONNECTION_CREATED',
  update: 'STREAM_TENANT_CONNECTION_UPDATED',
  delete: 'STREAM_TENANT_CONNECTION_DELETED',
} as const;
export type ConnectionChange = keyof typeof CONNECTION_EVENT_TYPES;

/** Who made a change: an API key, a service account (by client ID), or a person in the Atlas UI. */
export type EventActor = { publicKey: string } | { clientId: string } | { username: string };

export type ProjectEvent = Record<string, unknown> & { id: string; created: string; eventTypeName: string };

/** Every project's events, oldest first. */
export class EventLog {
  private readonly byProject = new Map<string, ProjectEvent[]>();
  private readonly userIds = new Map<string, string>();

  constructor(private readonly now: () => number) {}

  events(groupId: string): ProjectEvent[] {
    let list = this.byProject.get(groupId);
    if (!list) this.byProject.set(groupId, (list = []));
    return list;
  }

  /** The one place a connection change is recorded (create, PATCH, delete, or a change "from outside"). */
  recordConnectionEvent(groupId: string, change: { action: ConnectionChange; instance: string; connectionName: string; actor: EventActor }): ProjectEvent {
    const id = newObjectId();
    const created = new Date(this.now()).toISOString();
    const { actor } = change;
    const who =
      'username' in actor
        ? { userId: this.userId(actor.username), username: actor.username }
        : 'publicKey' in actor
          ? { apiKeyId: this.userId(`key:${actor.publicKey}`), publicKey: actor.publicKey }
          : { publicKey: actor.clientId };
    const event: ProjectEvent = {
      id,
      created,
      eventTypeName: CONNECTION_EVENT_TYPES[change.action],
      groupId,
      instanceName: change.instance,
      isGlobalAdmin: false,
      ...who,
      raw: { _t: 'NDS_AUDIT', cid: groupId, cre: created, id, description: `Stream connection ${change.action}d`, connectionName: change.connectionName },
      links: [],
    };
    this.events(groupId).push(event);
    return event;
  }

  private userId(of: string): string {
    let id = this.userIds.get(of);
    if (!id) this.userIds.set(of, (id = newObjectId()));
    return id;
  }
}

/** `GET /events`: `eventType` (repeatable), `minDate`, `maxDate`, `includeRaw`; newest first, paginated. */
export function listEvents(all: readonly ProjectEvent[], query: URLSearchParams): Reply {
  const types = query.getAll('eventType').flatMap((t) => t.split(','));
  const date = (name: string): number | Reply | undefined => {
    const raw = query.get(name);
    if (raw === null) return undefined;
    const ms = Date.parse(raw);
    return Number.isNaN(ms) ? apiError(400, CODES.invalidQueryParameter, `Invalid query parameter ${name} specified: ${raw} (must be an ISO 8601 date).`, [name]) : ms;
  };
  const min = date('minDate');
  const max = date('maxDate');
  if (typeof min === 'object') return min;
  if (typeof max === 'object') return max;
  const includeRaw = query.get('includeRaw') === 'true';
  const picked = all
    .filter((e) => (types.length === 0 || types.includes(e.eventTypeName)) && (min === undefined || Date.parse(e.created) >= min) && (max === undefined || Date.parse(e.created) <= max))
    .slice()
    .reverse()
    .map((e) => {
      const copy = structuredClone(e);
      if (!includeRaw) delete copy.raw;
      return copy;
    });
  const perPage = Number(query.get('itemsPerPage') ?? 100);
  const pageNum = Number(query.get('pageNum') ?? 1);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 500) return apiError(400, CODES.invalidQueryParameter, 'Invalid query parameter itemsPerPage specified (1 to 500).', ['itemsPerPage']);
  if (!Number.isInteger(pageNum) || pageNum < 1) return apiError(400, CODES.invalidQueryParameter, 'Invalid query parameter pageNum specified (from 1).', ['pageNum']);
  return { status: 200, body: { results: picked.slice((pageNum - 1) * perPage, pageNum * perPage), totalCount: picked.length, links: [] } };
}
