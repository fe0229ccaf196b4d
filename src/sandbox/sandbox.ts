// `npm start` without Slack credentials: the real app wired to emulated Slack, Atlas and Secrets
// Manager on 127.0.0.1, with throwaway state, and the playground page that plays Slack for it in
// a browser. Nothing here talks to a real service.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../app.js';
import type { Env } from '../config/env.js';
import type { Logger } from '../log.js';
import { Sealer } from '../secrets/sealing.js';
import { SANDBOX_REFERENCES, seedSandboxSecrets } from './sandboxSecrets.js';
import { openSqliteStore } from '../store/sqlite.js';
import { startPlayground, type OutsideChange } from './playground/server.js';
import { startWorld, WORLD, type World } from './world.js';

export interface SandboxOptions {
  env: Pick<Env, 'PORT'> & { SPCONN_PLAYGROUND_PORT?: number; SPCONN_SANDBOX_AUTH?: 'apiKey' | 'serviceAccount' | undefined };
  logger: Logger;
  /** Print the banner with the addresses (default true). */
  banner?: boolean;
  /** How often the app polls a pending Private Link: seconds for people, less in tests. */
  privateLinkPolling?: { pollMin: string; pollMax: string };
}

export interface Sandbox {
  appUrl: string;
  playgroundUrl: string;
  world: World;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { env, logger } = options;
  const world = await startWorld({
    // SPCONN_SANDBOX_AUTH=serviceAccount: the target uses the seeded service account's bearer token.
    ...(env.SPCONN_SANDBOX_AUTH ? { auth: env.SPCONN_SANDBOX_AUTH } : {}),
    // Private Links wait for the playground's "make ready" or "fail", as a real one waits for Confluent and AWS.
    atlas: { privateLinkAutoReadyAfterPolls: -1 },
    configPatch: (raw) => {
      raw.privateLink = { ...(options.privateLinkPolling ?? { pollMin: '1s', pollMax: '5s' }), linkTimeout: '2h', connectionTimeout: '1h' };
      // Reminders and escalation to show; the playground's "Skip ahead" moves the app's clock to them.
      raw.approvals = { ...(raw.approvals as object | undefined), remindAfter: '4h', escalateAfter: '8h' };
      for (const target of raw.targets as Record<string, unknown>[]) target.escalateTo = [WORLD.lead];
      // Drift alerts to show: the playground's "Change from outside" makes one; they post in the channel.
      raw.drift = { watchEvery: '30s' };
      // Rotation watching to show: the playground's "New version" buttons scan at once.
      raw.rotation = { watchEvery: '30s' };
      for (const target of raw.targets as Record<string, unknown>[]) target.channels ??= [WORLD.channel];
    },
  });
  // Secrets to reference from the forms (secretsmanager:sandbox/…).
  seedSandboxSecrets(world.secrets);
  // The app's clock: real time plus what the playground skipped.
  let skipped = 0;
  const now = () => new Date(Date.now() + skipped);
  const dataDir = mkdtempSync(join(tmpdir(), 'spconn-sandbox-'));
  const app = await buildApp({
    config: world.config,
    slack: { botToken: world.botToken, signingSecret: world.signingSecret, apiUrl: world.slack.url },
    secretsManager: world.secretsManagerClient(),
    sealer: new Sealer(randomBytes(32)),
    store: await openSqliteStore(dataDir),
    logger,
    now,
  });
  const port = await app.listen(env.PORT, '127.0.0.1');
  const appUrl = `http://127.0.0.1:${port}`;
  const playgroundPort = env.SPCONN_PLAYGROUND_PORT ?? (env.PORT === 0 || env.PORT >= 65535 ? 0 : env.PORT + 1);
  const skipAhead = async (ms: number) => {
    skipped += ms;
    // Run the scans at once rather than at their next tick: what is due now is posted now.
    const expired = await app.requests.decisions.expireDue();
    const posted = await app.requests.nudges.scan();
    return { posted, expired, skippedMs: skipped };
  };
  // Drift watching starts from now: nothing made before the sandbox started is drift.
  await app.drift.scan();
  const outsideChange = async (change: OutsideChange) => {
    const reply = world.atlas.changeFromOutside(WORLD.projectId, WORLD.instance, change, { username: 'alex@example.com' });
    if (reply.status >= 400) return { status: reply.status, posted: 0, error: JSON.stringify(reply.body) };
    // Read the events at once rather than at the next period.
    const results = await app.drift.scan();
    return { status: reply.status, posted: results.reduce((n, r) => n + r.posted, 0) };
  };
  const newVersion = async () => ({ rotations: (await app.rotation.scan()).filter((r) => r.outcome === 'opened' || r.outcome === 'performed').length });
  const playground = await startPlayground({ world, appUrl, port: playgroundPort, logger, skipAhead, outsideChange, newVersion });
  const banner = [
    '',
    '==================================================================',
    '  spconn SANDBOX: emulated Slack, Atlas and AWS on 127.0.0.1 only.',
    '  Nothing here reaches a real Slack workspace, Atlas or AWS.',
    '==================================================================',
    `  playground (open this)    ${playground.url}`,
    '                            then type /spconn create https',
    `  app (Slack request URL)   ${appUrl}/slack/events`,
    `  Slack Web API emulator    ${world.slack.url}`,
    `  Atlas Admin API emulator  ${world.atlas.url}  (project ${WORLD.projectId}, instance ${WORLD.instance})`,
    `  Secrets Manager emulator  ${world.secrets.url}`,
    `  secrets to reference      ${SANDBOX_REFERENCES.join(', ')}`,
    '  Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) to run against Slack for real.',
    '',
  ].join('\n');
  if (options.banner ?? true) process.stdout.write(`${banner}\n`);
  return {
    appUrl,
    playgroundUrl: playground.url,
    world,
    async stop() {
      await playground.stop();
      await app.stop();
      await world.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
