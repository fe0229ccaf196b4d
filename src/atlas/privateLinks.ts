// Atlas Stream Processing Private Link connections of a project.
import { z } from 'zod';
import type { AtlasClient } from './client.js';
import { AtlasApiError } from './errors.js';

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

export async function listPrivateLinks(atlas: AtlasClient, projectId: string, itemsPerPage = 100): Promise<PrivateLink[]> {
  return atlas.listAll({ operation: 'list Private Link connections', path: linkPath(projectId), version: '2023-02-01', item: privateLinkSchema, itemsPerPage });
}

const linkPath = (projectId: string) => `/groups/${encodeURIComponent(projectId)}/streams/privateLinkConnections`;

export interface ConfluentLinkRequest {
  region: string;
  serviceEndpointId: string;
  dnsDomain: string;
  dnsSubDomain: string[];
}

const sameDomain = (a: string | undefined, b: string) => (a ?? '').toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

/** A project may hold one link per Confluent cluster: the same endpoint service or DNS domain. */
export function findLinkToCluster(links: PrivateLink[], cluster: Pick<ConfluentLinkRequest, 'serviceEndpointId' | 'dnsDomain'>): PrivateLink | undefined {
  return links.find(
    (l) => l.state !== 'DELETED' && l.state !== 'DELETING' && l.state !== 'DELETE_REQUESTED' && (l.serviceEndpointId === cluster.serviceEndpointId || sameDomain(l.dnsDomain, cluster.dnsDomain)),
  );
}

/** Requests the link; if an earlier try may have created it, the one found is the result. */
export async function createConfluentLink(atlas: AtlasClient, projectId: string, link: ConfluentLinkRequest): Promise<PrivateLink> {
  const recover = async () => findLinkToCluster(await listPrivateLinks(atlas, projectId), link);
  try {
    return await atlas.call({
      operation: 'request the Private Link connection',
      method: 'POST',
      path: linkPath(projectId),
      version: '2023-02-01',
      body: { vendor: 'CONFLUENT', provider: 'AWS', region: link.region, serviceEndpointId: link.serviceEndpointId, dnsDomain: link.dnsDomain, dnsSubDomain: link.dnsSubDomain },
      response: privateLinkSchema,
      recover,
    });
  } catch (e) {
    if (e instanceof AtlasApiError && e.errorCode === 'STREAM_PRIVATE_LINK_ALREADY_EXISTS') {
      const existing = await recover();
      if (existing) return existing;
    }
    throw e;
  }
}

/** The link, or undefined once it is gone (a 404 means deleted). */
export async function getPrivateLink(atlas: AtlasClient, projectId: string, linkId: string): Promise<PrivateLink | undefined> {
  try {
    return await atlas.call({
      operation: `read Private Link ${linkId}`,
      method: 'GET',
      path: `${linkPath(projectId)}/${encodeURIComponent(linkId)}`,
      version: '2023-02-01',
      response: privateLinkSchema,
    });
  } catch (e) {
    if (e instanceof AtlasApiError && e.status === 404) return undefined;
    throw e;
  }
}

export async function deletePrivateLink(atlas: AtlasClient, projectId: string, linkId: string): Promise<void> {
  try {
    await atlas.call({
      operation: `delete Private Link ${linkId}`,
      method: 'DELETE',
      path: `${linkPath(projectId)}/${encodeURIComponent(linkId)}`,
      version: '2023-02-01',
      response: z.unknown(),
    });
  } catch (e) {
    if (e instanceof AtlasApiError && e.status === 404) return;
    throw e;
  }
}
