// The edit form: the connection's type and its fields filled with Atlas's current definition, the
// secret fields empty ("leave empty to keep"). Choosing another type rebuilds it as a replace.
import type { View } from '@slack/types';
import { z } from 'zod';
import type { Target } from '../config/file.js';
import { CONNECTION_TYPES, type AnyConnectionType } from '../connections/index.js';
import { REQUEST_ID_PATTERN } from '../logContext.js';
import { escapeMrkdwn, option, plain, type AnyBlock } from './blocks.js';
import { CREATE_ACTIONS, CREATE_BLOCKS, withTypedValues } from './createModal.js';
import type { ViewStateValues } from './viewState.js';

export const EDIT_CALLBACK = 'edit_connection';
/** The type menu has its own action, so picking a type here rebuilds this form, not the create form. */
export const EDIT_BLOCKS = { type: 'edit_connection_type' } as const;
export const EDIT_ACTIONS = { type: 'edit_connection_type_picked' } as const;

export const editMetadataSchema = z.object({
  channelId: z.string(),
  requestId: z.string().regex(REQUEST_ID_PATTERN).optional(),
  target: z.string(),
  name: z.string(),
  /** The type Atlas has now (Atlas's word, e.g. `Kafka`). */
  atlasType: z.string(),
});
export type EditMetadata = z.infer<typeof editMetadataSchema>;

const KEEP_HINT = 'Leave empty to keep what Atlas has (Atlas never shows secrets, so they start empty).';

export function editModal(type: AnyConnectionType, target: Target, meta: EditMetadata, values: ViewStateValues): View {
  const replacing = type.atlasType !== meta.atlasType;
  const typeOptions = CONNECTION_TYPES.filter((t) => !t.privateLinkPlan && t.formFromConnection).map((t) => option(t.label, t.id));
  const blocks: AnyBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Editing \`${escapeMrkdwn(meta.name)}\` in *${escapeMrkdwn(target.name)}* (${escapeMrkdwn(target.instance)}). Only the fields you change are sent to Atlas, after an owner approves.`,
      },
    },
    // The target is fixed; a one-option menu keeps it in the form's state for the type's menus.
    {
      type: 'input',
      block_id: CREATE_BLOCKS.target,
      label: plain('Target'),
      element: { type: 'static_select', action_id: CREATE_ACTIONS.target, options: [option(`${target.name} (${target.instance})`, target.name)], initial_option: option(`${target.name} (${target.instance})`, target.name) },
    },
    {
      type: 'input',
      block_id: EDIT_BLOCKS.type,
      dispatch_action: true,
      label: plain('Connection type'),
      hint: plain('Atlas cannot change a type in place: another type replaces the connection.'),
      element: { type: 'static_select', action_id: EDIT_ACTIONS.type, options: typeOptions, initial_option: option(type.label, type.id) },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: replacing
            ? `:warning: *This is a REPLACE.* Atlas cannot change a connection's type or networking in place, so spconn deletes \`${escapeMrkdwn(meta.name)}\` and creates it again with the same name. Pipelines that use it stop meanwhile; a STARTED stream processor blocks it. Every field, secrets too, must be filled in.`
            : 'A change of networking cannot be made in place either: such a request becomes a REPLACE (delete, then create with the same name), and the card says so. Networking this form does not show (Private Link) is kept.',
        },
      ],
    },
    ...type.formBlocks().map((block) => keepable(block, values, replacing)),
  ];
  if (type.notes) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: type.notes }] });
  return {
    type: 'modal',
    callback_id: EDIT_CALLBACK,
    private_metadata: JSON.stringify(meta),
    title: plain(replacing ? 'Replace connection' : 'Edit connection'),
    submit: plain('Request'),
    close: plain('Cancel'),
    blocks: withTypedValues(blocks, values),
  };
}

/**
 * A text field Atlas gave no value for (a secret, or an optional field left unset) may stay empty
 * in an edit: it then keeps what Atlas has. A replace creates anew, so its fields stay as they are.
 */
function keepable(block: AnyBlock, values: ViewStateValues, replacing: boolean): AnyBlock {
  if (replacing || block.type !== 'input' || !block.block_id || !('element' in block)) return block;
  const element = block.element as unknown as Record<string, unknown>;
  if (element.type !== 'plain_text_input') return block;
  const filled = values[block.block_id]?.[String(element.action_id)]?.value;
  if (typeof filled === 'string' && filled !== '') return block;
  const hint = block.hint ? `${block.hint.text} ${KEEP_HINT}` : KEEP_HINT;
  return { ...block, optional: true, hint: plain(hint.slice(0, 150)) } as AnyBlock;
}

/** A modal that only says something (loading, or why the connection cannot be edited). */
export function editNoticeModal(title: string, text: string): View {
  return { type: 'modal', title: plain(title.slice(0, 24)), close: plain('Close'), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
