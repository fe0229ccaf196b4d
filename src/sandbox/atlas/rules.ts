// The rules Atlas applies beyond its OpenAPI schemas, as the README and the seed documents describe
// them: connection names, HTTPS URLs and headers, S3 roles, Kafka servers, and Private Link
// preconditions. Pure functions of the body and of what the project holds.
import type { AttributeProblem } from './schemaValidation.js';

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a project holds that the rules look at. */
export interface ProjectFacts {
  /** ARNs of the project's AWS IAM roles that have been authorised (cloudProviderAccess). */
  authorisedRoleArns: ReadonlySet<string>;
  /** All the project's AWS IAM role ARNs, authorised or not (for a better message). */
  knownRoleArns: ReadonlySet<string>;
  /** `_id`s of the project's Private Link connections that are not being deleted. */
  privateLinkIds: ReadonlySet<string>;
  /** `servicePrincipalId`s (lower case) of the project's Azure service principals. */
  azureServicePrincipalIds: ReadonlySet<string>;
  /** The project's GCP service accounts: e-mail → provisioning status. */
  gcpServiceAccounts: ReadonlyMap<string, string>;
}

/** MongoDB's MCP server enforces this for connection names (README); Atlas documents no rule. */
export const CONNECTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** HTTP header names are tokens (RFC 9110 §5.1). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*:(\d{1,5})$/;
const PEM_CERTIFICATE = /^\s*-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Sample data sets Atlas offers (its spec's StreamsSampleConnections names `sample_stream_solar`). */
export const SAMPLE_DATA_SETS: readonly string[] = ['sample_stream_solar'];

export const KAFKA_PROTOCOLS = ['SASL_PLAINTEXT', 'SASL_SSL', 'SSL'] as const;
export const KAFKA_MECHANISMS = ['PLAIN', 'SCRAM-256', 'SCRAM-512', 'OAUTHBEARER'] as const;

const problem = (field: string, why: string): AttributeProblem => ({ field, why });

/** Name and type come first: without them the body cannot be matched to a schema. */
export function connectionIdentityProblem(body: Record<string, unknown>, knownTypes: readonly string[]): AttributeProblem | undefined {
  if (body.name === undefined) return problem('name', 'is required');
  if (typeof body.name !== 'string' || !CONNECTION_NAME.test(body.name)) {
    return problem('name', 'must be 1 to 64 characters, each a letter, a digit, "-" or "_"');
  }
  if (body.type === undefined) return problem('type', 'is required');
  if (typeof body.type !== 'string' || !knownTypes.includes(body.type)) {
    return problem('type', `must be one of ${knownTypes.join(', ')}`);
  }
  return undefined;
}

/** Rules of the connection's type, for a body that already passed its schema. */
export function connectionRuleProblem(body: Record<string, unknown>, facts: ProjectFacts): AttributeProblem | undefined {
  switch (body.type) {
    case 'Https':
      return httpsProblem(body);
    case 'S3':
      return s3Problem(body, facts);
    case 'Kafka':
      return kafkaProblem(body, facts);
    case 'Sample':
      // The name picks the data set (README), so it must be one Atlas has.
      return SAMPLE_DATA_SETS.includes(String(body.name)) ? undefined : problem('name', `is not a sample data set (${SAMPLE_DATA_SETS.join(', ')})`);
    case 'Cluster':
      return typeof body.clusterName === 'string' && body.clusterName !== '' ? undefined : problem('clusterName', 'is required');
    case 'AzureBlobStorage':
      return azureBlobProblem(body, facts);
    case 'GCPPubSub':
      return pubSubProblem(body, facts);
    default:
      return undefined;
  }
}

function httpsProblem(body: Record<string, unknown>): AttributeProblem | undefined {
  if (body.url === undefined) return problem('url', 'is required');
  if (typeof body.url !== 'string') return problem('url', 'must be a string');
  let url: URL;
  try {
    url = new URL(body.url);
  } catch {
    return problem('url', 'must be an absolute URL');
  }
  if (url.protocol !== 'https:') return problem('url', 'must be an https URL');
  if (url.hostname === '') return problem('url', 'must name a host');
  if (isRecord(body.headers)) {
    for (const [name, value] of Object.entries(body.headers)) {
      if (!HEADER_NAME.test(name)) return problem(`headers.${name}`, 'is not a valid HTTP header name');
      if (typeof value === 'string' && /[\r\n\0]/.test(value)) return problem(`headers.${name}`, 'must not contain line breaks');
    }
  }
  return undefined;
}

function s3Problem(body: Record<string, unknown>, facts: ProjectFacts): AttributeProblem | undefined {
  const aws = isRecord(body.aws) ? body.aws : undefined;
  const roleArn = aws?.roleArn;
  if (typeof roleArn !== 'string' || roleArn === '') return problem('aws.roleArn', 'is required');
  if (!facts.authorisedRoleArns.has(roleArn)) {
    const why = facts.knownRoleArns.has(roleArn)
      ? `${roleArn} is registered with this project's cloud provider access but is not authorized yet`
      : `${roleArn} is not an authorized AWS IAM role of this project's cloud provider access`;
    return problem('aws.roleArn', why);
  }
  if (aws?.testBucket !== undefined && (typeof aws.testBucket !== 'string' || !S3_BUCKET.test(aws.testBucket))) {
    return problem('aws.testBucket', 'must be an S3 bucket name');
  }
  return networkingProblem(body, facts);
}

function kafkaProblem(body: Record<string, unknown>, facts: ProjectFacts): AttributeProblem | undefined {
  const servers = body.bootstrapServers;
  if (servers === undefined) return problem('bootstrapServers', 'is required');
  if (typeof servers !== 'string' || servers.trim() === '') return problem('bootstrapServers', 'must be a comma-separated list of host:port');
  for (const server of servers.split(',')) {
    const port = HOST_PORT.exec(server.trim())?.[1];
    if (port === undefined || Number(port) < 1 || Number(port) > 65535) {
      return problem('bootstrapServers', `"${server.trim()}" is not host:port (a comma-separated list of host:port)`);
    }
  }
  const security = isRecord(body.security) ? body.security : undefined;
  const protocol = security?.protocol;
  if (protocol !== undefined && !KAFKA_PROTOCOLS.some((p) => p === protocol)) {
    return problem('security.protocol', `must be one of ${KAFKA_PROTOCOLS.join(', ')}`);
  }
  const certificate = security?.brokerPublicCertificate;
  if (certificate !== undefined && (typeof certificate !== 'string' || !PEM_CERTIFICATE.test(certificate))) {
    return problem('security.brokerPublicCertificate', 'must be one PEM certificate');
  }
  const auth = isRecord(body.authentication) ? body.authentication : undefined;
  const mechanism = auth?.mechanism;
  if (mechanism !== undefined && !KAFKA_MECHANISMS.some((m) => m === mechanism)) {
    return problem('authentication.mechanism', `must be one of ${KAFKA_MECHANISMS.join(', ')}`);
  }
  if (typeof protocol === 'string' && protocol.startsWith('SASL_') && mechanism === undefined) {
    return problem('authentication.mechanism', `is required with ${protocol}`);
  }
  if (mechanism === 'PLAIN' || mechanism === 'SCRAM-256' || mechanism === 'SCRAM-512') {
    // Passwords are write-only, so an update that leaves one out would lose it: Atlas wants it every time.
    if (typeof auth?.username !== 'string' || auth.username === '') return problem('authentication.username', `is required with ${mechanism}`);
    if (typeof auth.password !== 'string' || auth.password === '') return problem('authentication.password', `is required with ${mechanism}`);
  }
  return networkingProblem(body, facts);
}

/** Azure and GCP types need the project's own principal from cloudProviderAccess (README). */
function azureBlobProblem(body: Record<string, unknown>, facts: ProjectFacts): AttributeProblem | undefined {
  const azure = isRecord(body.azure) ? body.azure : undefined;
  const id = azure?.servicePrincipalId;
  if (typeof id !== 'string' || id === '') return problem('azure.servicePrincipalId', 'is required');
  if (!facts.azureServicePrincipalIds.has(id.toLowerCase())) return problem('azure.servicePrincipalId', `${id} is not an Azure service principal of this project's cloud provider access`);
  const account = azure?.storageAccountName;
  if (typeof account !== 'string' || account === '') return problem('azure.storageAccountName', 'is required');
  if (!/^[a-z0-9]{3,24}$/.test(account)) return problem('azure.storageAccountName', 'must be 3 to 24 lower-case letters and digits');
  return publicPrivateProblem(body, facts);
}

function pubSubProblem(body: Record<string, unknown>, facts: ProjectFacts): AttributeProblem | undefined {
  const gcp = isRecord(body.gcp) ? body.gcp : undefined;
  const id = gcp?.serviceAccountId;
  if (typeof id !== 'string' || id === '') return problem('gcp.serviceAccountId', 'is required');
  const status = facts.gcpServiceAccounts.get(id);
  if (status === undefined) return problem('gcp.serviceAccountId', `${id} is not a GCP service account of this project's cloud provider access`);
  if (status !== 'COMPLETE') return problem('gcp.serviceAccountId', `${id} is not provisioned yet (${status})`);
  return publicPrivateProblem(body, facts);
}

function publicPrivateProblem(body: Record<string, unknown>, facts: ProjectFacts): AttributeProblem | undefined {
  const networking = isRecord(body.publicPrivateNetworking) ? body.publicPrivateNetworking : undefined;
  const access = isRecord(networking?.access) ? networking.access : undefined;
  if (access?.type !== 'PRIVATE_LINK') return undefined;
  if (typeof access.connectionId !== 'string') return problem('publicPrivateNetworking.access.connectionId', 'is required with PRIVATE_LINK');
  if (!facts.privateLinkIds.has(access.connectionId)) {
    return problem('publicPrivateNetworking.access.connectionId', `${access.connectionId} is not a Private Link connection of this project`);
  }
  return undefined;
}

function networkingProblem(body: Record<string, unknown>, facts: ProjectFacts): AttributeProblem | undefined {
  const networking = isRecord(body.networking) ? body.networking : undefined;
  const access = isRecord(networking?.access) ? networking.access : undefined;
  if (access?.type !== 'PRIVATE_LINK') return undefined;
  if (typeof access.connectionId !== 'string') return problem('networking.access.connectionId', 'is required with PRIVATE_LINK');
  if (!facts.privateLinkIds.has(access.connectionId)) {
    return problem('networking.access.connectionId', `${access.connectionId} is not a Private Link connection of this project`);
  }
  return undefined;
}

/** The networking access type of a connection body (`PUBLIC` when not given). */
export function accessType(connection: Record<string, unknown>): string {
  const networking = isRecord(connection.networking) ? connection.networking : undefined;
  const access = isRecord(networking?.access) ? networking.access : undefined;
  return typeof access?.type === 'string' ? access.type : 'PUBLIC';
}

// ---- Private Link ----------------------------------------------------------------------------

/** AWS regions in cloud-native form; Atlas accepts `us-east-1`, `us_east_1` and `US_EAST_1`. */
export const AWS_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-east-1',
  'me-south-1', 'me-central-1', 'af-south-1', 'il-central-1',
] as const;

export const awsRegion = (region: string): string | undefined => {
  const normal = region.toLowerCase().replace(/_/g, '-');
  return AWS_REGIONS.find((r) => r === normal);
};

export const normaliseDomain = (domain: string): string => domain.toLowerCase().replace(/\.$/, '');

const VPC_ENDPOINT_SERVICE = /^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[a-z0-9]+$/;

export interface ExistingLink {
  _id: string;
  serviceEndpointId?: unknown;
  dnsDomain?: unknown;
}

export type PrivateLinkProblem = { kind: 'attribute'; problem: AttributeProblem } | { kind: 'duplicate'; existing: ExistingLink };

/** Rules for a Private Link request that already passed StreamsPrivateLinkConnection's schema. */
export function privateLinkProblem(body: Record<string, unknown>, existing: readonly ExistingLink[]): PrivateLinkProblem | undefined {
  const bad = (field: string, why: string): PrivateLinkProblem => ({ kind: 'attribute', problem: { field, why } });
  const provider = typeof body.provider === 'string' ? body.provider.toUpperCase() : '';
  if (!['AWS', 'AZURE', 'GCP'].includes(provider)) return bad('provider', 'must be AWS, AZURE or GCP');
  const vendor = typeof body.vendor === 'string' ? body.vendor.toUpperCase() : 'GENERIC';
  if (provider === 'AWS') {
    if (typeof body.region !== 'string' || awsRegion(body.region) === undefined) return bad('region', 'must be an AWS region, e.g. us-east-1');
  }
  if (provider === 'AWS' && vendor === 'CONFLUENT') {
    if (typeof body.serviceEndpointId !== 'string') return bad('serviceEndpointId', 'is required for AWS with CONFLUENT');
    if (!VPC_ENDPOINT_SERVICE.test(body.serviceEndpointId)) {
      return bad('serviceEndpointId', 'must be the VPC endpoint service name, com.amazonaws.vpce.<region>.vpce-svc-…');
    }
    if (typeof body.dnsDomain !== 'string' || body.dnsDomain === '') return bad('dnsDomain', 'is required for AWS with CONFLUENT');
    if (!Array.isArray(body.dnsSubDomain)) return bad('dnsSubDomain', 'is required for AWS with CONFLUENT ([] when the cluster has no subdomains)');
    const domain = normaliseDomain(body.dnsDomain);
    for (const sub of body.dnsSubDomain) {
      if (typeof sub !== 'string' || !sub.toLowerCase().includes(domain)) return bad('dnsSubDomain', `${String(sub)} does not contain the dnsDomain ${domain}`);
    }
  }
  if (provider === 'AWS' && vendor === 'MSK' && typeof body.arn !== 'string') return bad('arn', 'is required for AWS with MSK');

  // One link per target: the same endpoint service, or the same DNS domain.
  const domain = typeof body.dnsDomain === 'string' ? normaliseDomain(body.dnsDomain) : undefined;
  const duplicate = existing.find(
    (l) =>
      (typeof body.serviceEndpointId === 'string' && l.serviceEndpointId === body.serviceEndpointId) ||
      (domain !== undefined && typeof l.dnsDomain === 'string' && normaliseDomain(l.dnsDomain) === domain),
  );
  return duplicate ? { kind: 'duplicate', existing: duplicate } : undefined;
}
