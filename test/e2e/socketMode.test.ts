// Socket Mode (SLACK_APP_TOKEN): the same handlers, fed over the WebSocket Slack opens for the app
// instead of HTTP; inline errors travel back in the acknowledgement.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../src/sandbox/world.js';
import { startAppProcess, type AppProcess } from '../support/appProcess.js';
import { SocketModeDriver } from '../support/socketDriver.js';
import { createHttpsRequest, startStack, submitHttpsForm, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
let world: World | undefined;
let app: AppProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  await stack?.stop();
  await app?.kill();
  await world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  stack = world = app = dir = undefined;
});

describe('Socket Mode', () => {
  it('runs a request from the form to Atlas over the socket, with inline errors in the ack', async () => {
    stack = await startStack({ socketMode: true });
    const s = stack;
    const { slack, atlas } = s.world;
    expect(slack.socketMode.connections).toBe(1);
    // No HTTP endpoint for Slack in this mode: only health and metrics are served.
    expect((await fetch(`${s.driver.appUrl}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(404);

    const refused = (await submitHttpsForm(s, { name: 'orders-api', url: 'http://api.example.com/orders' })) as { response_action: string; errors: Record<string, string> };
    expect(refused.response_action).toBe('errors');
    expect(Object.values(refused.errors).join(' ')).toMatch(/https/i);

    const canary = 'CANARY-socket-2b7e41';
    const card = await createHttpsRequest(s, { name: 'orders-api', url: 'https://api.example.com/orders', headers: `X-Api-Key: ${canary}` });
    await s.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(s, card).some((t) => t.includes('ready to use')));
    expect(atlas.connections(WORLD.projectId, WORLD.instance).map((c) => c.name)).toEqual(['orders-api']);
    // The socket client logs whole envelopes at debug level; none of that may reach the logs.
    expect(s.logs.join('\n')).not.toContain(canary);
    expect(s.logs.some((l) => l.includes('"msg":"Slack request"') && l.includes('"kind":"view_submission"'))).toBe(true);

    const metrics = await (await fetch(`${s.driver.appUrl}/metrics`)).text();
    expect(metrics).toMatch(/^spconn_slack_requests_total\{kind="slash_command",outcome="ok"\} 2$/m);
    expect(metrics).toMatch(/^spconn_slack_requests_total\{kind="block_actions",outcome="ok"\} 1$/m);
  });

  it('reconnects when Slack asks it to, and keeps serving', async () => {
    stack = await startStack({ socketMode: true });
    const { slack } = stack.world;
    const opened = slack.count('apps.connections.open');
    slack.socketMode.refresh();
    await slack.waitFor(() => slack.count('apps.connections.open') > opened && slack.socketMode.connections === 1, 10_000);
    const res = await stack.driver.command('help', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    expect(res.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/spconn create') });
  });

  it('starts from the environment with SLACK_APP_TOKEN and no signing secret, and closes the socket on SIGTERM', async () => {
    world = await startWorld();
    dir = mkdtempSync(join(tmpdir(), 'spconn-socket-'));
    app = await startAppProcess(world, dir, randomBytes(32).toString('base64'), { SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: world.appToken });
    const { slack } = world;
    expect(app.output.join('\n')).toContain('Socket Mode');
    expect(slack.socketMode.connections).toBe(1);
    const driver = new SocketModeDriver(app.url, slack.socketMode, WORLD.team);
    const res = await driver.command('help', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    expect(res.json()).toMatchObject({ response_type: 'ephemeral' });
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    await slack.waitFor(() => slack.socketMode.connections === 0);
  });

  it('refuses to start with an app token Slack does not accept, and says so', async () => {
    world = await startWorld();
    dir = mkdtempSync(join(tmpdir(), 'spconn-socket-'));
    const started = startAppProcess(world, dir, randomBytes(32).toString('base64'), { SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: `xapp-${'fake-and-not-the-emulators-token'}` });
    await expect(started).rejects.toThrow(/invalid_auth/);
  });
});
