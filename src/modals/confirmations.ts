// The "are you sure" dialogs (Block Kit `confirm`) on buttons that cannot be taken back: Approve on a
// request whose call destroys something, and Cancel. Data-driven by the request's action, so a new
// kind of call (`replace`) asks as soon as it exists. The card and the Home tab both use these.
import type { ConfirmationDialog } from '@slack/types';
import { plain, truncate } from './blocks.js';

/** What an owner is asked before approving a request of each action; actions not listed approve at once. */
const APPROVE_CONFIRMATIONS: Readonly<Record<string, { title: string; text: (name: string, instance: string) => string; confirm: string }>> = {
  delete: {
    title: 'Delete this connection?',
    text: (name, instance) => `spconn will delete ${name} from ${instance} in Atlas. Processors that use it will stop working. This cannot be undone.`,
    confirm: 'Approve and delete',
  },
  replace: {
    title: 'Replace this connection?',
    text: (name, instance) => `spconn will replace ${name} in ${instance}: the connection is deleted and created again with the new settings. Processors that use it are interrupted.`,
    confirm: 'Approve and replace',
  },
};

/** The actions whose Approve asks first. */
export const ACTIONS_CONFIRMED_ON_APPROVE: readonly string[] = Object.keys(APPROVE_CONFIRMATIONS);

/** The `confirm` of an Approve button, or undefined when the request's action needs none. */
export function approveConfirmation(action: string, connectionName: string, instance: string): ConfirmationDialog | undefined {
  const ask = Object.hasOwn(APPROVE_CONFIRMATIONS, action) ? APPROVE_CONFIRMATIONS[action] : undefined;
  if (!ask) return undefined;
  return { title: plain(ask.title), text: plain(truncate(ask.text(connectionName, instance), 300)), confirm: plain(ask.confirm), deny: plain('Back'), style: 'danger' };
}

/** The `confirm` of a requester's Cancel button. */
export function cancelConfirmation(connectionName: string): ConfirmationDialog {
  return {
    title: plain('Cancel this request?'),
    text: plain(truncate(`Your request for ${connectionName} will be withdrawn; the owners can no longer approve it. You can submit it again later.`, 300)),
    confirm: plain('Cancel request'),
    deny: plain('Keep it'),
    style: 'danger',
  };
}
