// Entry point: read the environment and config, build the dependencies, start. Without Slack
// credentials (or with SPCONN_SANDBOX=1) it starts the local sandbox instead.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { buildApp } from './app.js';
import { parseEnv, type Env } from './config/env.js';
import { loadConfigFile } from './config/file.js';
import { isSpconnError } from './errors.js';
import { installLastResort } from './lastResort.js';
import { createLogger, type Logger } from './log.js';
import { SecretCache } from './secrets/apiKeys.js';
import { resolveSealer } from './secrets/encryptionKey.js';
import { SecretScrubber } from './secrets/scrub.js';
import { openStore } from './store/index.js';

async function startProduction(env: Env, logger: Logger): Promise<void> {
  if (!env.SLACK_BOT_TOKEN) throw new Error('SLACK_BOT_TOKEN is required outside the sandbox.');
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    throw new Error('Set SLACK_SIGNING_SECRET (HTTP mode: Slack posts to /slack/events) or SLACK_APP_TOKEN (Socket Mode: no public URL needed).');
  }
  const config = await loadConfigFile(env.SPCONN_CONFIG);
  const secretsManager = new SecretsManagerClient({});
  const sealer = await resolveSealer({
    envKey: env.SPCONN_ENCRYPTION_KEY,
    keySecret: config.secrets.encryptionKeySecret,
    secrets: new SecretCache(secretsManager, { ttlMs: config.secrets.cacheTtl, timeoutMs: config.secrets.readTimeout, logger }),
  });
  const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: env.SPCONN_DATA_DIR });
  const app = await buildApp({
    config,
    slack: { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL },
    secretsManager,
    sealer,
    store,
    logger,
  });
  const port = await app.listen(env.PORT, env.HOST);
  const mode = env.SLACK_APP_TOKEN ? 'Socket Mode' : 'HTTP';
  logger.info(
    { port, mode, targets: config.targets.map((t) => t.name) },
    env.SLACK_APP_TOKEN ? 'spconn is connected to Slack over Socket Mode (health and metrics on the port)' : 'spconn is listening on POST /slack/events',
  );
  stopOnSignals(logger, app);
}

/** How long a shutdown may take: within a container's usual 10 s grace before SIGKILL. */
const STOP_DEADLINE_MS = 9_000;

function stopOnSignals(logger: Logger, app: { stop(): Promise<void>; handBack?(): Promise<void> }): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // A referenced timer: while work in flight waits on unreferenced ones (a retry's back-off, the
    // pacer), the process must not drain its event loop and exit before that work is done.
    setTimeout(() => {
      logger.error({ deadlineMs: STOP_DEADLINE_MS }, 'work in flight did not finish in time; handing its leases back');
      const handBack = app.handBack?.() ?? Promise.resolve();
      void Promise.race([handBack, new Promise((resolve) => setTimeout(resolve, 500))]).finally(() => process.exit(1));
    }, STOP_DEADLINE_MS);
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

async function main(): Promise<void> {
  const env = parseEnv(process.env);
  const logger = createLogger({ level: env.LOG_LEVEL });
  installLastResort(logger);
  const sandbox = env.SPCONN_SANDBOX === '1' || env.SPCONN_SANDBOX === 'true' || (!env.SLACK_BOT_TOKEN && env.SPCONN_SANDBOX === undefined);
  if (!sandbox) return startProduction(env, logger);
  if (env.NODE_ENV === 'production') {
    throw new Error('NODE_ENV=production but no SLACK_BOT_TOKEN is set: refusing to fall back to the sandbox.');
  }
  const { startSandbox } = await import('./sandbox/sandbox.js');
  const sandboxApp = await startSandbox({ env, logger });
  stopOnSignals(logger, sandboxApp);
}

/**
 * What to print when start-up fails. spconn's own errors are written for people and carry no
 * secret: print them plainly, without a stack. Anything else may quote what it failed on — V8's
 * JSON.parse quotes the text, which may be a secret's value — so a SyntaxError's text is not
 * shown, and other messages lose the secrets this process was given in its environment.
 */
function startupFailure(err: unknown): string {
  if (isSpconnError(err)) return err.userMessage;
  if (err instanceof SyntaxError) return `${err.name} (its text is not shown: it may quote a secret that failed to parse).`;
  const env = process.env;
  const secrets = [env.SLACK_BOT_TOKEN, env.SLACK_SIGNING_SECRET, env.SLACK_APP_TOKEN, env.SPCONN_ENCRYPTION_KEY, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN];
  if (env.DATABASE_URL) secrets.push(databasePassword(env.DATABASE_URL));
  return SecretScrubber.for(secrets.filter((s): s is string => s !== undefined)).scrub(err instanceof Error ? err.message : String(err));
}

function databasePassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`spconn failed to start: ${startupFailure(err)}\n`);
  process.exit(1);
});
