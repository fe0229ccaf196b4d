// The create form: target, connection name, then the chosen type's own fields.
import type { View } from '@slack/types';
import { z } from 'zod';
import type { Target } from '../config/file.js';
import type { AnyConnectionType } from '../connections/index.js';
import { option, plain, textInput } from './blocks.js';

export const CREATE_CALLBACK = 'create_connection';
export const CREATE_BLOCKS = { target: 'target', name: 'connection_name' } as const;
export const CREATE_ACTIONS = { target: 'target', name: 'name' } as const;

export const createMetadataSchema = z.object({ type: z.string(), channelId: z.string() });
export type CreateMetadata = z.infer<typeof createMetadataSchema>;

export function createModal(type: AnyConnectionType, targets: readonly Target[], meta: CreateMetadata): View {
  const targetOptions = targets.slice(0, 100).map((t) => option(`${t.name} (${t.instance})`, t.name));
  const first = targetOptions[0];
  return {
    type: 'modal',
    callback_id: CREATE_CALLBACK,
    private_metadata: JSON.stringify(meta),
    title: plain(`New ${type.label} connection`.slice(0, 24)),
    submit: plain('Request'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: CREATE_BLOCKS.target,
        label: plain('Target'),
        hint: plain('The Atlas project and stream processing instance'),
        element: {
          type: 'static_select',
          action_id: CREATE_ACTIONS.target,
          options: targetOptions,
          ...(targetOptions.length === 1 && first ? { initial_option: first } : {}),
        },
      },
      textInput({
        blockId: CREATE_BLOCKS.name,
        actionId: CREATE_ACTIONS.name,
        label: 'Connection name',
        hint: 'Letters, digits, "-" and "_", at most 64 characters. Pipelines refer to the connection by this name.',
        placeholder: 'orders-api',
        maxLength: 64,
      }),
      ...type.formBlocks(),
      ...(type.notes ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: type.notes }] }] : []),
    ],
  };
}

export const CONNECTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function connectionNameError(name: string): string | undefined {
  if (name === '') return 'Enter a name for the connection.';
  if (name.length > 64) return `The name is ${name.length} characters; Atlas allows at most 64.`;
  if (!CONNECTION_NAME.test(name)) return 'Use only letters, digits, "-" and "_" (no spaces, dots or other characters).';
  return undefined;
}
