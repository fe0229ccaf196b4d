// Atlas Administration API emulator: real HTTP Digest, the dated media type each endpoint documents,
// bodies checked against Atlas's OpenAPI schemas and the README's rules, Atlas's error envelope,
// pagination, Private Link and connection state transitions, rate limits and injectable faults.
// What Atlas does per operation is in ./atlas/operations.ts; this file is the HTTP front door and
// the controls tests use.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DigestVerifier } from './atlas/digest.js';
import { apiError, ATLAS_ERROR_CODES as CODES, errorCodeOf, reasonPhrase, type Reply } from './atlas/envelope.js';
import { EventLog, type ConnectionChange, type EventActor, type ProjectEvent } from './atlas/events.js';
import { runOperation } from './atlas/operations.js';
import { TokenIssuer, type ServiceAccount } from './atlas/oauth.js';
import { API_VERSIONS, findRoute, projectOf, type Operation } from './atlas/routes.js';
import { createProject, markLinkDone, Progression, type Project, type ProjectSpec, type StoredConnection, type StoredPrivateLink, type StoredProcessor } from './atlas/state.js';
import { isRateLimitsPath, RateLimitsApi, type RateLimitsApiMode } from './atlas/rateLimitsApi.js';
import { FaultBook, faultReply, replacesAnswer, TokenBuckets, type AtlasFault, type RateLimitOptions } from './atlas/traffic.js';
import { EmulatorServer } from './emulatorServer.js';

export type { AtlasFault, RateLimitOptions } from './atlas/traffic.js';
export type { EventActor, ProjectEvent, ConnectionChange } from './atlas/events.js';
export type { ServiceAccount } from './atlas/oauth.js';
export type { RateLimitsApiMode } from './atlas/rateLimitsApi.js';
export type { Operation as AtlasOperation } from './atlas/routes.js';
export type {
  AwsIamRoleSpec,
  AzureServicePrincipalSpec,
  ClusterSpec,
  GcpServiceAccountSpec,
  InstanceSpec,
  ProjectSpec,
  StoredConnection,
  StoredPrivateLink,
  StoredProcessor,
} from './atlas/state.js';
export { ATLAS_ERROR_CODES } from './atlas/envelope.js';
export { API_VERSIONS as ATLAS_API_VERSIONS } from './atlas/routes.js';

export interface AtlasApiKey {
  publicKey: string;
  privateKey: string;
}

export interface AtlasEmulatorOptions {
  /** Programmatic API keys Atlas accepts (Digest user = public key, password = private key). */
  keys?: AtlasApiKey[];
  /** Service accounts whose client credentials the token endpoint accepts. */
  serviceAccounts?: ServiceAccount[];
  /** Lifetime of a minted access token in seconds (default 3600, as Atlas). */
  tokenLifetimeS?: number;
  /** Active access tokens per service account before 403 access_denied (default 100, as Atlas). */
  tokenLimit?: number;
  /** How long a Digest nonce stays valid (default 5 minutes); after that, 401 with stale=true. */
  nonceTtlMs?: number;
  /**
   * Atlas's token bucket per project: every authenticated request to a project takes a token; an
   * empty bucket answers 429 RATE_LIMITED_TOKEN_BUCKET with Retry-After. Default capacity 1,200
   * refilling 1,200 per minute, with `RateLimit-Limit` / `RateLimit-Remaining` on every answer.
   */
  rateLimit?: RateLimitOptions;
  /** Older form of `rateLimit`: a bucket of this capacity refilling as many per `rateLimitWindowMs`. */
  rateLimitPerMinute?: number;
  /** With `rateLimitPerMinute`: its refill period (default 60 000 ms). */
  rateLimitWindowMs?: number;
  /**
   * `GET /rateLimits` and `/rateLimits/{endpointSetId}`, which state the buckets above: `served`
   * (default), `forbidden` (403, a key without Project Read Only) or `absent` (404).
   */
  rateLimitsApi?: RateLimitsApiMode;
  /** The bucket of the "Rate Limits Inspection" set, per project (default 100 refilling 100 per minute). */
  rateLimitsInspection?: RateLimitOptions;
  /**
   * Looks (GETs, or lists of the project's links) at a new Private Link until it reports DONE (default 2): the first shows IDLE, later
   * ones WORKING, the Nth DONE. 0: DONE at once; negative: never by itself (use setPrivateLinkState).
   */
  privateLinkAutoReadyAfterPolls?: number;
  /** Older name of privateLinkAutoReadyAfterPolls (still used by the end-to-end tests). */
  privateLinkReadyAfterPolls?: number;
  /** Looks (GETs or lists) at a PENDING connection (private networking) until it reports READY (default 2; negative: never). */
  connectionReadyAfterPolls?: number;
  /** The clock for nonces and rate limits (default Date.now), so tests can move time without sleeping. */
  now?: () => number;
}

export interface AtlasCall {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, string>;
  /** The status answered (0 while the request is still being handled). */
  status: number;
  authenticated: boolean;
  /** The API key that authenticated the call. */
  publicKey: string | undefined;
  /** The service account whose bearer token (or, at the token endpoint, client secret) authenticated the call. */
  clientId?: string | undefined;
  /** e.g. 'createConnection'; undefined for a path the API does not have. */
  operation: string | undefined;
  /** The JSON body as parsed (the raw text when it was not JSON; undefined without a body). */
  body: unknown;
  /** True when Atlas carried the operation out (even if an `afterHandling` fault then replaced its answer). */
  handled: boolean;
  /** True when Atlas refused the body itself (schema, rules, JSON, media type): the client sent something wrong. */
  invalidBody: boolean;
  /** Arrival time, from the emulator's clock. */
  at: number;
}

const JSON_BODY = /^application\/(?:json|vnd\.atlas\.\d{4}-\d{2}-\d{2}\+json)$/i;
const mediaType = (header: string) => header.split(';')[0]!.trim().toLowerCase();

export class AtlasEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Every HTTP request, in arrival order. */
  readonly calls: AtlasCall[] = [];
  /** Called once an operation has been carried out, before its answer is sent (tests kill the app here). */
  afterHandle: ((call: AtlasCall) => void) | undefined;
  /** The OAuth token endpoint of service accounts: counts of tokens minted, expiry, the cap (tests change them). */
  readonly oauth: TokenIssuer;
  /** The projects' event feeds (`GET /events`): every connection change with who made it. */
  readonly eventLog: EventLog;

  private readonly keys = new Map<string, string>();
  private readonly digest: DigestVerifier;
  private readonly projects = new Map<string, Project>();
  private readonly faults = new FaultBook();
  private readonly rate: TokenBuckets;
  private readonly rateLimitsApi: RateLimitsApi;
  private readonly linkProgress: Progression;
  private readonly connectionProgress: Progression;
  private readonly now: () => number;

  private constructor(
    private readonly server: EmulatorServer,
    options: AtlasEmulatorOptions,
  ) {
    this.url = `http://127.0.0.1:${server.port}`;
    this.now = options.now ?? Date.now;
    for (const key of options.keys ?? []) this.addKey(key);
    this.oauth = new TokenIssuer(options.tokenLifetimeS ?? 3600, options.tokenLimit ?? 100, this.now);
    for (const account of options.serviceAccounts ?? []) this.oauth.addAccount(account);
    this.digest = new DigestVerifier(this.keys, options.nonceTtlMs ?? 5 * 60_000, this.now);
    const legacy = options.rateLimitPerMinute === undefined ? {} : { capacity: options.rateLimitPerMinute, periodMs: options.rateLimitWindowMs ?? 60_000 };
    this.rate = new TokenBuckets(options.rateLimit ?? legacy, this.now);
    const inspection = new TokenBuckets(options.rateLimitsInspection ?? { capacity: 100, refill: 100, periodMs: 60_000 }, this.now);
    this.rateLimitsApi = new RateLimitsApi(this.rate, inspection, options.rateLimitsApi ?? 'served', (groupId) => this.projects.has(groupId));
    this.linkProgress = new Progression(options.privateLinkAutoReadyAfterPolls ?? options.privateLinkReadyAfterPolls ?? 2);
    this.connectionProgress = new Progression(options.connectionReadyAfterPolls ?? 2);
    this.eventLog = new EventLog(this.now);
  }

  /** Starts the emulator on 127.0.0.1 and a free port. */
  static async start(options: AtlasEmulatorOptions = {}): Promise<AtlasEmulator> {
    // The server needs its handler before the emulator that owns it exists.
    const ref: { emulator?: AtlasEmulator } = {};
    const server = await EmulatorServer.start('Atlas', (req, body, res) => {
      if (!ref.emulator) throw new Error('Atlas emulator not ready');
      return ref.emulator.handle(req, body, res);
    });
    ref.emulator = new AtlasEmulator(server, options);
    return ref.emulator;
  }

  /** Closes the server and its keep-alive sockets, and cuts injected delays short. */
  async stop(): Promise<void> {
    await this.server.stop();
  }

  addKey(key: AtlasApiKey): void {
    this.keys.set(key.publicKey, key.privateKey);
  }

  /** Revokes a key at once (key rotation): its next request gets 401. */
  removeKey(publicKey: string): void {
    this.keys.delete(publicKey);
  }

  /** Adds (or replaces) a project: its stream processing instances, AWS IAM roles and AWS account. */
  addProject(groupId: string, spec: ProjectSpec = {}): void {
    this.projects.set(groupId, createProject(groupId, spec, new Date(this.now())));
  }

  /** The instance's connections as Atlas stores them, secrets included (a live list: tests may push to it). */
  connections(groupId: string, tenant: string): StoredConnection[] {
    return this.projects.get(groupId)?.instances.get(tenant)?.connections ?? [];
  }

  /** The project's clusters as `GET /clusters` shows them (a live list). */
  clusters(groupId: string): Array<Record<string, unknown>> {
    return this.projects.get(groupId)?.clusters ?? [];
  }

  /** Changes a cluster's state (e.g. pauses it, or starts deleting it). */
  setClusterState(groupId: string, name: string, state: { stateName?: string; paused?: boolean }): void {
    const cluster = this.clusters(groupId).find((c) => c.name === name);
    if (!cluster) throw new Error(`Atlas emulator: no cluster ${name} in project ${groupId}`);
    if (state.stateName !== undefined) cluster.stateName = state.stateName;
    if (state.paused !== undefined) cluster.paused = state.paused;
    this.server.changed();
  }

  /** The project's Private Link connections as stored (a live list: tests may push to it). */
  privateLinks(groupId: string): StoredPrivateLink[] {
    return this.projects.get(groupId)?.privateLinks ?? [];
  }

  /** Sets a Private Link's state for good (it no longer moves by itself). DONE adds its interface endpoint. */
  setPrivateLinkState(groupId: string, id: string, state: string, errorMessage?: string): void {
    const project = this.projects.get(groupId);
    const link = project?.privateLinks.find((l) => l._id === id);
    if (!project || !link) throw new Error(`Atlas emulator: no Private Link ${id} in project ${groupId}`);
    this.linkProgress.pin(link);
    if (state === 'DONE') {
      markLinkDone(link, project);
    } else {
      link.state = state;
      if (errorMessage !== undefined) link.errorMessage = errorMessage;
      else if (state === 'FAILED') link.errorMessage = 'The Private Link connection failed.';
      else delete link.errorMessage;
    }
    this.server.changed();
  }

  /** Sets a connection's state for good (e.g. READY for a PENDING Private Link connection). */
  setConnectionState(groupId: string, tenant: string, name: string, state: string): void {
    const connection = this.connections(groupId, tenant).find((c) => c.name === name);
    if (!connection) throw new Error(`Atlas emulator: no connection ${name} in ${groupId}/${tenant}`);
    this.connectionProgress.pin(connection);
    connection.state = state;
    this.server.changed();
  }

  /** Pretends a running stream processor uses the connection, so that deleting it answers 409. */
  markConnectionInUse(groupId: string, tenant: string, name: string, inUse = true): void {
    const project = this.projects.get(groupId);
    if (!project) throw new Error(`Atlas emulator: no project ${groupId}`);
    if (inUse) project.inUse.add(`${tenant}/${name}`);
    else project.inUse.delete(`${tenant}/${name}`);
  }

  /** The instance's stream processors (a live list). */
  processors(groupId: string, tenant: string): StoredProcessor[] {
    return this.projects.get(groupId)?.instances.get(tenant)?.processors ?? [];
  }

  /**
   * Adds a stream processor, or changes its state or pipeline (by name). A STARTED one whose
   * pipeline names a connection stops that connection being deleted, as in Atlas.
   */
  setStreamProcessor(groupId: string, tenant: string, processor: StoredProcessor): void {
    const instance = this.projects.get(groupId)?.instances.get(tenant);
    if (!instance) throw new Error(`Atlas emulator: no instance ${groupId}/${tenant}`);
    const existing = instance.processors.find((p) => p.name === processor.name);
    if (existing) Object.assign(existing, structuredClone(processor));
    else instance.processors.push(structuredClone(processor));
    this.server.changed();
  }

  injectFault(fault: AtlasFault): void {
    this.faults.add(fault);
    this.server.changed();
  }

  clearFaults(): void {
    this.faults.clear();
    this.server.changed();
  }

  /** Injected faults not used up yet, with how many requests each still applies to. */
  armedFaults(): Array<AtlasFault & { remaining: number }> {
    return this.faults.armed();
  }

  /** Tokens left in the project's bucket now. */
  rateLimitRemaining(groupId: string): number {
    return this.rate.remaining(groupId);
  }

  /** Switches `GET /rateLimits` between served, 403 and 404 (see the option `rateLimitsApi`). */
  setRateLimitsApi(mode: RateLimitsApiMode): void {
    this.rateLimitsApi.mode = mode;
    this.server.changed();
  }

  /** Calls `listener` after every request and every change made through these controls; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    return this.server.onChange(listener);
  }

  /**
   * Authenticated calls of an operation that Atlas carried out, optionally only those answered with
   * `status`. Calls pre-empted by an injected fault, the rate limit or a version/media-type refusal
   * are in `calls` but not counted: they never reached the operation.
   */
  count(operation: Operation | (string & {}), opts: { status?: number } = {}): number {
    return this.calls.filter((c) => c.authenticated && c.handled && c.operation === operation && (opts.status === undefined || c.status === opts.status)).length;
  }

  /** Resolves once `predicate` holds, checked after every request and state change; rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    return this.server.waitFor(predicate, timeoutMs, 'Atlas emulator condition');
  }

  private async handle(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const url = new URL(target, 'http://atlas.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const route = findRoute(method, url.pathname);
    const project = projectOf(url.pathname);
    const call: AtlasCall = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      authenticated: false,
      publicKey: undefined,
      operation: route.kind === 'found' ? route.match.operation : undefined,
      body: undefined,
      handled: false,
      invalidBody: false,
      at: this.now(),
    };
    this.calls.push(call);
    // Waiters may be watching for a request to arrive (e.g. one that an injected delay holds).
    this.server.changed();

    const send = (reply: Reply, contentType = 'application/json') => {
      call.status = reply.status;
      let payload = '';
      if (typeof reply.body === 'string') {
        payload = reply.body;
        contentType = 'text/html; charset=utf-8';
      } else if (reply.body !== undefined) {
        payload = JSON.stringify(reply.body);
      }
      res.writeHead(reply.status, { ...this.rate.headers(project), ...reply.headers, 'Content-Type': contentType });
      res.end(payload);
    };

    try {
      if (url.pathname.startsWith('/api/oauth/')) {
        const out = this.oauth.handle(method, url.pathname, req.headers, raw);
        call.operation = url.pathname === '/api/oauth/revoke' ? 'revokeToken' : 'mintToken';
        call.authenticated = out.clientId !== undefined;
        call.clientId = out.clientId;
        call.handled = out.reply.status < 400;
        return send(out.reply);
      }
      // A bearer token when the request carries one, else Digest: Atlas takes either on every endpoint.
      const bearer = this.oauth.verify(req.headers.authorization);
      const verdict = bearer === undefined ? this.digest.verify(req.headers.authorization, method, target) : bearer.ok ? { ok: true as const, publicKey: undefined, clientId: bearer.clientId } : { ok: false as const, stale: false };
      if (!verdict.ok) {
        // Shaped like the 401 of Atlas's Digest filter, which has no errorCode: clients must branch on the status.
        return send({
          status: 401,
          body: { error: 401, reason: reasonPhrase(401), detail: 'You are not authorized for this resource.' },
          headers: { 'WWW-Authenticate': this.digest.challenge(verdict.stale) },
        });
      }
      call.authenticated = true;
      call.publicKey = verdict.publicKey;
      if ('clientId' in verdict) call.clientId = verdict.clientId;

      if (isRateLimitsPath(url.pathname)) {
        // Paced by its own endpoint set, not the project's bucket; no injected faults.
        const out = this.rateLimitsApi.handle(method, url, String(req.headers.accept ?? ''));
        call.operation = out.operation;
        call.handled = out.handled;
        return send(out.reply, out.contentType);
      }
      if (route.kind === 'unknown') return send(apiError(404, CODES.resourceNotFound, `Cannot find resource ${url.pathname}.`, [url.pathname]));
      if (route.kind === 'wrongMethod') {
        const reply = apiError(405, CODES.methodNotAllowed, `${method} is not supported on ${url.pathname}; use ${route.allowed.join(' or ')}.`, [method]);
        return send({ ...reply, headers: { Allow: route.allowed.join(', ') } });
      }
      const { match } = route;

      const budget = this.rate.take(match.groupId);
      if (!budget.ok) {
        const reply = apiError(429, CODES.rateLimitedTokenBucket, this.rate.detail(match.groupId, budget.retryAfterSeconds), [match.groupId]);
        return send({ ...reply, headers: { 'Retry-After': String(budget.retryAfterSeconds) } });
      }

      const accepted = String(req.headers.accept ?? '').split(',').map(mediaType);
      // Most routes have one dated version; a few answer older ones too, in the version asked for.
      const wanted = match.versions.map((v) => `application/vnd.atlas.${v}+json`).find((m) => accepted.includes(m)) ?? `application/vnd.atlas.${match.version}+json`;
      if (!accepted.includes(wanted)) {
        return send(apiError(406, CODES.invalidVersionDate, `Invalid accept header or version date. This resource wants Accept: ${wanted}.`, [wanted]));
      }

      let body: unknown;
      if (method === 'POST' || method === 'PATCH') {
        const parsed = this.parseBody(req, raw);
        call.body = parsed.body;
        if (parsed.refusal) {
          call.invalidBody = true;
          return send(parsed.refusal);
        }
        body = parsed.body;
      }

      const fault = this.faults.take(method, url.pathname);
      if (fault?.delayMs) await this.server.delay(fault.delayMs);
      if (fault?.until) {
        // A waiter may be watching for this request to be held.
        this.server.changed();
        await this.server.held(fault.until);
      }
      const rateLimit = { project: match.groupId, detail: (seconds: number) => this.rate.detail(match.groupId, seconds) };
      if (fault && !fault.afterHandling && replacesAnswer(fault)) return send(faultReply(fault, body, rateLimit));

      const reply = runOperation(this.operationContext(), match, body, url.searchParams);
      call.handled = true;
      this.recordIfConnectionChange(match.operation, match.groupId, match.params, body, reply, verdict.publicKey !== undefined ? { publicKey: verdict.publicKey } : { clientId: call.clientId ?? 'unknown' });
      call.invalidBody = errorCodeOf(reply) === CODES.invalidAttribute;
      this.afterHandle?.(call);
      if (fault && replacesAnswer(fault)) return send(faultReply(fault, body, rateLimit));
      return send(reply, reply.status < 400 ? wanted : 'application/json');
    } catch (error) {
      if (res.headersSent) throw error;
      return send(apiError(500, CODES.unexpectedError, `Atlas emulator error: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private operationContext() {
    return { projects: this.projects, linkProgress: this.linkProgress, connectionProgress: this.connectionProgress, events: this.eventLog };
  }

  /** A successful create, update (PATCH) or delete of a connection goes into the project's event feed. */
  private recordIfConnectionChange(operation: Operation, groupId: string, params: Record<string, string>, body: unknown, reply: Reply, actor: EventActor): void {
    const action: ConnectionChange | undefined = operation === 'createConnection' ? 'create' : operation === 'updateConnection' ? 'update' : operation === 'deleteConnection' ? 'delete' : undefined;
    if (!action || reply.status >= 400) return;
    const name = action === 'create' && typeof body === 'object' && body !== null && 'name' in body ? String(body.name) : (params.name ?? '');
    this.eventLog.recordConnectionEvent(groupId, { action, instance: params.tenant ?? '', connectionName: name, actor });
  }

  /** The project's events, oldest first (what `GET /events` serves, raw included). */
  events(groupId: string): ProjectEvent[] {
    return this.eventLog.events(groupId);
  }

  /**
   * A change made "from outside" spconn: another API key, a service account, or a person in the
   * Atlas UI. Atlas checks it as it checks an API call, then records it in the event feed. Returns
   * Atlas's answer (status and body).
   */
  changeFromOutside(
    groupId: string,
    tenant: string,
    change: { action: 'create'; body: Record<string, unknown> } | { action: 'update'; name: string; body: Record<string, unknown> } | { action: 'delete'; name: string },
    actor: EventActor,
  ): Reply {
    const operation: Operation = change.action === 'create' ? 'createConnection' : change.action === 'update' ? 'updateConnection' : 'deleteConnection';
    const params: Record<string, string> = { tenant, ...(change.action === 'create' ? {} : { name: change.name }) };
    const body = change.action === 'delete' ? undefined : change.body;
    const reply = runOperation(this.operationContext(), { operation, version: API_VERSIONS.streams, versions: [API_VERSIONS.streams], groupId, params }, body, new URLSearchParams());
    this.recordIfConnectionChange(operation, groupId, params, body, reply, actor);
    this.server.changed();
    return reply;
  }

  /** JSON bodies only, as `application/json` (or the vendor type the spec lists for request bodies). */
  private parseBody(req: IncomingMessage, raw: string): { body: unknown; refusal?: Reply } {
    if (raw === '') return { body: undefined, refusal: apiError(400, CODES.invalidJson, 'This request needs a JSON body.') };
    const contentType = req.headers['content-type'];
    if (contentType === undefined || !JSON_BODY.test(mediaType(contentType))) {
      const reply = apiError(415, CODES.unsupportedMediaType, `Unsupported Content-Type ${contentType ?? '(none)'}; send the body as application/json.`);
      return { body: raw, refusal: reply };
    }
    try {
      return { body: JSON.parse(raw) as unknown };
    } catch {
      return { body: raw, refusal: apiError(400, CODES.invalidJson, 'Received JSON is malformed.') };
    }
  }
}
