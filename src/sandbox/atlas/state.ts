// What the emulated Atlas holds (projects, their stream processing instances and connections,
// Private Link connections, AWS IAM roles of cloud provider access, account details) and how
// pending resources become ready as clients poll them.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CONNECTION_TYPES, withoutWriteOnly } from './schemaValidation.js';

/** A connection as Atlas stores it: the body that was sent (secrets included), plus `id` and `state`. */
export type StoredConnection = Record<string, unknown>;
/** A Private Link connection as Atlas stores it: the body that was sent, plus `_id`, `state`, …. */
export type StoredPrivateLink = Record<string, unknown>;

export interface InstanceSpec {
  name: string;
  cloudProvider?: 'AWS' | 'GCP' | 'AZURE';
  /** `dataProcessRegion.region`, Atlas's `VIRGINIA_USA` style. */
  region?: string;
}

export interface AwsIamRoleSpec {
  roleId?: string;
  iamAssumedRoleArn: string;
  /** Default true; false leaves the role registered but without `authorizedDate`. */
  authorized?: boolean;
}

export interface ClusterSpec {
  name: string;
  /** Atlas's `stateName` (default IDLE); a paused cluster is IDLE with `paused: true`. */
  stateName?: 'IDLE' | 'CREATING' | 'UPDATING' | 'DELETING' | 'REPAIRING';
  paused?: boolean;
  clusterType?: 'REPLICASET' | 'SHARDED' | 'GEOSHARDED';
}

export interface AzureServicePrincipalSpec {
  /** UUID of the service principal in the customer's tenant. */
  servicePrincipalId: string;
  tenantId?: string;
}

export interface GcpServiceAccountSpec {
  /** Default: a generated `mongodb-atlas-…@p-….iam.gserviceaccount.com`. */
  gcpServiceAccountForAtlas?: string;
  /** Default COMPLETE. */
  status?: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'NOT_INITIATED';
}

export interface ProjectSpec {
  instances?: Array<string | InstanceSpec>;
  awsIamRoles?: AwsIamRoleSpec[];
  awsAccountId?: string;
  clusters?: ClusterSpec[];
  /** Names of the project's custom database roles. */
  customDbRoles?: string[];
  azureServicePrincipals?: AzureServicePrincipalSpec[];
  gcpServiceAccounts?: GcpServiceAccountSpec[];
}

export interface StreamsInstance {
  id: string;
  name: string;
  cloudProvider: string;
  region: string;
  connections: StoredConnection[];
}

export interface Project {
  groupId: string;
  instances: Map<string, StreamsInstance>;
  privateLinks: StoredPrivateLink[];
  awsIamRoles: Array<Record<string, unknown>>;
  awsAccountId: string;
  /** Clusters as `GET /clusters` shows them (a live list: tests may change a state). */
  clusters: Array<Record<string, unknown>>;
  customDbRoles: Array<Record<string, unknown>>;
  azureServicePrincipals: Array<Record<string, unknown>>;
  gcpServiceAccounts: Array<Record<string, unknown>>;
  /** `tenant/name` of connections a (pretend) stream processor uses. */
  inUse: Set<string>;
}

export const newObjectId = (): string => randomBytes(12).toString('hex');

export function createProject(groupId: string, spec: ProjectSpec, now: Date): Project {
  const instances = new Map<string, StreamsInstance>();
  for (const item of spec.instances ?? []) {
    const i = typeof item === 'string' ? { name: item } : item;
    instances.set(i.name, { id: newObjectId(), name: i.name, cloudProvider: i.cloudProvider ?? 'AWS', region: i.region ?? 'VIRGINIA_USA', connections: [] });
  }
  return {
    groupId,
    instances,
    privateLinks: [],
    awsIamRoles: (spec.awsIamRoles ?? []).map((r) => ({
      providerName: 'AWS',
      roleId: r.roleId ?? newObjectId(),
      iamAssumedRoleArn: r.iamAssumedRoleArn,
      atlasAWSAccountArn: 'arn:aws:iam::536727724300:root',
      atlasAssumedRoleExternalId: randomUUID(),
      createdDate: now.toISOString(),
      ...(r.authorized === false ? {} : { authorizedDate: now.toISOString() }),
      featureUsages: [],
    })),
    awsAccountId: spec.awsAccountId ?? '123456789012',
    clusters: (spec.clusters ?? []).map((c) => clusterRecord(groupId, c, now)),
    customDbRoles: (spec.customDbRoles ?? []).map((roleName) => ({ roleName, actions: [], inheritedRoles: [{ db: 'admin', role: 'read' }] })),
    azureServicePrincipals: (spec.azureServicePrincipals ?? []).map((p) => ({
      providerName: 'AZURE',
      _id: newObjectId(),
      atlasAzureAppId: '9f2deb0d-be22-4524-a403-df531868bac0',
      servicePrincipalId: p.servicePrincipalId,
      tenantId: p.tenantId ?? '91402384-d71e-22f5-22dd-759e272cdc1c',
      createdDate: now.toISOString(),
      lastUpdatedDate: now.toISOString(),
      featureUsages: [],
    })),
    gcpServiceAccounts: (spec.gcpServiceAccounts ?? []).map((a) => {
      const roleId = newObjectId();
      return {
        providerName: 'GCP',
        roleId,
        gcpServiceAccountForAtlas: a.gcpServiceAccountForAtlas ?? `mongodb-atlas-${hex(`sa:${roleId}`, 16)}@p-${hex(`p:${groupId}`, 24)}.iam.gserviceaccount.com`,
        status: a.status ?? 'COMPLETE',
        createdDate: now.toISOString(),
        featureUsages: [],
      };
    }),
    inUse: new Set(),
  };
}

/**
 * Counts the GETs of each pending resource and says when it is ready. Objects are the keys, so a
 * resource a test pushes straight into a live list works too. A pinned resource (its state set by
 * the test) no longer moves by itself.
 */
export class Progression {
  private readonly polls = new WeakMap<object, number>();
  private readonly pinned = new WeakSet<object>();

  /** `readyAfter` GETs make it ready; 0: ready at once; negative: never by itself. */
  constructor(private readonly readyAfter: number) {}

  pin(resource: object): void {
    this.pinned.add(resource);
  }

  isPinned(resource: object): boolean {
    return this.pinned.has(resource);
  }

  readyWithoutPolls(): boolean {
    return this.readyAfter === 0;
  }

  /** Records one GET (when `count`), and returns how many there have been. */
  poll(resource: object, count: boolean): number {
    const polls = (this.polls.get(resource) ?? 0) + (count ? 1 : 0);
    this.polls.set(resource, polls);
    return polls;
  }

  isReady(polls: number): boolean {
    return this.readyAfter >= 0 && polls >= this.readyAfter;
  }
}

/** A cluster as `GET /clusters` describes it (the fields are the same in its three dated versions). */
export function clusterRecord(groupId: string, spec: ClusterSpec, now: Date): Record<string, unknown> {
  return {
    id: newObjectId(),
    groupId,
    name: spec.name,
    clusterType: spec.clusterType ?? 'REPLICASET',
    stateName: spec.stateName ?? 'IDLE',
    paused: spec.paused ?? false,
    mongoDBMajorVersion: '8.0',
    createDate: now.toISOString(),
  };
}

const hex = (seed: string, length: number) => createHash('sha256').update(seed).digest('hex').slice(0, length);

/** DONE: the interface endpoint exists, so its id (for Confluent's access point) is known. */
export function markLinkDone(link: StoredPrivateLink, project: Project): void {
  link.state = 'DONE';
  delete link.errorMessage;
  const id = typeof link._id === 'string' ? link._id : newObjectId();
  link.interfaceEndpointId ??= `vpce-${hex(`endpoint:${id}`, 17)}`;
  link.interfaceEndpointName ??= `${String(link.interfaceEndpointId)}-${hex(`name:${id}`, 8)}`;
  if (String(link.provider ?? '').toUpperCase() === 'AWS') link.providerAccountId ??= project.awsAccountId;
}

const PROVISIONING = new Set([undefined, 'IDLE', 'WORKING']);

/** Moves a link that is still being provisioned along: IDLE on the first look, then WORKING, then DONE. */
export function advanceLink(link: StoredPrivateLink, project: Project, progression: Progression, countPoll: boolean): void {
  if (progression.isPinned(link) || !PROVISIONING.has(link.state as string | undefined)) return;
  const polls = progression.poll(link, countPoll);
  if (progression.isReady(polls)) markLinkDone(link, project);
  else link.state = polls <= 1 ? 'IDLE' : 'WORKING';
}

/** A PENDING connection (private networking) becomes READY after enough GETs. */
export function advanceConnection(connection: StoredConnection, progression: Progression, countPoll: boolean): void {
  if (progression.isPinned(connection) || connection.state !== 'PENDING') return;
  if (progression.isReady(progression.poll(connection, countPoll))) connection.state = 'READY';
}

/** What a GET shows of a connection: never its write-only secrets; HTTPS header values, yes. */
export function connectionView(connection: StoredConnection): StoredConnection {
  const schema = typeof connection.type === 'string' ? CONNECTION_TYPES[connection.type] : undefined;
  return withoutWriteOnly(schema ?? 'StreamsConnection', connection);
}

/**
 * What a GET shows of a Private Link (a POST echoes the body as sent): the provider upper-cased, and
 * the DNS domain as a fully qualified name with its trailing dot, as Atlas was seen to answer.
 */
export function privateLinkView(link: StoredPrivateLink): StoredPrivateLink {
  const view = structuredClone(link);
  if (typeof view.provider === 'string') view.provider = view.provider.toUpperCase();
  if (typeof view.dnsDomain === 'string' && view.dnsDomain !== '' && !view.dnsDomain.endsWith('.')) view.dnsDomain = `${view.dnsDomain}.`;
  return view;
}

export function instanceView(project: Project, instance: StreamsInstance): Record<string, unknown> {
  const host = instance.region.toLowerCase().replace(/_/g, '-');
  return {
    _id: instance.id,
    groupId: project.groupId,
    name: instance.name,
    dataProcessRegion: { cloudProvider: instance.cloudProvider, region: instance.region },
    hostnames: [`atlas-stream-${instance.id}-${hex(instance.id, 5)}.${host}.a.query.mongodb.net`],
    streamConfig: { tier: 'SP30' },
    connections: instance.connections.map(connectionView),
  };
}

/** The account Atlas runs stream processing from in a region (stable for a project and region). */
export function awsAccountDetails(project: Project, regionName: string): Record<string, unknown> {
  return {
    awsAccountId: project.awsAccountId,
    cidrBlock: '192.168.248.0/21',
    vpcId: `vpc-${hex(`${project.groupId}:${regionName}`, 17)}`,
    cloudProvider: 'aws',
  };
}
