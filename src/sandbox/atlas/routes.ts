// The Admin API paths the emulator answers, with the resource version (Accept date) each documents.
// Operation names are what tests count (`atlas.count('createConnection')`).

export const API_VERSIONS = {
  streams: '2023-02-01',
  privateLinkUpdate: '2025-03-12',
  processors: '2024-05-30',
  accountDetails: '2024-11-13',
  cloudProviderAccess: '2023-01-01',
  /** The newest of the three dated versions of `GET /clusters` (2023-02-01 and 2023-01-01 are served too). */
  clusters: '2024-08-05',
  customDbRoles: '2023-01-01',
  events: '2023-01-01',
} as const;

/** Older dated versions a route still answers (the README: clusters in 2023-02-01 and 2023-01-01 too). */
const OLDER_VERSIONS: Partial<Record<Operation, readonly string[]>> = { listClusters: ['2023-02-01', '2023-01-01'] };

export type Operation =
  | 'listInstances'
  | 'getInstance'
  | 'listConnections'
  | 'createConnection'
  | 'getConnection'
  | 'updateConnection'
  | 'deleteConnection'
  | 'listProcessors'
  | 'listPrivateLinks'
  | 'createPrivateLink'
  | 'getPrivateLink'
  | 'updatePrivateLink'
  | 'deletePrivateLink'
  | 'getAccountDetails'
  | 'listCloudProviderAccess'
  | 'getCloudProviderAccessRole'
  | 'listClusters'
  | 'listCustomDbRoles'
  | 'listEvents';

interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Segments after `/api/atlas/v2/groups/{groupId}`; `:x` captures one segment. */
  path: string;
  operation: Operation;
  version: string;
}

// Fixed segments first: `privateLinkConnections` and `accountDetails` are not instance names.
const ROUTES: readonly Route[] = [
  { method: 'GET', path: 'streams/accountDetails', operation: 'getAccountDetails', version: API_VERSIONS.accountDetails },
  { method: 'GET', path: 'streams/privateLinkConnections', operation: 'listPrivateLinks', version: API_VERSIONS.streams },
  { method: 'POST', path: 'streams/privateLinkConnections', operation: 'createPrivateLink', version: API_VERSIONS.streams },
  { method: 'GET', path: 'streams/privateLinkConnections/:id', operation: 'getPrivateLink', version: API_VERSIONS.streams },
  { method: 'PATCH', path: 'streams/privateLinkConnections/:id', operation: 'updatePrivateLink', version: API_VERSIONS.privateLinkUpdate },
  { method: 'DELETE', path: 'streams/privateLinkConnections/:id', operation: 'deletePrivateLink', version: API_VERSIONS.streams },
  { method: 'GET', path: 'cloudProviderAccess', operation: 'listCloudProviderAccess', version: API_VERSIONS.cloudProviderAccess },
  { method: 'GET', path: 'cloudProviderAccess/:roleId', operation: 'getCloudProviderAccessRole', version: API_VERSIONS.cloudProviderAccess },
  { method: 'GET', path: 'clusters', operation: 'listClusters', version: API_VERSIONS.clusters },
  { method: 'GET', path: 'customDBRoles/roles', operation: 'listCustomDbRoles', version: API_VERSIONS.customDbRoles },
  { method: 'GET', path: 'events', operation: 'listEvents', version: API_VERSIONS.events },
  { method: 'GET', path: 'streams', operation: 'listInstances', version: API_VERSIONS.streams },
  { method: 'GET', path: 'streams/:tenant', operation: 'getInstance', version: API_VERSIONS.streams },
  { method: 'GET', path: 'streams/:tenant/connections', operation: 'listConnections', version: API_VERSIONS.streams },
  { method: 'POST', path: 'streams/:tenant/connections', operation: 'createConnection', version: API_VERSIONS.streams },
  { method: 'GET', path: 'streams/:tenant/connections/:name', operation: 'getConnection', version: API_VERSIONS.streams },
  { method: 'PATCH', path: 'streams/:tenant/connections/:name', operation: 'updateConnection', version: API_VERSIONS.streams },
  { method: 'DELETE', path: 'streams/:tenant/connections/:name', operation: 'deleteConnection', version: API_VERSIONS.streams },
  { method: 'GET', path: 'streams/:tenant/processors', operation: 'listProcessors', version: API_VERSIONS.processors },
];

/** Atlas's names of the path parameters (as its OpenAPI spec writes them). */
const ATLAS_PARAM_NAMES: Record<string, string> = { tenant: 'tenantName', name: 'connectionName', id: 'connectionId', roleId: 'roleId' };

/** Every project endpoint the emulator serves, as Atlas writes it (`/api/atlas/v2/groups/{groupId}/streams/{tenantName}/connections`). */
export function projectEndpoints(): Array<{ method: Route['method']; path: string }> {
  return ROUTES.map((route) => ({
    method: route.method,
    path: `/api/atlas/v2/groups/{groupId}/${route.path
      .split('/')
      .map((part) => (part.startsWith(':') ? `{${ATLAS_PARAM_NAMES[part.slice(1)] ?? part.slice(1)}}` : part))
      .join('/')}`,
  }));
}

const PROJECT_PREFIX = /^\/api\/atlas\/v2\/groups\/([^/]+)(?:\/(.*))?$/;

export interface RouteMatch {
  operation: Operation;
  version: string;
  /** Every dated version the route answers, `version` first. */
  versions: readonly string[];
  groupId: string;
  /** Decoded path parameters: tenant, name, id, roleId. */
  params: Record<string, string>;
}

export type RouteLookup = { kind: 'found'; match: RouteMatch } | { kind: 'wrongMethod'; allowed: string[] } | { kind: 'unknown' };

/** The project a path is about, if any (for rate limits, which Atlas keeps per project). */
export function projectOf(pathname: string): string | undefined {
  const id = PROJECT_PREFIX.exec(pathname)?.[1];
  return id === undefined ? undefined : safeDecode(id);
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function matchPath(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i]!;
    if (part.startsWith(':')) {
      const value = safeDecode(segment);
      if (value === undefined || value === '') return undefined;
      params[part.slice(1)] = value;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

export function findRoute(method: string, pathname: string): RouteLookup {
  const m = PROJECT_PREFIX.exec(pathname);
  const groupId = m?.[1] === undefined ? undefined : safeDecode(m[1]);
  if (!m || groupId === undefined || m[2] === undefined) return { kind: 'unknown' };
  const segments = m[2].replace(/\/$/, '').split('/');
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const params = matchPath(route.path, segments);
    if (!params) continue;
    if (route.method === method) return { kind: 'found', match: { operation: route.operation, version: route.version, versions: [route.version, ...(OLDER_VERSIONS[route.operation] ?? [])], groupId, params } };
    if (!allowed.includes(route.method)) allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'wrongMethod', allowed } : { kind: 'unknown' };
}
