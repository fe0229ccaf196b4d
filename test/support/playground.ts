// One sandbox (the real app, the emulators and the playground's server) for the tests of a file,
// and the calls the playground's page makes to it.
import { afterAll, beforeAll, expect } from 'vitest';
import { createLogger } from '../../src/log.js';
import type { WorkspaceSnapshot } from '../../src/sandbox/playground/workspace.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { WORLD, type World } from '../../src/sandbox/world.js';

export const plain = (text: string) => ({ type: 'plain_text', text });
/** A static select's value in a submitted form. */
export const select = (value: string, label = value) => ({ type: 'static_select', selected_option: { text: plain(label), value } });
/** A text input's value in a submitted form. */
export const typed = (value: string) => ({ type: 'plain_text_input', value });

/** A message with the request card's buttons. */
export interface CardMessage {
  channel: string;
  ts: string;
  blocks?: unknown;
}

export interface TestPlayground {
  readonly world: World;
  /** POSTs to the playground's API as the page does; the answer must be 200. */
  api(path: string, body: unknown): Promise<unknown>;
  /** What the page shows a person. */
  snapshot(as: string): Promise<WorkspaceSnapshot>;
  /** Opens a form with a command, as the page does, and returns its view id. */
  open(command: string): Promise<string>;
  /** The owner clicks Approve on a request card. */
  approve(card: CardMessage): Promise<void>;
}

/** Starts a sandbox before the tests of the current file or `describe` and stops it after them. */
export function usePlayground(): TestPlayground {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({ env: { PORT: 0, SPCONN_PLAYGROUND_PORT: 0 }, logger: createLogger({ level: 'silent' }), banner: false });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  const started = (): Sandbox => {
    if (!sandbox) throw new Error('the playground is not running: usePlayground starts it in beforeAll');
    return sandbox;
  };
  const api = async (path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${started().playgroundUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return res.json();
  };
  const snapshot = async (as: string) => JSON.parse(await (await fetch(`${started().playgroundUrl}api/state?as=${as}`)).text()) as WorkspaceSnapshot;
  return {
    get world() {
      return started().world;
    },
    api,
    snapshot,
    async open(command) {
      const { slack } = started().world;
      const before = slack.count('views.open');
      await api('api/command', { as: WORLD.requester, text: command });
      await slack.waitFor(() => slack.count('views.open') === before + 1);
      return (await snapshot(WORLD.requester)).modal!.viewId;
    },
    async approve(card) {
      const block = (card.blocks as Array<{ block_id?: string; elements?: Array<{ action_id?: string }> }>).find((b) => b.elements?.some((e) => e.action_id === 'request_approve'))!;
      await api('api/message-action', { as: WORLD.owner, message: { channel: card.channel, ts: card.ts, ephemeral: false }, blockId: block.block_id, actionId: 'request_approve' });
    },
  };
}
