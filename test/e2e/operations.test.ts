// Operating the app: health and readiness, and a SIGTERM that finishes in-flight work, hands its
// leases back and exits within 10 s.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';
import { startAppProcess, type AppProcess } from '../support/appProcess.js';
import { requestHttpsThrough } from '../support/processRequests.js';
import { SlackDriver } from '../support/slackDriver.js';

let world: World;
let app: AppProcess;
let dataDir: string;
beforeAll(async () => {
  world = await startWorld();
  dataDir = mkdtempSync(join(tmpdir(), 'spconn-ops-'));
  app = await startAppProcess(world, dataDir, randomBytes(32).toString('base64'));
});
afterAll(async () => {
  await app?.kill();
  await world?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('answers /healthz and /readyz', async () => {
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${app.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.text()).toBe('ready');
  expect((await fetch(`${app.url}/nope`)).status).toBe(404);
});

it('stops on SIGTERM within 10 s after finishing the Atlas call in flight', async () => {
  const { slack, atlas } = world;
  const driver = new SlackDriver(app.url, world.signingSecret, WORLD.team);
  // An approval whose Atlas call is slow is in flight when SIGTERM arrives.
  const card = await requestHttpsThrough(world, driver, 'slow-one');
  atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 200, delayMs: 1_500 });
  await driver.clickButton({ channel: card.channel, ts: card.ts, text: card.text, blocks: card.blocks }, 'request_approve', { user: WORLD.owner });
  await atlas.waitFor(() => atlas.calls.some((c) => c.method === 'POST' && c.path.endsWith('/connections') && c.authenticated));

  const t0 = Date.now();
  app.child.kill('SIGTERM');
  const code = await app.exited;
  expect(code).toBe(0);
  expect(Date.now() - t0).toBeLessThan(10_000);
  // The call in flight was finished and reported, not abandoned.
  expect(atlas.connections(WORLD.projectId, WORLD.instance).map((c) => c.name)).toEqual(['slow-one']);
  expect(slack.thread(card.channel, card.ts).some((m) => m.text.includes('ready to use'))).toBe(true);
});

it('on SIGTERM waits through an Atlas retry back-off, finishes the request and hands its lease back', async () => {
  const { slack, atlas } = world;
  app = await startAppProcess(world, dataDir, randomBytes(32).toString('base64'));
  const driver = new SlackDriver(app.url, world.signingSecret, WORLD.team);
  const card = await requestHttpsThrough(world, driver, 'backing-off');
  // Atlas asks for 2 s: the client is waiting to retry, with nothing but a timer pending.
  atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 429, retryAfterSeconds: 2 });
  await driver.clickButton({ channel: card.channel, ts: card.ts, text: card.text, blocks: card.blocks }, 'request_approve', { user: WORLD.owner });
  await atlas.waitFor(() => atlas.calls.some((c) => c.method === 'POST' && c.path.endsWith('/connections') && c.status === 429));

  app.child.kill('SIGTERM');
  expect(await app.exited).toBe(0);
  expect(atlas.connections(WORLD.projectId, WORLD.instance).map((c) => c.name)).toContain('backing-off');
  expect(slack.thread(card.channel, card.ts).some((m) => m.text.includes('ready to use'))).toBe(true);
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'spconn.sqlite'), { readonly: true });
  const row = db.prepare("select state, lease_owner from requests where connection_name = 'backing-off'").get();
  db.close();
  expect(row).toEqual({ state: 'succeeded', lease_owner: null });
});
