// The playground's "Skip ahead": it moves the sandbox app's clock, so a newcomer sees a pending
// request's reminder and its escalation to Lena without waiting hours.
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { WORLD } from '../../src/sandbox/world.js';
import type { WorkspaceSnapshot } from '../../src/sandbox/playground/workspace.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

const plain = (text: string) => ({ type: 'plain_text', text });
const select = (value: string) => ({ type: 'static_select', selected_option: { text: plain(value), value } });
const text = (value: string) => ({ type: 'plain_text_input', value });

it('skips ahead to a reminder and then to the escalation, and names the escalation person', async () => {
  sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 }, logger: createLogger({ level: 'silent' }), banner: false });
  const { slack } = sandbox.world;
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${sandbox!.playgroundUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const people = (await (await fetch(`${sandbox.playgroundUrl}api/people`)).json()) as { people: { id: string; name: string; role: string }[] };
  expect(people.people).toContainEqual({ id: WORLD.lead, name: 'Lena', role: 'escalation' });

  expect((await api('api/command', { as: WORLD.requester, text: '/spconn create https' })).status).toBe(200);
  await slack.waitFor(() => slack.views.size === 1);
  const { modal } = (await (await fetch(`${sandbox.playgroundUrl}api/state?as=${WORLD.requester}`)).json()) as WorkspaceSnapshot;
  const values = {
    target: { target: select('sandbox') },
    connection_type: { connection_type_picked: select('https') },
    connection_name: { name: text('skip-ahead') },
    https_url: { url: text('https://x.example/hook') },
  };
  expect((await api('api/view-submit', { as: WORLD.requester, viewId: modal!.viewId, values })).status).toBe(200);
  await slack.waitFor(() => slack.messages.some((m) => /needs an owner/.test(m.text)));
  const thread = () => slack.messages.filter((m) => m.threadTs).map((m) => m.text);

  expect((await api('api/clock/skip', { hours: 4 })).body).toEqual({ ok: true, posted: 1, expired: 0, skippedMs: 4 * 3_600_000 });
  expect(thread().filter((t) => t.includes('reminder'))).toHaveLength(1);
  expect((await api('api/clock/skip', { hours: 4 })).body).toMatchObject({ posted: 2 });
  expect(thread().some((t) => t.includes(`<@${WORLD.lead}> this request for *sandbox* has waited past its escalation time`))).toBe(true);
  expect((await api('api/clock/skip', { hours: 48 })).status).toBe(400);
});
