// What the request lifecycle says in a card's thread, as pure functions of the request. Text from
// a person (a reject reason) or from Atlas is escaped here, where it enters mrkdwn.
import type { RequestEvent, RequestRow } from '../store/requestStore.js';
import { escapeMrkdwn, truncate } from './blocks.js';

export function approvedReply(approverId: string): string {
  return `Approved by <@${approverId}>. Calling Atlas…`;
}

/**
 * The one reply that tells how a request ended, posted at least once by the announcer.
 * `outcome` is spconn's own mrkdwn (whatever it quotes from Atlas was escaped where it was written);
 * `leftoverLink` names a Private Link a stopped setup created, which an owner may delete.
 */
export function outcomeReply(
  row: Pick<RequestRow, 'state' | 'requester_id'>,
  ending: Pick<RequestEvent, 'actor' | 'note'> | undefined,
  outcome: string | undefined,
  leftoverLink?: string,
): string {
  const by = ending && ending.actor !== 'spconn' ? ending.actor : undefined;
  const link = leftoverLink ? ` Private Link \`${escapeMrkdwn(leftoverLink)}\` was created for it and still exists; deleting it is an owner’s decision.` : '';
  switch (row.state) {
    case 'succeeded':
      return `:white_check_mark: <@${row.requester_id}> ${outcome ?? 'The request succeeded.'}`;
    case 'failed':
      return `:x: <@${row.requester_id}> ${outcome ?? 'The request failed.'}${link}`;
    case 'rejected': {
      const reason = ending?.note ? `: “${escapeMrkdwn(truncate(ending.note, 1000))}”` : '.';
      return `:no_entry: <@${row.requester_id}> your request was rejected${by ? ` by <@${by}>` : ''}${reason}`;
    }
    case 'expired':
      return `:zzz: <@${row.requester_id}> this request expired before an owner decided. Submit it again if it is still needed.`;
    case 'cancelled': {
      // The requester cancelling their own request needs no mention; anyone else's cancel does.
      const mention = by === row.requester_id ? '' : `<@${row.requester_id}> `;
      return `:heavy_multiplication_x: ${mention}Cancelled${by ? ` by <@${by}>` : ''}.${link}`;
    }
    default:
      return `The request is ${row.state}.`;
  }
}

/** A refusal told privately to the person whose click or submission did not apply. */
export function decisionNotApplied(message: string): string {
  return `Your decision was not recorded: ${message}`;
}
