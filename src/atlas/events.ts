// The project's event feed (`GET /groups/{groupId}/events`, 2023-01-01): the stream connection
// changes drift watching reads. Field names are the spec's (atlas-more-openapi.json); the spec
// names no field for the connection itself, so it is read from the raw document
// (`includeRaw=true`, `raw.connectionName`) when Atlas gives it, and may be absent.
import { z } from 'zod';
import type { AtlasClient } from './client.js';

const V2023_01 = '2023-01-01';

export const CONNECTION_EVENT_TYPES = ['STREAM_TENANT_CONNECTION_CREATED', 'STREAM_TENANT_CONNECTION_UPDATED', 'STREAM_TENANT_CONNECTION_DELETED'] as const;

export const projectEventSchema = z.looseObject({
  id: z.string().min(1),
  created: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date'),
  eventTypeName: z.string(),
  instanceName: z.string().optional(),
  /** An API key's event: its ID and public part. */
  apiKeyId: z.string().optional(),
  publicKey: z.string().optional(),
  /** A person's event: their ID and e-mail address. */
  userId: z.string().optional(),
  username: z.string().optional(),
  /** An OAuth application acting for someone (undocumented for service accounts; read if present). */
  delegatePrincipal: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).optional(),
  raw: z.looseObject({ connectionName: z.string().optional() }).optional(),
});
export type ProjectEvent = z.infer<typeof projectEventSchema>;

const pageSchema = z.looseObject({ results: z.array(projectEventSchema), totalCount: z.number().int().optional() });

/** The project's connection events since `minDate`, every page, oldest first. */
export async function listConnectionEvents(atlas: AtlasClient, projectId: string, minDate: Date, opts: { itemsPerPage?: number; maxPages?: number } = {}): Promise<ProjectEvent[]> {
  const itemsPerPage = opts.itemsPerPage ?? 100;
  const types = CONNECTION_EVENT_TYPES.map((t) => `eventType=${t}`).join('&');
  const all: ProjectEvent[] = [];
  for (let pageNum = 1; pageNum <= (opts.maxPages ?? 50); pageNum++) {
    const page = await atlas.call({
      operation: 'read the project events',
      method: 'GET',
      // `eventType` repeats (form style), which the client's query map cannot say.
      path: `/groups/${encodeURIComponent(projectId)}/events?${types}`,
      version: V2023_01,
      query: { minDate: minDate.toISOString(), includeRaw: 'true', itemsPerPage, pageNum },
      response: pageSchema,
      maxAttempts: 2,
    });
    all.push(...page.results);
    const total = page.totalCount;
    if (page.results.length < itemsPerPage || (total !== undefined && pageNum * itemsPerPage >= total)) break;
  }
  return all.sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || a.id.localeCompare(b.id));
}
