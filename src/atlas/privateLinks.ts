// Atlas Stream Processing Private Link connections of a project.
import { z } from 'zod';
import type { AtlasClient } from './client.js';

export const privateLinkSchema = z.looseObject({
  _id: z.string(),
  provider: z.string().optional(),
  vendor: z.string().optional(),
  region: z.string().optional(),
  serviceEndpointId: z.string().optional(),
  dnsDomain: z.string().optional(),
  dnsSubDomain: z.array(z.string()).optional(),
  state: z.string().optional(),
  errorMessage: z.string().optional(),
  interfaceEndpointId: z.string().optional(),
});
export type PrivateLink = z.infer<typeof privateLinkSchema>;

const pageSchema = z.looseObject({ results: z.array(privateLinkSchema) });

export async function listPrivateLinks(atlas: AtlasClient, projectId: string, itemsPerPage = 100): Promise<PrivateLink[]> {
  const all: PrivateLink[] = [];
  for (let pageNum = 1; ; pageNum++) {
    const page = await atlas.call({
      operation: 'list Private Link connections',
      method: 'GET',
      path: `/groups/${encodeURIComponent(projectId)}/streams/privateLinkConnections`,
      version: '2023-02-01',
      query: { itemsPerPage, pageNum },
      response: pageSchema,
    });
    all.push(...page.results);
    if (page.results.length < itemsPerPage) return all;
  }
}
