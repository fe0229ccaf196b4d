// The modal an owner fills in to reject a request: an optional reason for the requester.
import type { View } from '@slack/types';
import { plain, textInput } from './blocks.js';

export const REJECT_CALLBACK = 'reject_request';
export const REJECT_BLOCKS = { reason: 'reject_reason' } as const;
export const REJECT_ACTIONS = { reason: 'reason' } as const;

export function rejectModal(requestId: string, connectionName: string): View {
  return {
    type: 'modal',
    callback_id: REJECT_CALLBACK,
    private_metadata: requestId,
    title: plain('Reject request'),
    submit: plain('Reject'),
    close: plain('Back'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `Reject the request for \`${connectionName}\`? The requester sees your reason in the thread.` } },
      textInput({ blockId: REJECT_BLOCKS.reason, actionId: REJECT_ACTIONS.reason, label: 'Reason', optional: true, multiline: true, maxLength: 1000 }),
    ],
  };
}
