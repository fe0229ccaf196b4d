// `npm start` without Slack credentials: the real app wired to emulated Slack, Atlas and Secrets
// Manager on 127.0.0.1, with throwaway state. Nothing here talks to a real service.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../app.js';
import type { Env } from '../config/env.js';
import type { Logger } from '../log.js';
import { Sealer } from '../secrets/sealing.js';
import { openSqliteStore } from '../store/sqlite.js';
import { startWorld, WORLD } from './world.js';

export async function startSandbox({ env, logger }: { env: Env; logger: Logger }): Promise<{ stop(): Promise<void> }> {
  const world = await startWorld();
  const dataDir = mkdtempSync(join(tmpdir(), 'spconn-sandbox-'));
  const app = await buildApp({
    config: world.config,
    slack: { botToken: world.botToken, signingSecret: world.signingSecret, apiUrl: world.slack.url },
    secretsManager: world.secretsManagerClient(),
    sealer: new Sealer(randomBytes(32)),
    store: await openSqliteStore(dataDir),
    logger,
  });
  const port = await app.listen(env.PORT, '127.0.0.1');
  const banner = [
    '',
    '==================================================================',
    '  spconn SANDBOX: emulated Slack, Atlas and AWS on 127.0.0.1 only.',
    '  Nothing here reaches a real Slack workspace, Atlas or AWS.',
    '==================================================================',
    `  app (Slack request URL)   http://127.0.0.1:${port}/slack/events`,
    `  Slack Web API emulator    ${world.slack.url}`,
    `  Atlas Admin API emulator  ${world.atlas.url}  (project ${WORLD.projectId}, instance ${WORLD.instance})`,
    `  Secrets Manager emulator  ${world.secrets.url}`,
    '  Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to run against Slack for real.',
    '',
  ].join('\n');
  process.stdout.write(`${banner}\n`);
  return {
    async stop() {
      await app.stop();
      await world.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
