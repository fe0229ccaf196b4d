// The app with its real HTTP receiver, wired to an emulated world, for end-to-end tests.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp, type SpconnApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { Sealer } from '../../src/secrets/sealing.js';
import { startWorld, WORLD, type World, type WorldOptions } from '../../src/sandbox/world.js';
import { openStore } from '../../src/store/index.js';
import type { RequestStore } from '../../src/store/requestStore.js';
import { SlackDriver, state, type ElementState } from './slackDriver.js';
import { SocketModeDriver } from './socketDriver.js';

export { WORLD, state };

export interface Stack {
  world: World;
  app: SpconnApp;
  driver: SlackDriver;
  dataDir: string;
  /** Every log line the app wrote, as JSON text. */
  logs: string[];
  /** The app's store (SQLite in `dataDir`, or PostgreSQL with `databaseUrl`). */
  store: RequestStore;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: WorldOptions & { expirySweepMs?: number; socketMode?: boolean; databaseUrl?: string; now?: () => Date } = {}): Promise<Stack> {
  const world = await startWorld({
    ...options,
    configPatch: (raw) => {
      // Private Link polling at test speed; a test may override it.
      raw.privateLink = { pollMin: '20ms', pollMax: '80ms', linkTimeout: '30s', connectionTimeout: '30s' };
      options.configPatch?.(raw);
    },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'spconn-test-'));
  const key = randomBytes(32);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  async function boot(): Promise<{ app: SpconnApp; port: number; store: RequestStore }> {
    const store = await openStore({ dataDir, databaseUrl: options.databaseUrl });
    const app = await buildApp({
      config: world.config,
      slack: options.socketMode
        ? { botToken: world.botToken, appToken: world.appToken, apiUrl: world.slack.url }
        : { botToken: world.botToken, signingSecret: world.signingSecret, apiUrl: world.slack.url },
      secretsManager: world.secretsManagerClient(),
      sealer: new Sealer(key),
      store,
      logger: createLogger({ level: 'debug', destination }),
      expirySweepMs: options.expirySweepMs,
      ...(options.now ? { now: options.now } : {}),
    });
    return { app, port: await app.listen(0, '127.0.0.1'), store };
  }

  const driverFor = (port: number) =>
    options.socketMode
      ? new SocketModeDriver(`http://127.0.0.1:${port}`, world.slack.socketMode, WORLD.team)
      : new SlackDriver(`http://127.0.0.1:${port}`, world.signingSecret, WORLD.team);
  let booted = await boot();
  const stack: Stack = {
    world,
    app: booted.app,
    driver: driverFor(booted.port),
    dataDir,
    logs,
    store: booted.store,
    async restart() {
      await stack.app.stop();
      booted = await boot();
      stack.app = booted.app;
      stack.store = booted.store;
      stack.driver = driverFor(booted.port);
    },
    async stop() {
      await stack.app.stop();
      await world.stop();
      rmSync(dataDir, { recursive: true, force: true });
      // Every body the app sent Atlas in any test must pass Atlas's schemas and rules.
      const invalid = world.atlas.calls.filter((c) => c.invalidBody);
      if (invalid.length > 0) throw new Error(`the app sent Atlas ${invalid.length} invalid bodies, e.g. ${JSON.stringify(invalid[0]!.body).slice(0, 300)}`);
    },
  };
  return stack;
}

export interface CardMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
}

/** Runs a command that opens a modal and returns the view Slack opened. */
export async function openModal(stack: Stack, text: string, user: string = WORLD.requester) {
  const { slack } = stack.world;
  const triggerId = slack.issueTriggerId();
  const res = await stack.driver.command(text, { user, channel: WORLD.channel, triggerId });
  if (res.status !== 200) throw new Error(`slash command answered ${res.status}`);
  await slack.waitFor(() => slack.calls.some((c) => c.method === 'views.open' && c.args.trigger_id === triggerId));
  const open = slack.calls.find((c) => c.method === 'views.open' && c.args.trigger_id === triggerId)!;
  if (!open.ok) throw new Error(`views.open failed: ${open.error}`);
  const view = [...slack.views.values()].find((v) => v.triggerId === triggerId)!;
  return { ...view.view, id: view.id, hash: view.hash, blocks: view.view.blocks as unknown[], private_metadata: String(view.view.private_metadata ?? ''), callback_id: String(view.view.callback_id ?? '') };
}

/** Runs the command, submits the form with `values` (plus target and type), returns the ack's JSON. */
export async function submitCreateForm(stack: Stack, type: string, values: Record<string, Record<string, ElementState>>, user: string = WORLD.requester): Promise<unknown> {
  const view = await openModal(stack, `create ${type}`, user);
  const res = await stack.driver.submitView(view, { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select(type) }, ...values }, { user });
  if (res.status !== 200) throw new Error(`view_submission answered ${res.status}`);
  return res.json();
}

/** Runs `/spconn create https` as `user`, fills the form and submits it; returns the ack's JSON. */
export async function submitHttpsForm(
  stack: Stack,
  fields: { name: string; url: string; headers?: string; target?: string },
  user: string = WORLD.requester,
): Promise<unknown> {
  const { slack } = stack.world;
  const triggerId = slack.issueTriggerId();
  const res = await stack.driver.command('create https', { user, channel: WORLD.channel, triggerId });
  if (res.status !== 200) throw new Error(`slash command answered ${res.status}`);
  await slack.waitFor(() => slack.calls.some((c) => c.method === 'views.open' && c.args.trigger_id === triggerId));
  const open = slack.calls.find((c) => c.method === 'views.open' && c.args.trigger_id === triggerId)!;
  if (!open.ok) throw new Error(`views.open failed: ${open.error}`);
  const view = [...slack.views.values()].find((v) => v.triggerId === triggerId)!;
  const submitted = await stack.driver.submitView(
    { ...view.view, id: view.id },
    {
      target: { target: state.select(fields.target ?? 'sandbox') },
      connection_type: { connection_type_picked: state.select('https') },
      connection_name: { name: state.text(fields.name) },
      https_url: { url: state.text(fields.url) },
      https_headers: { headers: state.text(fields.headers ?? null) },
    },
    { user },
  );
  if (submitted.status !== 200) throw new Error(`view_submission answered ${submitted.status}`);
  return submitted.json();
}

/** Submits a valid form and waits for its request card to be posted. */
export async function createHttpsRequest(
  stack: Stack,
  fields: { name: string; url: string; headers?: string },
  user: string = WORLD.requester,
): Promise<CardMessage> {
  const { slack } = stack.world;
  const ack = await submitHttpsForm(stack, fields, user);
  if (ack !== undefined) throw new Error(`form refused: ${JSON.stringify(ack)}`);
  await slack.waitFor(() => cardFor(stack, fields.name) !== undefined);
  return cardFor(stack, fields.name)!;
}

export function cardFor(stack: Stack, connectionName: string): CardMessage | undefined {
  const m = stack.world.slack.messages.find((msg) => !msg.threadTs && msg.channel === WORLD.channel && msg.text.includes(`connection ${connectionName} `));
  return m ? { channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks as unknown[] } : undefined;
}

export function threadTexts(stack: Stack, card: CardMessage): string[] {
  return stack.world.slack.thread(card.channel, card.ts).map((m) => m.text);
}

/**
 * Another replica of `stack`'s app on one PostgreSQL (`databaseUrl`): the same world and config, a
 * silent log, not listening (the test runs its scans). The caller stops it.
 */
export async function secondReplica(stack: Stack, databaseUrl: string, now?: () => Date): Promise<SpconnApp> {
  return buildApp({
    config: stack.world.config,
    slack: { botToken: stack.world.botToken, signingSecret: stack.world.signingSecret, apiUrl: stack.world.slack.url },
    secretsManager: stack.world.secretsManagerClient(),
    sealer: new Sealer(randomBytes(32)),
    store: await openStore({ dataDir: stack.dataDir, databaseUrl }),
    logger: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) }),
    ...(now ? { now } : {}),
  });
}
