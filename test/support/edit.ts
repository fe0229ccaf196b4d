// Driving `/spconn edit` as a person would: open the form (filled from Atlas), submit it with a few
// fields changed. Shared by the edit tests.
import { expect } from 'vitest';
import type { ViewStateValues } from './slackDriver.js';
import { state, WORLD, type Stack } from './stack.js';

/** Puts a connection in the sandbox instance as if it had been made outside spconn. */
export function seedConnection(stack: Stack, connection: Record<string, unknown>): void {
  stack.world.atlas.connections(WORLD.projectId, WORLD.instance).push({ id: '65a000000000000000000001', state: 'READY', ...connection });
}

export function storedConnection(stack: Stack, name: string) {
  return stack.world.atlas.connections(WORLD.projectId, WORLD.instance).find((c) => c.name === name);
}

/** Runs `/spconn edit …` and returns the filled form once it replaced the loading notice. */
export async function openEdit(stack: Stack, text: string) {
  const { slack } = stack.world;
  const triggerId = slack.issueTriggerId();
  expect((await stack.driver.command(text, { user: WORLD.requester, channel: WORLD.channel, triggerId })).status).toBe(200);
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === triggerId && v.updates > 0));
  const view = [...slack.views.values()].find((v) => v.triggerId === triggerId)!;
  return { ...view.view, id: view.id, hash: view.hash, blocks: view.view.blocks as unknown[], private_metadata: String(view.view.private_metadata ?? ''), callback_id: String(view.view.callback_id ?? '') };
}

export type OpenedView = Awaited<ReturnType<typeof openEdit>>;

/** What Slack would submit: every input's initial value, then the person's changes. */
export function submitted(view: OpenedView, changes: ViewStateValues): ViewStateValues {
  const values: ViewStateValues = {};
  for (const block of view.blocks as Array<{ type: string; block_id?: string; element?: Record<string, unknown> }>) {
    if (block.type !== 'input' || !block.block_id || !block.element) continue;
    const action = String(block.element.action_id);
    const el = block.element;
    values[block.block_id] = {
      [action]:
        el.type === 'plain_text_input'
          ? state.text(typeof el.initial_value === 'string' ? el.initial_value : null)
          : el.type === 'external_select'
            ? state.external((el.initial_option as { value?: string } | undefined)?.value ?? null)
            : state.select((el.initial_option as { value?: string } | undefined)?.value ?? null),
    };
  }
  return { ...values, ...changes };
}

/** Submits the edit form as the requester; the ack's body (inline errors), if any. */
export async function submitEdit(stack: Stack, view: OpenedView, values: ViewStateValues) {
  const res = await stack.driver.submitView(view, values, { user: WORLD.requester });
  expect(res.status).toBe(200);
  return res.json() as { response_action?: string; errors?: Record<string, string> } | undefined;
}
