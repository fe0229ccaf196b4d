// The create form: target, connection type, name, then the chosen type's own fields. Choosing
// another type rebuilds the form with what was already typed carried over.
import type { View } from '@slack/types';
import { z } from 'zod';
import type { Target } from '../config/file.js';
import { REQUEST_ID_PATTERN } from '../logContext.js';
import { CONNECTION_TYPES, type AnyConnectionType } from '../connections/index.js';
import { option, plain, textInput, truncate, type AnyBlock } from './blocks.js';
import type { ViewStateValues } from './viewState.js';

export const CREATE_CALLBACK = 'create_connection';
export const CREATE_BLOCKS = { target: 'target', type: 'connection_type', name: 'connection_name' } as const;
export const CREATE_ACTIONS = { target: 'target', type: 'connection_type_picked', name: 'name' } as const;

export const createMetadataSchema = z.object({
  channelId: z.string(),
  /** Chosen when the form opens, so logs follow the request from its slash command on. */
  requestId: z.string().regex(REQUEST_ID_PATTERN).optional(),
});
export type CreateMetadata = z.infer<typeof createMetadataSchema>;

export function createModal(type: AnyConnectionType | undefined, targets: readonly Target[], meta: CreateMetadata, typed: ViewStateValues = {}): View {
  const targetOptions = targets.slice(0, 100).map((t) => option(`${t.name} (${t.instance})`, t.name));
  const onlyTarget = targetOptions.length === 1 ? targetOptions[0] : undefined;
  const typeOptions = CONNECTION_TYPES.map((t) => option(t.label, t.id));
  const chosenType = type ? typeOptions.find((o) => o.value === type.id) : undefined;
  const blocks: AnyBlock[] = [
    {
      type: 'input',
      block_id: CREATE_BLOCKS.target,
      label: plain('Target'),
      hint: plain('The Atlas project and stream processing instance'),
      element: { type: 'static_select', action_id: CREATE_ACTIONS.target, options: targetOptions, ...(onlyTarget ? { initial_option: onlyTarget } : {}) },
    },
    {
      type: 'input',
      block_id: CREATE_BLOCKS.type,
      dispatch_action: true,
      label: plain('Connection type'),
      element: { type: 'static_select', action_id: CREATE_ACTIONS.type, options: typeOptions, ...(chosenType ? { initial_option: chosenType } : {}) },
    },
    // A type named by its own fields (Sample: the data set) has no name to type.
    ...(type?.namedBy
      ? []
      : [
          textInput({
            blockId: CREATE_BLOCKS.name,
            actionId: CREATE_ACTIONS.name,
            label: 'Connection name',
            hint: 'Letters, digits, "-" and "_", at most 64 characters. Pipelines refer to the connection by this name.',
            placeholder: 'orders-api',
            maxLength: 64,
          }),
        ]),
  ];
  if (type) {
    blocks.push(...type.formBlocks());
    if (type.notes) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: type.notes }] });
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Choose a connection type to see its fields.' }] });
  }
  return {
    type: 'modal',
    callback_id: CREATE_CALLBACK,
    private_metadata: JSON.stringify(meta),
    title: plain(type ? modalTitle(type.label) : 'New connection'),
    submit: plain('Request'),
    close: plain('Cancel'),
    blocks: withTypedValues(blocks, typed),
  };
}

/** Slack cuts modal titles at 24 characters: the longest of these that fits. */
function modalTitle(label: string): string {
  return [`New ${label} connection`, `New ${label}`].find((t) => t.length <= 24) ?? truncate(label, 24);
}

/** Puts what the user typed back into a rebuilt form, so switching type loses nothing. */
export function withTypedValues(blocks: AnyBlock[], typed: ViewStateValues): AnyBlock[] {
  return blocks.map((block) => {
    if (block.type !== 'input' || !('element' in block) || !block.block_id) return block;
    const element = block.element as unknown as Record<string, unknown>;
    const state = typed[block.block_id]?.[String(element.action_id)];
    if (!state) return block;
    if (element.type === 'plain_text_input' && typeof state.value === 'string' && state.value !== '') {
      return { ...block, element: { ...element, initial_value: state.value } } as AnyBlock;
    }
    const selected = state.selected_option?.value;
    if (element.type === 'static_select' && selected) {
      const match = (element.options as Array<{ value: string }> | undefined)?.find((o) => o.value === selected);
      if (match) return { ...block, element: { ...element, initial_option: match } } as AnyBlock;
    }
    if (element.type === 'external_select' && state.selected_option) {
      return { ...block, element: { ...element, initial_option: state.selected_option } } as AnyBlock;
    }
    return block;
  });
}

export const CONNECTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function connectionNameError(name: string): string | undefined {
  if (name === '') return 'Enter a name for the connection.';
  if (name.length > 64) return `The name is ${name.length} characters; Atlas allows at most 64.`;
  if (!CONNECTION_NAME.test(name)) return 'Use only letters, digits, "-" and "_" (no spaces, dots or other characters).';
  return undefined;
}
