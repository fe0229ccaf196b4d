// The app is SIGKILLed once at every step of a Private Link setup and started again on the same
// data: each run ends with exactly one link and one connection in Atlas.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';
import { startAppProcess, type AppProcess } from '../support/appProcess.js';
import { privateLinkValues } from '../support/privateLink.js';
import { SlackDriver, state } from '../support/slackDriver.js';

let world: World | undefined;
let app: AppProcess | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await app?.kill();
  await world?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  app = world = dataDir = undefined;
});

type KillPoint = { atlas: string; after?: string } | { prompt: true };
const POINTS: Array<[string, KillPoint]> = [
  ['after listing links', { atlas: 'listPrivateLinks' }],
  ['after reading the account ID', { atlas: 'getAccountDetails' }],
  ['while waiting for Done', { prompt: true }],
  ['after Atlas created the link, before the app heard', { atlas: 'createPrivateLink' }],
  // Waiting setups poll through one list of the project's links (or the instance's connections).
  ['while polling the link', { atlas: 'listPrivateLinks', after: 'createPrivateLink' }],
  ['after Atlas created the connection, before the app heard', { atlas: 'createConnection' }],
  ['while waiting for the connection to be READY', { atlas: 'listConnections', after: 'createConnection' }],
];

describe('a Private Link setup survives SIGKILL', () => {
  it.each(POINTS)('%s', async (_, point) => {
    world = await startWorld({
      configPatch: (raw) => {
        raw.privateLink = { pollMin: '50ms', pollMax: '200ms', linkTimeout: '60s', connectionTimeout: '60s' };
      },
      atlas: { privateLinkReadyAfterPolls: 3, connectionReadyAfterPolls: 3 },
    });
    dataDir = mkdtempSync(join(tmpdir(), 'spconn-crash-'));
    const key = randomBytes(32).toString('base64');
    const { slack, atlas } = world;
    app = await startAppProcess(world, dataDir, key);
    let driver = new SlackDriver(app.url, world.signingSecret, WORLD.team);

    let killed = false;
    const first = app;
    if ('atlas' in point) {
      atlas.afterHandle = (call) => {
        // Lists happen before the create too (the look for an existing link): wait for the create.
        const due = point.after === undefined || atlas.count(point.after) > 0;
        if (!killed && due && call.operation === point.atlas && call.authenticated) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      };
    }

    // Request and approve, as people do.
    const trigger = slack.issueTriggerId();
    await driver.command('create privatelink', { user: WORLD.requester, channel: WORLD.channel, triggerId: trigger });
    await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === trigger));
    const view = [...slack.views.values()].find((v) => v.triggerId === trigger)!;
    const values = { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select('privatelink') }, ...privateLinkValues('crash-pl', 'dedicated') };
    expect((await driver.submitView({ ...view.view, id: view.id }, values, { user: WORLD.requester })).status).toBe(200);
    await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.includes('crash-pl')));
    const cardTs = slack.messages.find((m) => !m.threadTs && m.text.includes('crash-pl'))!.ts;
    const card = () => {
      const m = slack.messages.find((msg) => msg.ts === cardTs)!;
      return { channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks };
    };
    await driver.clickButton(card(), 'request_approve', { user: WORLD.owner });

    // The card carries Done while the setup waits for a person; each step's Done is pressed once.
    const pressed = new Set<string>();
    const waitingStep = () => {
      const buttons = (card().blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>).flatMap((b) => b.elements ?? []);
      return buttons.find((e) => e.action_id === 'privatelink_done')?.value?.split(':')[1];
    };
    const done = () => slack.thread(cardTs.length ? card().channel : '', cardTs).some((m) => /^:(white_check_mark|x): <@/.test(m.text));
    const pressDone = async () => {
      const step = waitingStep();
      if (!step || pressed.has(step)) return false;
      pressed.add(step);
      await driver.clickButton(card(), 'privatelink_done', { user: WORLD.requester });
      return true;
    };

    if ('prompt' in point) {
      await slack.waitFor(() => waitingStep() !== undefined, 20_000);
      killed = true;
      await first.kill();
    } else {
      for (;;) {
        // Two emulators, two event sources: the kill is seen by Atlas's, a new Done by Slack's.
        await Promise.race([atlas.waitFor(() => killed, 20_000), slack.waitFor(() => killed || (waitingStep() !== undefined && !pressed.has(waitingStep()!)), 20_000)]);
        if (killed) break;
        await pressDone();
      }
    }
    await first.exited;
    expect(killed).toBe(true);
    expect(first.child.signalCode).toBe('SIGKILL');

    app = await startAppProcess(world, dataDir, key);
    driver = new SlackDriver(app.url, world.signingSecret, WORLD.team);
    while (!done()) {
      await slack.waitFor(() => done() || (waitingStep() !== undefined && !pressed.has(waitingStep()!)), 30_000).catch((e) => {
        if (process.env.DEBUG_CRASH) console.log(JSON.stringify({ thread: slack.thread(card().channel, cardTs).map((m) => m.text), calls: atlas.calls.filter((c) => c.authenticated).map((c) => `${c.operation}:${c.status}`), out: app?.output.slice(-15) }, null, 1));
        throw e;
      });
      if (!done()) await pressDone();
    }

    const thread = slack.thread(card().channel, cardTs).map((m) => m.text);
    expect(thread.at(-1)).toMatch(/is READY over Private Link/);
    expect(atlas.privateLinks(WORLD.projectId)).toHaveLength(1);
    expect(atlas.connections(WORLD.projectId, WORLD.instance)).toHaveLength(1);
    expect(atlas.count('createPrivateLink')).toBe(1);
    expect(atlas.count('createConnection')).toBe(1);
  }, 90_000);
});
