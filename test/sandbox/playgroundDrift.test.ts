// The playground's "Change from outside": a person changes a connection in the Atlas UI, and the
// drift alert appears in the playground's channel, once per change.
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { WORLD } from '../../src/sandbox/world.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

it('makes an outside change and shows its drift alert in the channel', async () => {
  sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 }, logger: createLogger({ level: 'silent' }), banner: false });
  const api = async (body: unknown) => {
    const res = await fetch(`${sandbox!.playgroundUrl}api/atlas/outside-change`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const alerts = () => sandbox!.world.slack.messages.filter((m) => m.channel === WORLD.channel && m.text.includes('Drift in')).map((m) => m.text);

  expect((await api({ action: 'create', name: 'shadow-hook', url: 'https://example.com/hook' })).body).toMatchObject({ ok: true, status: 200, posted: 1 });
  expect((await api({ action: 'update', name: 'shadow-hook', url: 'https://example.com/other' })).body).toMatchObject({ posted: 1 });
  expect((await api({ action: 'delete', name: 'shadow-hook' })).body).toMatchObject({ status: 202, posted: 1 });
  expect(alerts()).toEqual([
    expect.stringMatching(/`shadow-hook`.*\*created\* outside spconn by \*alex@example\.com\*/),
    expect.stringMatching(/`shadow-hook`.*\*updated\*/),
    expect.stringMatching(/`shadow-hook`.*\*deleted\*/),
  ]);
  // Atlas's refusal is shown, not an alert.
  expect((await api({ action: 'delete', name: 'shadow-hook' })).body).toMatchObject({ status: 404, posted: 0 });
  expect((await api({ action: 'create', name: 'x', url: 'http://plain.example' })).status).toBe(400);
  expect(alerts()).toHaveLength(3);
});
