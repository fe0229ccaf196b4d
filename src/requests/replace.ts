// Replacing a connection (a change Atlas cannot make in place: type or networking): delete it,
// wait until Atlas no longer has it, create the new definition under the same name. Exactly once,
// even across a crash between the two: once the old one is gone, a durable marker says so before
// the create; a resumed run reads the marker and looks in Atlas before acting.
import type { AtlasClient } from '../atlas/client.js';
import { createConnection, deleteConnection, getConnection, processorsUsing, type StreamsLocation } from '../atlas/streams.js';
import { startedProcessors } from '../connections/edits.js';
import { SpconnError } from '../errors.js';
import { escapeMrkdwn } from '../modals/blocks.js';
import type { RequestStore } from '../store/requestStore.js';
import type { StoredCall } from './calls.js';

/** The workflow row kind that marks "the old connection is gone" (no other state is kept). */
export const REPLACE_WORKFLOW = 'replace';
const DELETED = { step: 'replace_old_deleted' } as const;

export interface ReplaceOptions {
  /** How long to wait for Atlas to stop listing the old connection (default 5 minutes). */
  goneTimeoutMs?: number;
  /** Between looks (default 2 s). */
  pollMs?: number;
}

type ReplaceOutcome = { state: 'succeeded' | 'failed'; message: string; atlasState?: string };

export async function performReplace(
  store: RequestStore,
  atlas: AtlasClient,
  requestId: string,
  call: Extract<StoredCall, { kind: 'replace' }>,
  options: ReplaceOptions = {},
): Promise<ReplaceOutcome> {
  const { at, body } = call;
  const name = `\`${escapeMrkdwn(body.name)}\``;
  const marked = (await store.getWorkflow(requestId))?.kind === REPLACE_WORKFLOW;
  if (!marked) {
    // Not deleted yet (or deleted just before a crash, the marker unwritten): what Atlas has decides.
    const old = await getConnection(atlas, at, body.name);
    if (old) {
      const started = startedProcessors(await processorsUsing(atlas, at, body.name));
      if (started.length > 0) {
        return {
          state: 'failed',
          message: `Nothing was changed: stream processor${started.length > 1 ? 's' : ''} ${started.map((p) => `\`${escapeMrkdwn(p)}\``).join(', ')} ${started.length > 1 ? 'are' : 'is'} STARTED and use${started.length > 1 ? '' : 's'} ${name}. Stop ${started.length > 1 ? 'them' : 'it'} and ask again.`,
        };
      }
      await deleteConnection(atlas, at, body.name, { alreadyGoneIsSuccess: true });
    }
    const gone = await waitUntilGone(atlas, at, body.name, options);
    if (!gone) {
      return {
        state: 'failed',
        message: `Atlas accepted the delete of ${name} but still lists it after ${Math.round((options.goneTimeoutMs ?? 300_000) / 1000)} s; nothing new was created. Ask again once \`/spconn show ${escapeMrkdwn(body.name)}\` no longer finds it.`,
      };
    }
    await store.insertWorkflow(requestId, REPLACE_WORKFLOW, DELETED, null);
    const row = await store.getWorkflow(requestId);
    if (row) await store.saveWorkflow(requestId, row.version, DELETED, { active: false, nextRunAt: null });
  }
  // The old one is gone: a connection of this name now is the new one, created before a crash.
  try {
    const created = await createConnection(atlas, at, body, call.secretValues, { lookFirst: marked });
    const state = created.state;
    return {
      state: 'succeeded',
      ...(state ? { atlasState: state } : {}),
      message:
        state && state !== 'READY'
          ? `Connection ${name} is replaced (deleted and created again as ${escapeMrkdwn(body.type)}); its state is ${escapeMrkdwn(state)}. It can take a while to become READY.`
          : `Connection ${name} is replaced in ${escapeMrkdwn(at.instance)}: deleted and created again as ${escapeMrkdwn(body.type)}, ready to use.`,
    };
  } catch (err) {
    const why = err instanceof SpconnError ? err.userMessage : 'an unexpected error (an operator can find it in the logs)';
    const now = await getConnection(atlas, at, body.name).catch(() => 'unknown' as const);
    const exists =
      now === 'unknown'
        ? `spconn could not check what exists now; \`/spconn show ${escapeMrkdwn(body.name)}\` tells.`
        : now
          ? `Atlas has a connection ${name} now (${escapeMrkdwn(now.type)}, ${escapeMrkdwn(now.state ?? 'state unknown')}).`
          : `No connection ${name} exists in ${escapeMrkdwn(at.instance)} now: pipelines that use it fail until it is created again.`;
    throw new SpconnError('REPLACE_HALF_DONE', `The replace stopped half-way: the old connection ${name} is deleted, but creating the new one failed: ${why} ${exists}`, { cause: err });
  }
}

async function waitUntilGone(atlas: AtlasClient, at: StreamsLocation, name: string, options: ReplaceOptions): Promise<boolean> {
  const deadline = Date.now() + (options.goneTimeoutMs ?? 300_000);
  for (;;) {
    if (!(await getConnection(atlas, at, name))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2_000));
  }
}
