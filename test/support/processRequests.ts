// Requests made through an app that runs as its own process: the form opened by one replica and
// submitted to another, as Slack may deliver them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { startWorld, WORLD, type World, type WorldOptions } from '../../src/sandbox/world.js';
import { startAppProcess, type AppProcess } from './appProcess.js';
import { usePostgres } from './postgres.js';
import { SlackDriver, state } from './slackDriver.js';

/** Runs `/spconn create https` through `driver`, submits the form through `submitVia` and returns the card. */
export async function requestHttpsThrough(world: World, driver: SlackDriver, name: string, submitVia: SlackDriver = driver) {
  const { slack } = world;
  const trigger = slack.issueTriggerId();
  await driver.command('create https', { user: WORLD.requester, channel: WORLD.channel, triggerId: trigger });
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === trigger));
  const view = [...slack.views.values()].find((v) => v.triggerId === trigger)!;
  const res = await submitVia.submitView(
    { ...view.view, id: view.id },
    {
      target: { target: state.select('sandbox') },
      connection_type: { connection_type_picked: state.select('https') },
      connection_name: { name: state.text(name) },
      https_url: { url: state.text('https://x.example/hook') },
      https_headers: { headers: state.text(null) },
    },
    { user: WORLD.requester },
  );
  if (res.text !== '') throw new Error(`form refused: ${res.text}`);
  await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.includes(`connection ${name} `)), 20_000);
  const card = slack.messages.find((m) => !m.threadTs && m.text.includes(`connection ${name} `))!;
  return { channel: card.channel, ts: card.ts, text: card.text, blocks: card.blocks };
}

/** App processes sharing one database (the replicas of a deployment), each with a data directory of its own. */
export class Replicas {
  private readonly apps: AppProcess[] = [];
  private readonly dirs: string[] = [];
  private readonly key = randomBytes(32).toString('base64');

  constructor(
    private readonly world: World,
    private readonly databaseUrl: string,
  ) {}

  async start(): Promise<AppProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'spconn-replica-'));
    this.dirs.push(dir);
    const app = await startAppProcess(this.world, dir, this.key, { DATABASE_URL: this.databaseUrl });
    this.apps.push(app);
    return app;
  }

  async stop(): Promise<void> {
    for (const app of this.apps) await app.kill();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/**
 * App processes on one PostgreSQL against one emulated world, for the tests of a file or
 * `describe`: `start` makes a fresh database (or skips the test, saying why), the world and the
 * `Replicas`; after the tests the processes, the worlds and the server are stopped.
 */
export function useReplicas(label?: string) {
  const pg = usePostgres(label);
  const started: Array<{ world: World; replicas: Replicas }> = [];
  afterAll(async () => {
    for (const { world, replicas } of started.splice(0).reverse()) {
      await replicas.stop();
      await world.stop();
    }
  });
  return {
    async start(database: string, skip: (note: string) => never, worldOptions: WorldOptions = {}): Promise<{ world: World; replicas: Replicas; databaseUrl: string }> {
      const databaseUrl = await pg.database(database, skip);
      const world = await startWorld(worldOptions);
      const replicas = new Replicas(world, databaseUrl);
      started.push({ world, replicas });
      return { world, replicas, databaseUrl };
    },
  };
}
