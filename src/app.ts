// Builds the Bolt app from its dependencies; used by main, the tests and the sandbox alike.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AuthorisedRolesCache } from './atlas/cloudProviderAccess.js';
import { boltLogger } from './boltLogger.js';
import type { Config } from './config/file.js';
import { registerActions } from './handlers/actions/index.js';
import { registerCommands } from './handlers/commands/index.js';
import type { HandlerContext } from './handlers/context.js';
import { registerViews } from './handlers/views/index.js';
import type { Logger } from './log.js';
import { currentScope, inNewScope, type LogScope } from './logContext.js';
import { Metrics, slackKindOf, type SlackKind, type SlackOutcome } from './metrics/metrics.js';
import { SocketModeReceiver, type SendAck } from './receivers/socketMode.js';
import { RequestNotifier } from './requests/notifier.js';
import { OwnerDirectory } from './requests/owners.js';
import { RequestCore } from './requests/core.js';
import { AtlasClients } from './atlas/clients.js';
import { SecretCache } from './secrets/apiKeys.js';
import { slackTransport } from './slack/transport.js';
import { SlackViews } from './slack/views.js';
import type { Sealer } from './secrets/sealing.js';
import type { RequestStore } from './store/requestStore.js';

export interface SpconnDeps {
  config: Config;
  /** With `appToken`, Slack's deliveries come over Socket Mode; otherwise over HTTP, signed with `signingSecret`. */
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  secretsManager: SecretsManagerClient;
  sealer: Sealer;
  store: RequestStore;
  logger: Logger;
  /** Defaults to a registry of the app's own, served at GET /metrics. */
  metrics?: Metrics;
  /** How often pending requests are checked for expiry. */
  expirySweepMs?: number;
}

export interface SpconnApp {
  bolt: App;
  requests: RequestCore;
  metrics: Metrics;
  /** Binds the HTTP server (Slack's request URL is POST /slack/events). */
  listen(port: number, host: string): Promise<number>;
  /** Stops taking requests, lets Atlas calls in flight finish, closes the store. */
  stop(): Promise<void>;
  /** Gives this replica's leases back at once (a shutdown out of time). */
  handBack(): Promise<void>;
}

/** Slack signs a timestamp; Bolt refuses old ones but not ones far in the future, so we do. */
const MAX_CLOCK_SKEW_S = 5 * 60;

export async function buildApp(deps: SpconnDeps): Promise<SpconnApp> {
  const { config, logger } = deps;
  const { appToken, signingSecret } = deps.slack;
  if (!appToken && !signingSecret) throw new Error('Slack needs a signing secret (HTTP mode) or an app-level token (Socket Mode).');
  const receiver = appToken
    ? new SocketModeReceiver({ appToken, apiUrl: deps.slack.apiUrl, logger: boltLogger(logger), deliver: (sendAck, process) => deliverOverSocket(sendAck, process) })
    : new HTTPReceiver({
        signingSecret: signingSecret!,
        logger: boltLogger(logger),
        // Let listeners finish their work after the ack; Slack only waits for the ack.
        processBeforeResponse: false,
      });
  const slackTransportFetch = slackTransport();
  const bolt = new App({
    token: deps.slack.botToken,
    receiver,
    logger: boltLogger(logger),
    deferInitialization: true,
    // Bolt's conversation store keeps per-channel state spconn never reads: skip it on every delivery.
    convoStore: false,
    clientOptions: {
      ...(deps.slack.apiUrl ? { slackApiUrl: deps.slack.apiUrl } : {}),
      fetch: slackTransportFetch,
      // A retry that outlives Slack's 3 s deadline is worse than a clear error.
      timeout: 5_000,
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000 },
    },
  });
  try {
    await bolt.init();
  } catch (cause) {
    throw new Error(`Slack refused the bot token at start-up (auth.test): ${(cause as Error).message}`, { cause });
  }

  const metrics = deps.metrics ?? new Metrics({ store: deps.store });
  const secrets = new SecretCache(deps.secretsManager, { ttlMs: config.secrets.cacheTtl, timeoutMs: config.secrets.readTimeout, logger, metrics });
  const atlas = new AtlasClients({ config, secrets, logger, metrics });
  const requests = new RequestCore({
    config,
    store: deps.store,
    sealer: deps.sealer,
    atlas,
    owners: new OwnerDirectory(bolt.client, logger),
    notifier: new RequestNotifier(bolt.client, logger),
    logger,
  });
  const views = new SlackViews({ fetch: slackTransportFetch, botToken: deps.slack.botToken, ...(deps.slack.apiUrl ? { apiUrl: deps.slack.apiUrl } : {}) });
  const ctx: HandlerContext = { config, requests, atlas, logger, roles: new AuthorisedRolesCache(), views };
  // The kind of each delivery, for the metrics, once Bolt has parsed it.
  bolt.use(async ({ body, next }) => {
    const scope = currentScope();
    if (scope) scope.slackKind = slackKindOf(body);
    await next();
  });
  registerCommands(bolt, ctx);
  registerViews(bolt, ctx);
  registerActions(bolt, ctx);
  bolt.error(async (error) => {
    logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  let stopping = false;
  const server: Server = createServer((req, res) => route(req, res));
  // Behind a load balancer, an idle connection must outlive the balancer's idle timeout (AWS ALB:
  // 60 s), or a request sent as Node closes the connection fails ("other side closed", a 502).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  function route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method === 'GET' && path === '/readyz') {
      // Ready: config loaded (we are running) and the store answers; not ready while stopping.
      if (stopping) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('stopping');
        return;
      }
      deps.store.ping().then(
        () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ready'),
        (err: unknown) => {
          logger.warn({ err }, 'readiness check: store unreachable');
          res.writeHead(503, { 'content-type': 'text/plain' }).end('store unreachable');
        },
      );
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: unknown) => {
          logger.warn({ err }, 'metrics could not be collected');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable');
        },
      );
      return;
    }
    if (path === '/slack/events' && receiver instanceof HTTPReceiver) {
      const started = performance.now();
      let scope: LogScope | undefined;
      res.once('close', () => {
        const outcome = !res.writableFinished ? 'error' : res.statusCode < 300 ? 'ok' : res.statusCode === 401 ? 'unauthorized' : 'error';
        recordDelivery(scope, outcome, (performance.now() - started) / 1000);
      });
      const ts = Number(req.headers['x-slack-request-timestamp']);
      if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > MAX_CLOCK_SKEW_S) {
        res.writeHead(401).end();
        return;
      }
      // Every log line of this delivery, and of what it starts, carries one request id.
      inNewScope((s) => {
        scope = s;
        receiver.requestListener(req, res);
      });
      return;
    }
    res.writeHead(404).end();
  }

  function recordDelivery(scope: LogScope | undefined, outcome: SlackOutcome, seconds: number): void {
    const kind = (scope?.slackKind ?? 'other') as SlackKind;
    const requestId = scope?.requestId;
    metrics.slackRequests.inc({ kind, outcome });
    if (outcome === 'ok') metrics.ackSeconds.observe({ kind }, seconds);
    logger.info({ requestId, slack: { kind, outcome, ms: Math.round(seconds * 1000) } }, 'Slack request');
  }

  /** A Socket Mode delivery: the same scope, metrics and log line as one over HTTP. */
  async function deliverOverSocket(sendAck: SendAck, process: (ack: SendAck) => Promise<void>): Promise<void> {
    const started = performance.now();
    let ackedAt: number | undefined;
    let scope: LogScope | undefined;
    const ack: SendAck = async (response) => {
      await sendAck(response);
      ackedAt ??= performance.now();
    };
    try {
      await inNewScope((s) => {
        scope = s;
        return process(ack);
      });
    } catch (err) {
      logger.error({ err, requestId: scope?.requestId }, 'unhandled error in a Slack listener');
    }
    recordDelivery(scope, ackedAt === undefined ? 'error' : 'ok', ((ackedAt ?? performance.now()) - started) / 1000);
  }

  await requests.start({ expirySweepMs: deps.expirySweepMs ?? 60_000 });

  return {
    bolt,
    requests,
    metrics,
    async listen(port, host) {
      const bound = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
      // Socket Mode: Slack's deliveries come over the connection; the port serves health and metrics.
      if (receiver instanceof SocketModeReceiver) await receiver.start();
      return bound;
    },
    handBack: () => requests.handBack(),
    async stop() {
      stopping = true;
      if (receiver instanceof SocketModeReceiver) await receiver.stop().catch((err: unknown) => logger.warn({ err }, 'Socket Mode did not close cleanly'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await requests.stop();
      await deps.store.close();
      slackTransportFetch.close();
    },
  };
}
