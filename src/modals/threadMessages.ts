// What the request lifecycle says in a card's thread, as pure functions of the request. Text from
// a person (a reject reason) or from Atlas is escaped here, where it enters mrkdwn.
import { mentionOf } from './mention.js';
import type { RequestEvent, RequestRow } from '../store/requestStore.js';
import { escapeMrkdwn, truncate } from './blocks.js';

export function approvedReply(approverId: string): string {
  return `Approved by <@${approverId}>. Calling Atlas…`;
}

/** An approval counted toward a quorum that is not met yet. */
export function partialApprovalReply(approverId: string, count: number, required: number): string {
  const left = required - count;
  return `<@${approverId}> approved: ${count} of ${required} approvals. ${left === 1 ? 'One more owner' : `${left} more owners`} must approve before spconn calls Atlas.`;
}

/** The approval that met the quorum. */
export function quorumApprovedReply(approverIds: readonly string[]): string {
  return `Approved by ${approverIds.map((id) => `<@${id}>`).join(', ')} (${approverIds.length} of ${approverIds.length} approvals). Calling Atlas…`;
}

/** A pending request's reminder to its owners (`approvals.remindAfter`). */
export function reminderReply(mentions: string, count: number, required: number): string {
  const progress = required > 1 ? ` It has ${count} of ${required} approvals.` : '';
  return `:bell: ${mentions} reminder: this request is still waiting for an owner's decision.${progress}`;
}

/** A pending request's escalation (`approvals.escalateAfter`). */
export function escalationReply(mentions: string, targetName: string): string {
  return `:rotating_light: ${mentions} this request for *${escapeMrkdwn(targetName)}* has waited past its escalation time; you may now approve or reject it as its owners can.`;
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
      return `:white_check_mark: ${mentionOf(row.requester_id)} ${outcome ?? 'The request succeeded.'}`;
    case 'failed':
      return `:x: ${mentionOf(row.requester_id)} ${outcome ?? 'The request failed.'}${link}`;
    case 'rejected': {
      const reason = ending?.note ? `: “${escapeMrkdwn(truncate(ending.note, 1000))}”` : '.';
      return `:no_entry: ${mentionOf(row.requester_id)} your request was rejected${by ? ` by <@${by}>` : ''}${reason}`;
    }
    case 'expired':
      return `:zzz: ${mentionOf(row.requester_id)} this request expired before an owner decided. Submit it again if it is still needed.`;
    case 'cancelled': {
      // The requester cancelling their own request needs no mention; anyone else's cancel does.
      const mention = by === row.requester_id ? '' : `${mentionOf(row.requester_id)} `;
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
