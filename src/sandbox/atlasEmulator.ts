// Atlas Administration API emulator: real Digest challenge, the dated media type each endpoint
// documents, bodies checked against Atlas's OpenAPI schemas and the seed docs' rules, Atlas's
// error envelope, pagination, Private Link state transitions, rate limits and injectable faults.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { DigestVerifier } from './atlas/digest.js';
import { CONNECTION_TYPES, schemaProblem } from './atlas/schemaValidation.js';
import { EmulatorServer } from './emulatorServer.js';

type Json = Record<string, unknown>;

export interface AtlasEmulatorOptions {
  keys?: Array<{ publicKey: string; privateKey: string }>;
  nonceTtlMs?: number;
  /** Authenticated calls per window (default a minute) per project before 429 RATE_LIMIT_EXCEEDED. */
  rateLimitPerMinute?: number;
  rateLimitWindowMs?: number;
  /** GETs of a new Private Link before it reports DONE (negative: never by itself). */
  privateLinkReadyAfterPolls?: number;
  /** GETs of a PENDING (private networking) connection before it reports READY (negative: never). */
  connectionReadyAfterPolls?: number;
}

export interface AtlasCall {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  authenticated: boolean;
  /** True when the operation was carried out (even if a fault then replaced its answer). */
  handled: boolean;
  /** True when the body broke Atlas's schema or rules: the client sent something Atlas refuses. */
  invalidBody: boolean;
  operation: string | undefined;
  body: unknown;
  at: number;
}

export interface AtlasFault {
  method?: string;
  path?: string | RegExp;
  status: number;
  times?: number;
  body?: unknown;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Carry the operation out, then answer with the fault (a lost or failed response). */
  afterHandling?: boolean;
}

interface PrivateLink extends Json {
  _id: string;
}

interface Project {
  instances: Map<string, Json[]>;
  privateLinks: PrivateLink[];
  linkPolls: Map<string, number>;
  connectionPolls: Map<string, number>;
  awsIamRoles: Json[];
  awsAccountId: string;
  inUse: Set<string>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const V = { d2023: '2023-02-01', d2025: '2025-03-12', d2024: '2024-11-13', cpa: '2023-01-01' } as const;
const G = '/api/atlas/v2/groups/([^/]+)';
const ROUTES: Array<{ method: string; pattern: RegExp; operation: string; version: string }> = [
  { method: 'GET', pattern: new RegExp(`^${G}/streams/privateLinkConnections$`), operation: 'listPrivateLinks', version: V.d2023 },
  { method: 'POST', pattern: new RegExp(`^${G}/streams/privateLinkConnections$`), operation: 'createPrivateLink', version: V.d2023 },
  { method: 'GET', pattern: new RegExp(`^${G}/streams/privateLinkConnections/([^/]+)$`), operation: 'getPrivateLink', version: V.d2023 },
  { method: 'PATCH', pattern: new RegExp(`^${G}/streams/privateLinkConnections/([^/]+)$`), operation: 'updatePrivateLink', version: V.d2025 },
  { method: 'DELETE', pattern: new RegExp(`^${G}/streams/privateLinkConnections/([^/]+)$`), operation: 'deletePrivateLink', version: V.d2023 },
  { method: 'GET', pattern: new RegExp(`^${G}/streams/accountDetails$`), operation: 'getAccountDetails', version: V.d2024 },
  { method: 'GET', pattern: new RegExp(`^${G}/cloudProviderAccess$`), operation: 'listCloudProviderAccess', version: V.cpa },
  { method: 'GET', pattern: new RegExp(`^${G}/streams/([^/]+)/connections$`), operation: 'listConnections', version: V.d2023 },
  { method: 'POST', pattern: new RegExp(`^${G}/streams/([^/]+)/connections$`), operation: 'createConnection', version: V.d2023 },
  { method: 'GET', pattern: new RegExp(`^${G}/streams/([^/]+)/connections/([^/]+)$`), operation: 'getConnection', version: V.d2023 },
  { method: 'PATCH', pattern: new RegExp(`^${G}/streams/([^/]+)/connections/([^/]+)$`), operation: 'updateConnection', version: V.d2023 },
  { method: 'DELETE', pattern: new RegExp(`^${G}/streams/([^/]+)/connections/([^/]+)$`), operation: 'deleteConnection', version: V.d2023 },
  { method: 'GET', pattern: new RegExp(`^${G}/streams/([^/]+)$`), operation: 'getInstance', version: V.d2023 },
];

const REGIONS: Record<string, string> = { US_EAST_1: 'us-east-1', US_EAST_2: 'us-east-2', US_WEST_2: 'us-west-2', EU_WEST_1: 'eu-west-1', EU_WEST_2: 'eu-west-2', EU_CENTRAL_1: 'eu-central-1' };
const normaliseRegion = (r: string) => r.toLowerCase().replace(/_/g, '-');

function envelope(status: number, errorCode: string, detail: string, parameters: unknown[] = []): Reply {
  return { status, body: { error: status, errorCode, detail, reason: STATUS_CODES[status] ?? 'Error', parameters } };
}

export class AtlasEmulator {
  readonly calls: AtlasCall[] = [];
  /** Called when an operation has been carried out, before its answer is sent (tests kill the app here). */
  afterHandle: ((call: AtlasCall) => void) | undefined;
  private readonly keys = new Map<string, string>();
  private readonly digest: DigestVerifier;
  private readonly projects = new Map<string, Project>();
  private readonly faults: Array<AtlasFault & { times: number }> = [];
  private readonly windows = new Map<string, number[]>();

  private constructor(
    private readonly server: EmulatorServer,
    private readonly options: AtlasEmulatorOptions,
  ) {
    for (const k of options.keys ?? []) this.keys.set(k.publicKey, k.privateKey);
    this.digest = new DigestVerifier(this.keys, options.nonceTtlMs ?? 5 * 60_000);
  }

  static async start(options: AtlasEmulatorOptions = {}): Promise<AtlasEmulator> {
    // The server needs the handler before the emulator that owns it exists.
    const ref: { emulator?: AtlasEmulator } = {};
    const server = await EmulatorServer.start('Atlas', (req, body, res) => ref.emulator!.handle(req, body, res));
    ref.emulator = new AtlasEmulator(server, options);
    return ref.emulator;
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  addKey(key: { publicKey: string; privateKey: string }): void {
    this.keys.set(key.publicKey, key.privateKey);
  }

  removeKey(publicKey: string): void {
    this.keys.delete(publicKey);
  }

  addProject(
    groupId: string,
    opts: { instances?: string[]; awsIamRoles?: Array<{ roleId?: string; iamAssumedRoleArn: string; authorized?: boolean }>; awsAccountId?: string } = {},
  ): void {
    this.projects.set(groupId, {
      instances: new Map((opts.instances ?? []).map((name) => [name, []])),
      privateLinks: [],
      linkPolls: new Map(),
      connectionPolls: new Map(),
      awsIamRoles: (opts.awsIamRoles ?? []).map((r) => ({
        roleId: r.roleId ?? randomBytes(12).toString('hex'),
        providerName: 'AWS',
        iamAssumedRoleArn: r.iamAssumedRoleArn,
        atlasAWSAccountArn: 'arn:aws:iam::536727724300:root',
        atlasAssumedRoleExternalId: randomBytes(8).toString('hex'),
        createdDate: new Date().toISOString(),
        ...(r.authorized === false ? {} : { authorizedDate: new Date().toISOString() }),
        featureUsages: [],
      })),
      awsAccountId: opts.awsAccountId ?? '123456789012',
      inUse: new Set(),
    });
  }

  /** Connections as Atlas stores them, secrets included, so tests can see exactly what was sent. */
  connections(groupId: string, tenant: string): Json[] {
    return this.projects.get(groupId)?.instances.get(tenant) ?? [];
  }

  privateLinks(groupId: string): Json[] {
    return this.projects.get(groupId)?.privateLinks ?? [];
  }

  setPrivateLinkState(groupId: string, id: string, state: string, errorMessage?: string): void {
    const link = this.privateLinks(groupId).find((l) => l._id === id);
    if (!link) throw new Error(`no private link ${id}`);
    link.state = state;
    if (errorMessage) link.errorMessage = errorMessage;
    if (state === 'DONE') link.interfaceEndpointId ??= `vpce-${randomBytes(8).toString('hex')}`;
    this.server.changed();
  }

  setConnectionState(groupId: string, tenant: string, name: string, state: string): void {
    const c = this.connections(groupId, tenant).find((x) => x.name === name);
    if (!c) throw new Error(`no connection ${name}`);
    c.state = state;
    this.server.changed();
  }

  markConnectionInUse(groupId: string, tenant: string, name: string): void {
    this.projects.get(groupId)?.inUse.add(`${tenant}/${name}`);
  }

  injectFault(fault: AtlasFault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Authenticated calls of an operation that Atlas carried out. */
  count(operation: string, opts: { status?: number } = {}): number {
    return this.calls.filter((c) => c.authenticated && c.handled && c.operation === operation && (opts.status === undefined || c.status === opts.status)).length;
  }

  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void> {
    return this.server.waitFor(predicate, timeoutMs, 'Atlas condition');
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private async handle(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://atlas');
    const method = req.method ?? 'GET';
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    const call: AtlasCall = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      authenticated: false,
      handled: false,
      invalidBody: false,
      operation: route?.operation,
      body: undefined,
      at: Date.now(),
    };
    this.calls.push(call);
    const send = (reply: Reply, contentType = 'application/json') => {
      call.status = reply.status;
      res.writeHead(reply.status, { 'content-type': contentType, ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    };

    const verdict = this.digest.verify(req.headers.authorization, method, req.url ?? '/');
    if (!verdict.ok) {
      return send({ ...envelope(401, 'UNAUTHORIZED', 'You are not authorized for this resource.'), headers: { 'www-authenticate': this.digest.challenge(verdict.stale) } });
    }
    call.authenticated = true;
    if (!route) return send(envelope(404, 'RESOURCE_NOT_FOUND', `Cannot find resource ${url.pathname}.`));
    const groupId = route.pattern.exec(url.pathname)![1]!;

    const rate = this.rateLimit(groupId);
    if (rate) return send(rate);

    const accept = String(req.headers.accept ?? '');
    if (!accept.split(',').some((a) => a.trim() === `application/vnd.atlas.${route.version}+json`)) {
      return send(envelope(406, 'INVALID_VERSION_DATE', `This endpoint requires Accept: application/vnd.atlas.${route.version}+json.`));
    }
    if (raw !== '') {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(envelope(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send request bodies as application/json.'));
      }
      try {
        call.body = JSON.parse(raw);
      } catch {
        return send(envelope(400, 'MALFORMED_REQUEST_BODY', 'The request body is not valid JSON.'));
      }
    }

    const fault = this.faults.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || (typeof f.path === 'string' ? url.pathname.includes(f.path) : f.path.test(url.pathname))),
    );
    if (fault) fault.times--;
    if (fault?.delayMs) await this.server.delay(fault.delayMs);
    if (fault && !fault.afterHandling) return send(this.faultReply(fault));

    const params = route.pattern.exec(url.pathname)!.slice(2).map(decodeURIComponent);
    const reply = this.operate(route.operation, groupId, params, call.body, url.searchParams);
    call.handled = true;
    this.afterHandle?.(call);
    call.invalidBody = reply.status === 400 && (reply.body as { errorCode?: string }).errorCode === 'INVALID_ATTRIBUTE';
    if (fault) return send(this.faultReply(fault));
    const limitHeaders = this.rateHeaders(groupId);
    const ok = reply.status < 400;
    send({ ...reply, headers: { ...reply.headers, ...limitHeaders } }, ok ? `application/vnd.atlas.${route.version}+json` : 'application/json');
  }

  private faultReply(fault: AtlasFault): Reply {
    const reply = fault.body !== undefined ? { status: fault.status, body: fault.body } : envelope(fault.status, fault.status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'UNEXPECTED_ERROR', 'Injected fault.');
    return fault.retryAfterSeconds !== undefined ? { ...reply, headers: { 'retry-after': String(fault.retryAfterSeconds) } } : reply;
  }

  private rateLimit(groupId: string): Reply | undefined {
    const limit = this.options.rateLimitPerMinute;
    if (limit === undefined) return undefined;
    const now = Date.now();
    const windowMs = this.options.rateLimitWindowMs ?? 60_000;
    const window = (this.windows.get(groupId) ?? []).filter((t) => now - t < windowMs);
    this.windows.set(groupId, window);
    if (window.length >= limit) {
      const retry = Math.max(1, Math.ceil((windowMs - (now - window[0]!)) / 1000));
      return { ...envelope(429, 'RATE_LIMIT_EXCEEDED', 'Too many requests for this project.'), headers: { 'retry-after': String(retry) } };
    }
    window.push(now);
    return undefined;
  }

  private rateHeaders(groupId: string): Record<string, string> {
    const limit = this.options.rateLimitPerMinute ?? 1200;
    const used = this.windows.get(groupId)?.length ?? 0;
    return { 'ratelimit-limit': String(limit), 'ratelimit-remaining': String(Math.max(0, limit - used)) };
  }

  private operate(operation: string, groupId: string, params: string[], body: unknown, query: URLSearchParams): Reply {
    const project = this.projects.get(groupId);
    if (!/^[a-f0-9]{24}$/.test(groupId)) return envelope(400, 'INVALID_GROUP_ID', `An invalid group ID ${groupId} was specified.`);
    if (!project) return envelope(404, 'GROUP_NOT_FOUND', `No group with ID ${groupId} exists.`);
    const [tenantOrId, name] = params;
    const tenantConnections = () => (tenantOrId ? project.instances.get(tenantOrId) : undefined);

    switch (operation) {
      case 'getInstance': {
        if (!tenantConnections()) return this.noTenant(tenantOrId!);
        return { status: 200, body: { name: tenantOrId, groupId, dataProcessRegion: { cloudProvider: 'AWS', region: 'VIRGINIA_USA' }, hostnames: [], connections: tenantConnections() } };
      }
      case 'listConnections': {
        const list = tenantConnections();
        if (!list) return this.noTenant(tenantOrId!);
        return this.page(list.map((c) => this.visible(c)), query);
      }
      case 'getConnection': {
        const list = tenantConnections();
        if (!list) return this.noTenant(tenantOrId!);
        const found = list.find((c) => c.name === name);
        if (found?.state === 'PENDING') {
          const polls = (project.connectionPolls.get(`${tenantOrId}/${name}`) ?? 0) + 1;
          project.connectionPolls.set(`${tenantOrId}/${name}`, polls);
          const readyAfter = this.options.connectionReadyAfterPolls ?? 2;
          if (readyAfter >= 0 && polls >= readyAfter) found.state = 'READY';
        }
        return found ? { status: 200, body: this.visible(found) } : envelope(404, 'STREAM_CONNECTION_NOT_FOUND', `Connection ${name} not found.`);
      }
      case 'createConnection': {
        const list = tenantConnections();
        if (!list) return this.noTenant(tenantOrId!);
        const problem = this.connectionProblem(project, body);
        if (problem) return envelope(400, 'INVALID_ATTRIBUTE', problem);
        const conn = structuredClone(body) as Json;
        if (list.some((c) => c.name === conn.name)) {
          return envelope(409, 'STREAM_CONNECTION_NAME_ALREADY_EXISTS', `A connection named ${String(conn.name)} already exists in ${tenantOrId}.`);
        }
        const access = ((conn.networking as Json | undefined)?.access as Json | undefined)?.type;
        conn.id = randomBytes(12).toString('hex');
        conn.state = access === 'PRIVATE_LINK' || access === 'VPC' ? 'PENDING' : 'READY';
        list.push(conn);
        return { status: 200, body: this.visible(conn) };
      }
      case 'updateConnection': {
        const list = tenantConnections();
        if (!list) return this.noTenant(tenantOrId!);
        const found = list.find((c) => c.name === name);
        if (!found) return envelope(404, 'STREAM_CONNECTION_NOT_FOUND', `Connection ${name} not found.`);
        Object.assign(found, body);
        return { status: 200, body: this.visible(found) };
      }
      case 'deleteConnection': {
        const list = tenantConnections();
        if (!list) return this.noTenant(tenantOrId!);
        const i = list.findIndex((c) => c.name === name);
        if (i < 0) return envelope(404, 'STREAM_CONNECTION_NOT_FOUND', `Connection ${name} not found.`);
        if (project.inUse.has(`${tenantOrId}/${name}`)) {
          return envelope(409, 'STREAM_CONNECTION_HAS_STREAM_PROCESSORS', `Connection ${name} is used by a running stream processor; stop it first.`);
        }
        if (list[i]!.state === 'PENDING') return envelope(409, 'STREAM_KAFKA_CONNECTION_IS_DEPLOYING', `Connection ${name} is still deploying.`);
        list.splice(i, 1);
        return { status: 202, body: {} };
      }
      case 'listPrivateLinks':
        return this.page(project.privateLinks.map((l) => this.pollLink(project, l, false)), query);
      case 'getPrivateLink': {
        const link = project.privateLinks.find((l) => l._id === tenantOrId);
        return link ? { status: 200, body: this.pollLink(project, link, true) } : envelope(404, 'STREAM_PRIVATE_LINK_NOT_FOUND', `Private Link ${tenantOrId} not found.`);
      }
      case 'createPrivateLink': {
        const problem = this.privateLinkProblem(project, body);
        if (problem) return envelope(400, problem.code, problem.detail);
        const link = { ...(structuredClone(body) as Json), _id: randomBytes(12).toString('hex') } as PrivateLink;
        project.privateLinks.push(link);
        project.linkPolls.set(link._id, 0);
        return { status: 200, body: structuredClone(link) };
      }
      case 'updatePrivateLink': {
        const link = project.privateLinks.find((l) => l._id === tenantOrId);
        if (!link) return envelope(404, 'STREAM_PRIVATE_LINK_NOT_FOUND', `Private Link ${tenantOrId} not found.`);
        Object.assign(link, body);
        return { status: 200, body: structuredClone(link) };
      }
      case 'deletePrivateLink': {
        const i = project.privateLinks.findIndex((l) => l._id === tenantOrId);
        if (i < 0) return envelope(404, 'STREAM_PRIVATE_LINK_NOT_FOUND', `Private Link ${tenantOrId} not found.`);
        const inUse = [...project.instances.values()].flat().some((c) => ((c.networking as Json | undefined)?.access as Json | undefined)?.connectionId === tenantOrId);
        if (inUse) return envelope(400, 'STREAM_PRIVATE_LINK_IN_USE', 'The Private Link is used by a connection.');
        project.privateLinks.splice(i, 1);
        return { status: 202, body: {} };
      }
      case 'getAccountDetails': {
        const provider = query.get('cloudProvider');
        const region = query.get('regionName') ?? '';
        if (provider !== 'aws') return envelope(400, 'INVALID_PARAMETER', 'cloudProvider must be aws (lower case).');
        if (!REGIONS[region]) return envelope(400, 'INVALID_PARAMETER', `Unknown regionName ${region}; use the US_EAST_1 form.`);
        return { status: 200, body: { awsAccountId: project.awsAccountId, cidrBlock: '192.168.248.0/21', vpcId: `vpc-${randomBytes(8).toString('hex')}`, cloudProvider: 'aws' } };
      }
      case 'listCloudProviderAccess':
        return { status: 200, body: { awsIamRoles: project.awsIamRoles, azureServicePrincipals: [], gcpServiceAccounts: [] } };
      default:
        return envelope(404, 'RESOURCE_NOT_FOUND', 'Unknown operation.');
    }
  }

  private noTenant(tenant: string): Reply {
    return envelope(404, 'STREAM_TENANT_NOT_FOUND_FOR_NAME', `No stream processing instance named ${tenant} exists in this project.`);
  }

  private page(items: unknown[], query: URLSearchParams): Reply {
    const perPage = Number(query.get('itemsPerPage') ?? 100);
    const pageNum = Number(query.get('pageNum') ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 500) return envelope(400, 'INVALID_QUERY_PARAMETER', 'itemsPerPage must be between 1 and 500.');
    if (!Number.isInteger(pageNum) || pageNum < 1) return envelope(400, 'INVALID_QUERY_PARAMETER', 'pageNum must be 1 or more.');
    return { status: 200, body: { results: items.slice((pageNum - 1) * perPage, pageNum * perPage), totalCount: items.length, links: [] } };
  }

  /** What a GET shows: write-only secrets (passwords) are never returned; HTTPS header values are. */
  private visible(conn: Json): Json {
    const copy = structuredClone(conn);
    const auth = copy.authentication as Json | undefined;
    if (auth) {
      delete auth.password;
      delete auth.clientSecret;
    }
    return copy;
  }

  private pollLink(project: Project, link: PrivateLink, advance: boolean): Json {
    if (link.state === undefined || link.state === 'IDLE' || link.state === 'WORKING') {
      const polls = (project.linkPolls.get(link._id) ?? 0) + (advance ? 1 : 0);
      project.linkPolls.set(link._id, polls);
      const readyAfter = this.options.privateLinkReadyAfterPolls ?? 2;
      if (polls >= readyAfter && readyAfter >= 0) {
        link.state = 'DONE';
        link.interfaceEndpointId ??= `vpce-${randomBytes(8).toString('hex')}`;
        link.interfaceEndpointName ??= `com.amazonaws.vpce.${normaliseRegion(String(link.region ?? 'us-east-1'))}.${String(link.interfaceEndpointId)}`;
      } else {
        link.state = polls === 0 ? 'IDLE' : 'WORKING';
      }
    }
    const copy = structuredClone(link) as Json;
    if (typeof copy.provider === 'string') copy.provider = copy.provider.toUpperCase();
    return copy;
  }

  private connectionProblem(project: Project, body: unknown): string | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The request body must be a JSON object.';
    const conn = body as Json;
    if (typeof conn.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(conn.name)) {
      return 'Invalid attribute name: 1 to 64 letters, digits, "-" or "_".';
    }
    const schema = typeof conn.type === 'string' ? CONNECTION_TYPES[conn.type] : undefined;
    if (!schema) return `Invalid attribute type: ${String(conn.type)} is not a connection type.`;
    const problem = schemaProblem(schema, conn);
    if (problem) return problem;
    switch (conn.type) {
      case 'Https': {
        if (typeof conn.url !== 'string') return 'Invalid attribute url: required.';
        try {
          if (new URL(conn.url).protocol !== 'https:') return 'Invalid attribute url: must be an https URL.';
        } catch {
          return 'Invalid attribute url: must be an absolute URL.';
        }
        return undefined;
      }
      case 'S3': {
        const roleArn = (conn.aws as Json | undefined)?.roleArn;
        if (typeof roleArn !== 'string') return 'Invalid attribute aws.roleArn: required.';
        const role = project.awsIamRoles.find((r) => r.iamAssumedRoleArn === roleArn);
        if (!role || !role.authorizedDate) return `Invalid attribute aws.roleArn: ${roleArn} is not an authorized AWS IAM role of this project.`;
        return undefined;
      }
      case 'Kafka': {
        const servers = conn.bootstrapServers;
        if (typeof servers !== 'string' || !servers.split(',').every((s) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(s.trim()))) {
          return 'Invalid attribute bootstrapServers: a comma-separated list of host:port.';
        }
        const access = (conn.networking as Json | undefined)?.access as Json | undefined;
        if (access?.type === 'PRIVATE_LINK') {
          if (typeof access.connectionId !== 'string') return 'Invalid attribute networking.access.connectionId: required for PRIVATE_LINK.';
          if (!project.privateLinks.some((l) => l._id === access.connectionId)) return `Invalid attribute networking.access.connectionId: no Private Link ${access.connectionId} in this project.`;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private privateLinkProblem(project: Project, body: unknown): { code: string; detail: string } | undefined {
    const bad = (detail: string) => ({ code: 'INVALID_ATTRIBUTE', detail });
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('The request body must be a JSON object.');
    const problem = schemaProblem('StreamsPrivateLinkConnection', body);
    if (problem) return bad(problem);
    const link = body as Json;
    const provider = String(link.provider ?? '').toUpperCase();
    if (!['AWS', 'AZURE', 'GCP'].includes(provider)) return bad('Invalid attribute provider: AWS, AZURE or GCP.');
    const vendor = String(link.vendor ?? 'GENERIC').toUpperCase();
    if (provider === 'AWS' && vendor === 'CONFLUENT') {
      if (typeof link.serviceEndpointId !== 'string' || !/^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[a-z0-9]+$/.test(link.serviceEndpointId)) {
        return bad('Invalid attribute serviceEndpointId: the VPC endpoint service name, com.amazonaws.vpce.<region>.vpce-svc-….');
      }
      if (typeof link.dnsDomain !== 'string' || link.dnsDomain === '') return bad('Invalid attribute dnsDomain: required for AWS and CONFLUENT.');
      if (!Array.isArray(link.dnsSubDomain)) return bad('Invalid attribute dnsSubDomain: required for AWS and CONFLUENT ([] when the cluster has no subdomains).');
      const domain = link.dnsDomain.replace(/\.$/, '');
      const outside = link.dnsSubDomain.find((s) => typeof s !== 'string' || !s.includes(domain));
      if (outside !== undefined) return bad(`Invalid attribute dnsSubDomain: ${String(outside)} does not contain ${domain}.`);
      if (typeof link.region !== 'string' || !Object.values(REGIONS).includes(normaliseRegion(link.region))) return bad('Invalid attribute region: an AWS region such as us-east-1.');
      const duplicate = project.privateLinks.find(
        (l) => l.serviceEndpointId === link.serviceEndpointId || String(l.dnsDomain ?? '').replace(/\.$/, '') === domain,
      );
      if (duplicate) return { code: 'STREAM_PRIVATE_LINK_ALREADY_EXISTS', detail: `A Private Link to this Confluent cluster already exists (${duplicate._id}).` };
    }
    return undefined;
  }
}
