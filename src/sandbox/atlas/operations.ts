// What the emulated Atlas does for each operation once a request is authenticated, versioned and
// parsed: look the project up, validate the body against the schema and the README's rules, change
// the state, and answer as Atlas would (the error envelope for every refusal).
import { canonicalJson } from '../../secrets/sealing.js';
import { listEvents, type EventLog } from './events.js';
import { apiError, ATLAS_ERROR_CODES as CODES, invalidAttribute, type Reply } from './envelope.js';
import type { RouteMatch } from './routes.js';
import {
  accessType,
  awsRegion,
  connectionIdentityProblem,
  connectionRuleProblem,
  isRecord,
  privateLinkProblem,
  type ProjectFacts,
} from './rules.js';
import { CONNECTION_TYPES, requestBodyProblem, type AttributeProblem } from './schemaValidation.js';
import {
  advanceConnection,
  advanceLink,
  awsAccountDetails,
  connectionView,
  instanceView,
  markLinkDone,
  newObjectId,
  privateLinkView,
  type Progression,
  type Project,
  type StoredConnection,
  type StoredPrivateLink,
  type StreamsInstance,
} from './state.js';

export interface OperationContext {
  projects: ReadonlyMap<string, Project>;
  linkProgress: Progression;
  connectionProgress: Progression;
  events: EventLog;
}

const GROUP_ID = /^[a-f0-9]{24}$/;
const DELETING = new Set(['DELETE_REQUESTED', 'DELETING', 'DELETED']);
const ok = (body: unknown, status = 200): Reply => ({ status, body });
const refuse = (p: AttributeProblem): Reply => invalidAttribute(p.field, p.why);

export function runOperation(ctx: OperationContext, match: RouteMatch, body: unknown, query: URLSearchParams): Reply {
  const { groupId, params } = match;
  if (!GROUP_ID.test(groupId)) return apiError(400, CODES.invalidGroupId, `An invalid group ID ${groupId} was specified.`, [groupId]);
  const project = ctx.projects.get(groupId);
  if (!project) return apiError(404, CODES.groupNotFound, `No group with ID ${groupId} exists.`, [groupId]);
  const tenant = params.tenant ?? '';
  const name = params.name ?? '';
  const linkId = params.id ?? '';

  switch (match.operation) {
    case 'listInstances':
      return page([...project.instances.values()].map((i) => instanceView(project, i)), query);
    case 'getInstance': {
      const instance = project.instances.get(tenant);
      return instance ? ok(instanceView(project, instance)) : tenantNotFound(project, tenant);
    }
    case 'listConnections':
      // A list is a look at each connection as a GET is (spconn's shared poller reads lists).
      return withInstance(project, tenant, (i) => {
        for (const c of i.connections) advanceConnection(c, ctx.connectionProgress, true);
        return page(i.connections.map(connectionView), query);
      });
    case 'getConnection':
      return withConnection(project, tenant, name, (_, c) => {
        advanceConnection(c, ctx.connectionProgress, true);
        return ok(connectionView(c));
      });
    case 'createConnection':
      return withInstance(project, tenant, (i) => createConnection(ctx, project, i, body));
    case 'updateConnection':
      return withConnection(project, tenant, name, (_, c) => updateConnection(ctx, project, c, body));
    case 'deleteConnection':
      return withConnection(project, tenant, name, (i, c) => deleteConnection(project, i, c));
    case 'listProcessors':
      return withInstance(project, tenant, (i) => page(i.processors.map((p) => ({ _id: p._id ?? newObjectId(), ...structuredClone(p) })), query));
    case 'listPrivateLinks':
      // A list is a look at each link as a GET is (spconn's shared poller reads lists).
      for (const link of project.privateLinks) advanceLink(link, project, ctx.linkProgress, true);
      return page(project.privateLinks.map(privateLinkView), query);
    case 'createPrivateLink':
      return createPrivateLink(ctx, project, body);
    case 'getPrivateLink':
      return withLink(project, linkId, (link) => {
        advanceLink(link, project, ctx.linkProgress, true);
        return ok(privateLinkView(link));
      });
    case 'updatePrivateLink':
      return withLink(project, linkId, (link) => updatePrivateLink(link, body));
    case 'deletePrivateLink':
      return withLink(project, linkId, (link) => deletePrivateLink(project, link));
    case 'getAccountDetails':
      return accountDetails(project, query);
    case 'listCloudProviderAccess':
      return ok({
        awsIamRoles: structuredClone(project.awsIamRoles),
        azureServicePrincipals: structuredClone(project.azureServicePrincipals),
        gcpServiceAccounts: structuredClone(project.gcpServiceAccounts),
      });
    case 'listClusters':
      return page(structuredClone(project.clusters), query);
    case 'listCustomDbRoles':
      // Not paginated: a plain array of UserCustomDBRole.
      return ok(structuredClone(project.customDbRoles));
    case 'listEvents':
      return listEvents(ctx.events.events(groupId), query);
    case 'getCloudProviderAccessRole': {
      const role = [...project.awsIamRoles, ...project.gcpServiceAccounts].find((r) => r.roleId === params.roleId) ?? project.azureServicePrincipals.find((r) => r._id === params.roleId);
      return role
        ? ok(structuredClone(role))
        : apiError(404, CODES.roleNotFound, `No cloud provider access role with ID ${String(params.roleId)} exists in group ${groupId}.`, [params.roleId, groupId]);
    }
  }
}

// ---- look-ups ------------------------------------------------------------------------------------

function tenantNotFound(project: Project, tenant: string): Reply {
  return apiError(404, CODES.tenantNotFound, `Stream instance for project ${project.groupId} and name ${tenant} not found.`, [project.groupId, tenant]);
}

function withInstance(project: Project, tenant: string, then: (instance: StreamsInstance) => Reply): Reply {
  const instance = project.instances.get(tenant);
  return instance ? then(instance) : tenantNotFound(project, tenant);
}

function withConnection(project: Project, tenant: string, name: string, then: (instance: StreamsInstance, connection: StoredConnection) => Reply): Reply {
  return withInstance(project, tenant, (instance) => {
    const connection = instance.connections.find((c) => c.name === name);
    if (connection) return then(instance, connection);
    return apiError(
      404,
      CODES.connectionNotFound,
      `Stream connection with name ${name} for project ${project.groupId} and name ${tenant} not found.`,
      [name, project.groupId, tenant],
    );
  });
}

function withLink(project: Project, id: string, then: (link: StoredPrivateLink) => Reply): Reply {
  const link = project.privateLinks.find((l) => l._id === id);
  return link ? then(link) : apiError(404, CODES.privateLinkNotFound, `Private Link connection ${id} not found in group ${project.groupId}.`, [id, project.groupId]);
}

/** Atlas's pages: `itemsPerPage` 1–500 (default 100), `pageNum` from 1. */
export function page(items: unknown[], query: URLSearchParams): Reply {
  const number = (name: string, fallback: number, max: number): number | Reply => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      return apiError(400, CODES.invalidQueryParameter, `Invalid query parameter ${name} specified: ${raw} (must be an integer from 1${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}).`, [name]);
    }
    return value;
  };
  const perPage = number('itemsPerPage', 100, 500);
  if (typeof perPage !== 'number') return perPage;
  const pageNum = number('pageNum', 1, Number.MAX_SAFE_INTEGER);
  if (typeof pageNum !== 'number') return pageNum;
  return ok({ results: items.slice((pageNum - 1) * perPage, pageNum * perPage), totalCount: items.length, links: [] });
}

function factsOf(project: Project): ProjectFacts {
  return {
    authorisedRoleArns: new Set(project.awsIamRoles.filter((r) => typeof r.authorizedDate === 'string').map((r) => String(r.iamAssumedRoleArn))),
    knownRoleArns: new Set(project.awsIamRoles.map((r) => String(r.iamAssumedRoleArn))),
    privateLinkIds: new Set(project.privateLinks.filter((l) => !DELETING.has(String(l.state))).map((l) => String(l._id))),
    azureServicePrincipalIds: new Set(project.azureServicePrincipals.map((p) => String(p.servicePrincipalId).toLowerCase())),
    gcpServiceAccounts: new Map(project.gcpServiceAccounts.map((a) => [String(a.gcpServiceAccountForAtlas), String(a.status)])),
  };
}

// ---- connections ---------------------------------------------------------------------------------

/** Schema of the body's type, then the README's rules. */
function connectionProblem(project: Project, body: Record<string, unknown>): AttributeProblem | undefined {
  const identity = connectionIdentityProblem(body, Object.keys(CONNECTION_TYPES));
  if (identity) return identity;
  const schema = CONNECTION_TYPES[String(body.type)]!;
  return requestBodyProblem(schema, body) ?? connectionRuleProblem(body, factsOf(project));
}

/** Private networking takes Atlas a while to set up (README: 20–30 minutes for Kafka). */
function initialState(ctx: OperationContext, connection: StoredConnection): 'READY' | 'PENDING' {
  return accessType(connection) === 'PUBLIC' || ctx.connectionProgress.readyWithoutPolls() ? 'READY' : 'PENDING';
}

function createConnection(ctx: OperationContext, project: Project, instance: StreamsInstance, body: unknown): Reply {
  if (!isRecord(body)) return invalidAttribute('body', 'must be a JSON object');
  const problem = connectionProblem(project, body);
  if (problem) return refuse(problem);
  if (instance.connections.some((c) => c.name === body.name)) {
    return apiError(409, CODES.connectionNameExists, `A stream connection with name ${String(body.name)} already exists in stream instance ${instance.name}.`, [body.name, instance.name]);
  }
  const stored: StoredConnection = { ...structuredClone(body), id: newObjectId() };
  stored.state = initialState(ctx, stored);
  instance.connections.push(stored);
  return ok(connectionView(stored));
}

/**
 * An update merges the fields given into the connection: each top-level field sent replaces the
 * stored one whole, the fields left out are kept (write-only secrets included). ASSUMED: Atlas's
 * docs do not say whether omitted fields are kept (README). A change of type or networking is
 * refused as Atlas refuses it, STREAM_NETWORKING_CANNOT_BE_MODIFIED.
 */
function updateConnection(ctx: OperationContext, project: Project, connection: StoredConnection, body: unknown): Reply {
  if (!isRecord(body)) return invalidAttribute('body', 'must be a JSON object');
  if (body.name !== undefined && body.name !== connection.name) return invalidAttribute('name', 'cannot be changed; create a new connection instead');
  if (body.type !== undefined && body.type !== connection.type) {
    return apiError(400, CODES.networkingCannotBeModified, `The type of stream connection ${String(connection.name)} cannot be modified (${String(connection.type)} to ${String(body.type)}); delete it and create it again.`, [connection.name]);
  }
  const publicAccess = { access: { type: 'PUBLIC' } };
  if (body.networking !== undefined && canonicalJson(body.networking) !== canonicalJson(connection.networking ?? publicAccess)) {
    return apiError(400, CODES.networkingCannotBeModified, `The networking of stream connection ${String(connection.name)} cannot be modified; delete it and create it again.`, [connection.name]);
  }
  const kept = Object.fromEntries(Object.entries(connection).filter(([key]) => key !== 'id' && key !== 'state'));
  const next: Record<string, unknown> = { ...structuredClone(kept), ...structuredClone(body), name: connection.name, type: connection.type };
  const problem = connectionProblem(project, next);
  if (problem) return refuse(problem);
  const wasPublic = accessType(connection) === 'PUBLIC';
  const { id, state } = connection;
  // In place: tests hold the stored object (`atlas.connections(...)`).
  for (const key of Object.keys(connection)) delete connection[key];
  Object.assign(connection, next);
  if (id !== undefined) connection.id = id;
  if (state !== undefined) connection.state = state;
  if (wasPublic && accessType(connection) !== 'PUBLIC') connection.state = initialState(ctx, connection);
  return ok(connectionView(connection));
}

function deleteConnection(project: Project, instance: StreamsInstance, connection: StoredConnection): Reply {
  const name = String(connection.name);
  const running = instance.processors.some((p) => p.state === 'STARTED' && canonicalJson(p.pipeline).includes(`"connectionName":${JSON.stringify(name)}`));
  if (running || project.inUse.has(`${instance.name}/${name}`)) {
    return apiError(409, CODES.connectionInUse, `Connection ${name} is used by a running stream processor; stop or drop the processor first.`, [name]);
  }
  if (connection.type === 'Kafka' && connection.state === 'PENDING') {
    return apiError(409, CODES.kafkaConnectionDeploying, `Kafka connection ${name} is still deploying; try again once it is READY.`, [name]);
  }
  instance.connections.splice(instance.connections.indexOf(connection), 1);
  return { status: 202 };
}

// ---- Private Link --------------------------------------------------------------------------------

function createPrivateLink(ctx: OperationContext, project: Project, body: unknown): Reply {
  if (!isRecord(body)) return invalidAttribute('body', 'must be a JSON object');
  const schemaProblem = requestBodyProblem('StreamsPrivateLinkConnection', body);
  if (schemaProblem) return refuse(schemaProblem);
  const live = project.privateLinks.filter((l) => !DELETING.has(String(l.state))).map((l) => ({ ...l, _id: String(l._id) }));
  const problem = privateLinkProblem(body, live);
  if (problem?.kind === 'attribute') return refuse(problem.problem);
  if (problem?.kind === 'duplicate') {
    return apiError(400, CODES.privateLinkExists, `A Private Link connection to this endpoint already exists in group ${project.groupId}: ${problem.existing._id}.`, [problem.existing._id]);
  }
  const link: StoredPrivateLink = { ...structuredClone(body), _id: newObjectId() };
  // Atlas answers before provisioning starts: the answer has no state, echoes provider as sent.
  const answer = structuredClone(link);
  link.state = 'IDLE';
  if (ctx.linkProgress.readyWithoutPolls()) markLinkDone(link, project);
  project.privateLinks.push(link);
  return ok(answer);
}

function updatePrivateLink(link: StoredPrivateLink, body: unknown): Reply {
  if (!isRecord(body)) return invalidAttribute('body', 'must be a JSON object');
  const problem = requestBodyProblem('StreamsPrivateLinkConnectionRequest', body);
  if (problem) return refuse(problem);
  // The spec: "Allowed only when no domain is currently set, or when the connection is in IDLE state."
  if (body.dnsDomain !== undefined && typeof link.dnsDomain === 'string' && link.dnsDomain !== '' && link.state !== 'IDLE') {
    return invalidAttribute('dnsDomain', `can only be changed while the Private Link has no domain or is IDLE (it is ${String(link.state)})`);
  }
  Object.assign(link, structuredClone(body));
  return ok(privateLinkView(link));
}

function deletePrivateLink(project: Project, link: StoredPrivateLink): Reply {
  const users = [...project.instances.values()].flatMap((i) =>
    i.connections.filter((c) => {
      const networking = isRecord(c.networking) ? c.networking : undefined;
      return isRecord(networking?.access) && networking.access.connectionId === link._id;
    }),
  );
  if (users.length > 0) {
    return apiError(400, CODES.privateLinkInUse, `Private Link connection ${String(link._id)} is used by connection ${String(users[0]!.name)}; delete that connection first.`, [link._id]);
  }
  // Atlas goes DELETE_REQUESTED → DELETING → gone; the emulator skips to gone (a 404 means deleted).
  project.privateLinks.splice(project.privateLinks.indexOf(link), 1);
  return { status: 202 };
}

// ---- account details -----------------------------------------------------------------------------

function accountDetails(project: Project, query: URLSearchParams): Reply {
  const provider = query.get('cloudProvider');
  const region = query.get('regionName');
  const badQuery = (name: string, why: string) => apiError(400, CODES.invalidQueryParameter, `Invalid query parameter ${name} specified: ${why}.`, [name]);
  if (provider === null) return badQuery('cloudProvider', 'it is required (aws, azure or gcp)');
  if (region === null || region === '') return badQuery('regionName', 'it is required (e.g. US_EAST_1 for aws)');
  switch (provider) {
    case 'aws': {
      const known = awsRegion(region);
      if (!known || known.toUpperCase().replace(/-/g, '_') !== region) return badQuery('regionName', `${region} is not an AWS region in Atlas's form, e.g. US_EAST_1`);
      return ok(awsAccountDetails(project, region));
    }
    case 'azure':
      return ok({ azureSubscriptionId: '00000000-0000-4000-8000-000000000000', cidrBlock: '192.168.248.0/21', virtualNetworkName: `vnet-${project.groupId}`, cloudProvider: 'azure' });
    case 'gcp':
      return ok({ gcpProjectId: `p-${project.groupId.slice(0, 12)}`, cidrBlock: '192.168.248.0/21', vpcNetworkName: `vpc-${project.groupId}`, cloudProvider: 'gcp' });
    default:
      return badQuery('cloudProvider', `${provider} is not one of aws, azure or gcp (lower case)`);
  }
}
