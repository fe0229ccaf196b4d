// Small Block Kit constructors shared by the builders, typed with @slack/types.
import type { Block, KnownBlock, PlainTextElement, PlainTextOption } from '@slack/types';

export type AnyBlock = KnownBlock | Block;

export const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text, emoji: true });

export const option = (text: string, value: string): PlainTextOption => ({ text: plain(truncate(text, 75)), value });

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escapes text for mrkdwn, so user input cannot mention @channel or forge links. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function textInput(opts: {
  blockId: string;
  actionId: string;
  label: string;
  hint?: string;
  placeholder?: string;
  multiline?: boolean;
  optional?: boolean;
  maxLength?: number;
  initial?: string;
}): KnownBlock {
  return {
    type: 'input',
    block_id: opts.blockId,
    optional: opts.optional ?? false,
    label: plain(opts.label),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: opts.actionId,
      multiline: opts.multiline ?? false,
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
      ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
      ...(opts.initial ? { initial_value: opts.initial } : {}),
    },
  };
}
