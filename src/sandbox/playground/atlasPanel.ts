// The side panel's view of the emulated Atlas project (connections, Private Links, armed faults,
// recent calls) and its controls. Atlas keeps connections with their secrets; the panel shows
// only what identifies a connection, never a header value, password or key.
import { z } from 'zod';
import type { AtlasEmulator, StoredConnection, StoredPrivateLink } from '../atlasEmulator.js';

export interface PanelConnection {
  name: string;
  type: string;
  state: string;
  details: Array<[string, string]>;
}

export interface PanelPrivateLink {
  id: string;
  state: string;
  region: string;
  serviceEndpointId: string;
  dnsDomain: string;
  interfaceEndpointId?: string;
  errorMessage?: string;
}

export interface AtlasPanel {
  projectId: string;
  instance: string;
  connections: PanelConnection[];
  privateLinks: PanelPrivateLink[];
  faults: Array<{ status: number; remaining: number; where: string }>;
  recentCalls: Array<{ method: string; path: string; status: number; operation: string }>;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Only the fields that say what a connection is; secrets (headers' values, passwords) stay in Atlas. */
function connectionDetails(c: StoredConnection): Array<[string, string]> {
  const details: Array<[string, string]> = [];
  if (c.type === 'Https') {
    details.push(['url', str(c.url)]);
    const headers = Object.keys(rec(c.headers));
    if (headers.length) details.push(['headers', `${headers.join(', ')} (values hidden)`]);
  }
  if (c.type === 'S3') details.push(['role', str(rec(c.aws).roleArn)]);
  if (c.type === 'Cluster') {
    details.push(['cluster', str(c.clusterName) + (c.clusterGroupId ? ` (project ${str(c.clusterGroupId)})` : '')]);
    details.push(['role', `${str(rec(c.dbRoleToExecute).role)} (${str(rec(c.dbRoleToExecute).type)})`]);
  }
  if (c.type === 'AzureBlobStorage') details.push(['storage', `${str(rec(c.azure).storageAccountName)} as ${str(rec(c.azure).servicePrincipalId)}`]);
  if (c.type === 'GCPPubSub') details.push(['service account', str(rec(c.gcp).serviceAccountId)]);
  if (c.type === 'Kafka') {
    details.push(['bootstrap', str(c.bootstrapServers)]);
    details.push(['security', `${str(rec(c.security).protocol)} / ${str(rec(c.authentication).mechanism)}`]);
    const access = rec(rec(c.networking).access);
    details.push(['network', access.type === 'PRIVATE_LINK' ? `Private Link ${str(access.connectionId)}` : str(access.type) || 'PUBLIC']);
  }
  return details;
}

const linkForPanel = (l: StoredPrivateLink): PanelPrivateLink => ({
  id: str(l._id),
  state: str(l.state),
  region: str(l.region),
  serviceEndpointId: str(l.serviceEndpointId),
  dnsDomain: str(l.dnsDomain),
  ...(l.interfaceEndpointId ? { interfaceEndpointId: str(l.interfaceEndpointId) } : {}),
  ...(l.errorMessage ? { errorMessage: str(l.errorMessage) } : {}),
});

export function atlasPanel(atlas: AtlasEmulator, projectId: string, instance: string): AtlasPanel {
  return {
    projectId,
    instance,
    connections: atlas.connections(projectId, instance).map((c) => ({ name: str(c.name), type: str(c.type), state: str(c.state) || 'READY', details: connectionDetails(c) })),
    privateLinks: atlas.privateLinks(projectId).map(linkForPanel),
    faults: atlas.armedFaults().map((f) => ({ status: f.status, remaining: f.remaining, where: f.path === undefined ? 'any call' : String(f.path) })),
    recentCalls: atlas.calls
      .filter((c) => c.authenticated)
      .slice(-8)
      .reverse()
      .map((c) => ({ method: c.method, path: c.path.replace(`/api/atlas/v2/groups/${projectId}`, '…'), status: c.status, operation: c.operation ?? '' })),
  };
}

// ---- controls ----

export const privateLinkControlSchema = z.object({
  id: z.string().regex(/^[a-f0-9]{24}$/),
  state: z.enum(['DONE', 'FAILED']),
  errorMessage: z.string().max(300).optional(),
});

export const connectionControlSchema = z.object({ name: z.string().min(1).max(64), state: z.enum(['READY', 'FAILED']) });

export const faultControlSchema = z.object({
  status: z.union([z.literal(500), z.literal(503), z.literal(429)]),
  times: z.number().int().min(1).max(20).default(1),
});

export function setPrivateLink(atlas: AtlasEmulator, projectId: string, control: z.infer<typeof privateLinkControlSchema>): void {
  const message = control.state === 'FAILED' ? (control.errorMessage ?? 'The VPC endpoint service rejected the connection (failed from the playground).') : undefined;
  atlas.setPrivateLinkState(projectId, control.id, control.state, message);
}

export function setConnection(atlas: AtlasEmulator, projectId: string, instance: string, control: z.infer<typeof connectionControlSchema>): void {
  atlas.setConnectionState(projectId, instance, control.name, control.state);
}

export function injectFault(atlas: AtlasEmulator, control: z.infer<typeof faultControlSchema>): void {
  atlas.injectFault({ status: control.status, times: control.times, ...(control.status === 429 ? { retryAfterSeconds: 1 } : {}) });
}
