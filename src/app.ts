// Builds the Bolt app from its dependencies; used by main, the tests and the sandbox alike.
import { App, HTTPReceiver } from '@slack/bolt';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AuthorisedRolesCache } from './atlas/cloudProviderAccess.js';
import { ProjectLookups } from './atlas/projectLookups.js';
import { boltLogger } from './boltLogger.js';
import type { Config } from './config/file.js';
import { registerActions } from './handlers/actions/index.js';
import { registerCommands } from './handlers/commands/index.js';
import { registerEvents } from './handlers/events/index.js';
import type { HandlerContext } from './handlers/context.js';
import { registerViews } from './handlers/views/index.js';
import { HttpServer } from './http/server.js';
import { SLACK_BODY_LIMIT, slackEventsEndpoint } from './http/slackEvents.js';
import type { Logger } from './log.js';
import { currentScope } from './logContext.js';
import { Metrics, slackKindOf } from './metrics/metrics.js';
import { SocketModeReceiver } from './receivers/socketMode.js';
import { RequestNotifier } from './requests/notifier.js';
import { OwnerDirectory } from './requests/owners.js';
import { RequestCore } from './requests/core.js';
import { AtlasClients } from './atlas/clients.js';
import { PostgresSharedBudget } from './atlas/sharedBudget.js';
import { SecretCache } from './secrets/apiKeys.js';
import { SecretReferences } from './secrets/references.js';
import { ConnectionSecretRefs } from './store/secretRefs.js';
import { SlackDeliveries } from './slack/delivery.js';
import { slackTransport } from './slack/transport.js';
import { SlackViews } from './slack/views.js';
import type { Sealer } from './secrets/sealing.js';
import { sharedAtlasTokens } from './store/atlasTokens.js';
import { DriftStore } from './store/driftStore.js';
import { DriftWatcher } from './drift/watcher.js';
import { Rotations } from './rotation/rotations.js';
import { RotationWatcher } from './rotation/watcher.js';
import { RotationStore } from './store/rotationStore.js';
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
  /** How often pending requests are checked for expiry, reminders and escalation. */
  expirySweepMs?: number;
  /** The request core's clock (expiry, reminders, escalation); tests and the playground move it. */
  now?: () => Date;
}

export interface SpconnApp {
  bolt: App;
  requests: RequestCore;
  /** Drift watching (`drift.watchEvery`); `drift.scan()` runs one scan now (tests, the playground). */
  drift: DriftWatcher;
  /** Rotation watching (`rotation.watchEvery`); `rotation.scan()` runs one scan now (tests, the playground). */
  rotation: RotationWatcher;
  metrics: Metrics;
  /** Binds the HTTP server (Slack's request URL is POST /slack/events). */
  listen(port: number, host: string): Promise<number>;
  /** Stops taking requests, lets Atlas calls in flight finish, closes the store. */
  stop(): Promise<void>;
  /** Gives this replica's leases back at once (a shutdown out of time). */
  handBack(): Promise<void>;
}

export async function buildApp(deps: SpconnDeps): Promise<SpconnApp> {
  const { config, logger } = deps;
  const { appToken, signingSecret } = deps.slack;
  if (!appToken && !signingSecret) throw new Error('Slack needs a signing secret (HTTP mode) or an app-level token (Socket Mode).');
  const receiver = appToken
    ? new SocketModeReceiver({ appToken, apiUrl: deps.slack.apiUrl, logger: boltLogger(logger), deliver: (sendAck, process) => deliveries.overSocket(sendAck, process) })
    : new HTTPReceiver({
        signingSecret: signingSecret!,
        logger: boltLogger(logger),
        // Let listeners finish their work after the ack; Slack only waits for the ack.
        processBeforeResponse: false,
        // The endpoint reads the body within this limit before Bolt does; the same figure here too.
        bodyLimit: SLACK_BODY_LIMIT,
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
  // With several replicas (PostgreSQL) Atlas's rate limit per project is one budget they share.
  const sharedBudget = deps.store.dialect === 'postgres' ? new PostgresSharedBudget(deps.store.db) : undefined;
  const atlas = new AtlasClients({ config, secrets, logger, metrics, sharedTokens: sharedAtlasTokens(deps.store, deps.sealer), ...(sharedBudget ? { shared: sharedBudget } : {}) });
  const secretRefs = new SecretReferences(deps.secretsManager, { timeoutMs: config.secrets.readTimeout, logger });
  const requests = new RequestCore({
    secretRefs,
    connectionRefs: new ConnectionSecretRefs(deps.store.db),
    config,
    store: deps.store,
    sealer: deps.sealer,
    atlas,
    owners: new OwnerDirectory(bolt.client, logger),
    notifier: new RequestNotifier(bolt.client, logger),
    logger,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const views = new SlackViews({ fetch: slackTransportFetch, botToken: deps.slack.botToken, ...(deps.slack.apiUrl ? { apiUrl: deps.slack.apiUrl } : {}) });
  const rotationStore = new RotationStore(deps.store.db);
  const rotations = new Rotations({ requests, atlas, store: rotationStore, logger });
  const ctx: HandlerContext = { config, requests, atlas, logger, roles: new AuthorisedRolesCache(), lookups: new ProjectLookups(), views, secretRefs, rotations };
  // Socket Mode's deliveries start after listen(), so the receiver above may refer to this.
  const deliveries = new SlackDeliveries(metrics, logger);
  // The kind of each delivery, for the metrics, once Bolt has parsed it.
  bolt.use(async ({ body, next }) => {
    const scope = currentScope();
    if (scope) scope.slackKind = slackKindOf(body);
    await next();
  });
  registerCommands(bolt, ctx);
  registerViews(bolt, ctx);
  registerActions(bolt, ctx);
  registerEvents(bolt, ctx);
  bolt.error(async (error) => {
    logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  let stopping = false;
  const server = new HttpServer({
    store: deps.store,
    metrics,
    logger,
    isStopping: () => stopping,
    ...(receiver instanceof HTTPReceiver ? { slackEvents: slackEventsEndpoint({ receiver, signingSecret: signingSecret!, deliveries, logger }) } : {}),
  });

  await requests.start({ expirySweepMs: deps.expirySweepMs ?? 60_000 });
  const drift = new DriftWatcher({ config, store: new DriftStore(deps.store.db), atlas, secrets, slack: bolt.client, logger, ...(deps.now ? { now: deps.now } : {}) });
  drift.start();
  const rotation = new RotationWatcher({ config, refs: requests.connectionRefs, store: rotationStore, rotations, secretsManager: deps.secretsManager, logger, ...(deps.now ? { now: deps.now } : {}) });
  rotation.start();

  return {
    bolt,
    requests,
    drift,
    rotation,
    metrics,
    async listen(port, host) {
      const bound = await server.listen(port, host);
      // Socket Mode: Slack's deliveries come over the connection; the port serves health and metrics.
      if (receiver instanceof SocketModeReceiver) await receiver.start();
      return bound;
    },
    handBack: () => requests.handBack(),
    async stop() {
      stopping = true;
      if (receiver instanceof SocketModeReceiver) await receiver.stop().catch((err: unknown) => logger.warn({ err }, 'Socket Mode did not close cleanly'));
      await server.close();
      await drift.stop();
      await rotation.stop();
      await requests.stop();
      await deps.store.close();
      slackTransportFetch.close();
    },
  };
}
