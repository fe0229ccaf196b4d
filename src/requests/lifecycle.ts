// The request lifecycle (README, "How a request goes") as pure functions: which state may follow which, and who may
// decide what. No store, no Slack, no clock of its own: every input is passed in, so the rules are
// unit-tested without a server (test/requests/lifecycle.test.ts). The store applies a change only
// along `TRANSITIONS`, in one conditional update (see ARCHITECTURE.md).
import type { SpconnErrorCode } from '../errors.js';
import { ENDED_STATES, REQUEST_STATES, TRANSITIONS, type RequestState } from '../store/schema.js';

export { TRANSITIONS };

/** The states a request may be in for a change to `to`. */
export function statesBefore(to: RequestState): RequestState[] {
  return REQUEST_STATES.filter((from) => TRANSITIONS[from].includes(to));
}

export function hasEnded(state: RequestState): boolean {
  return ENDED_STATES.includes(state);
}

export type Verb = 'approve' | 'reject' | 'cancel';

/** What a decision is checked against; all of it read before the check. */
export interface DecisionInput {
  verb: Verb;
  request: { state: RequestState; requesterId: string; expiresAt: string; digest: string };
  actorId: string;
  /** The request's target as configured now; undefined when it was removed from the config. */
  target: { name: string; allowSelfApproval: boolean } | undefined;
  /** Whether `actorId` is an owner of that target (listed, or in its owner group). */
  actorIsOwner: boolean;
  /** The short digest the Approve button carried. */
  shownDigest?: string;
  /** Who made the last change, when the request is no longer pending (to say so). */
  lastActor?: string;
  now: Date;
}

export type DecisionCheck =
  | { ok: true }
  | {
      ok: false;
      code: SpconnErrorCode;
      /** mrkdwn for the person who clicked; nothing in it comes from them. */
      message: string;
      /** The request is past its deadline and still pending: expire it now. */
      expire?: boolean;
    };

/** The part of the digest shown on the card and carried by the Approve button. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 12);
}

export function isExpired(expiresAt: string, now: Date): boolean {
  return Date.parse(expiresAt) <= now.getTime();
}

/** Who may approve, reject or cancel a request, checked in the order a person would ask. */
export function checkDecision(input: DecisionInput): DecisionCheck {
  const { verb, request, actorId, target } = input;
  if (verb === 'cancel' && actorId !== request.requesterId) {
    return { ok: false, code: 'NOT_AUTHORISED', message: 'Only the requester can cancel a request; owners can reject it instead. Nothing was changed.' };
  }
  if (request.state !== 'pending') return notPending(request.state, input.lastActor);
  if (isExpired(request.expiresAt, input.now)) {
    return { ok: false, code: 'REQUEST_EXPIRED', message: 'This request has expired; ask the requester to submit it again. Nothing was changed.', expire: true };
  }
  if (verb === 'cancel') return { ok: true };
  if (!target) {
    return { ok: false, code: 'TARGET_REMOVED', message: `The target of this request is no longer configured; nobody can ${verb} it.` };
  }
  if (!input.actorIsOwner) {
    return { ok: false, code: 'NOT_AUTHORISED', message: `Only an owner of *${target.name}* can ${verb} this request; you are not one of them. Nothing was changed.` };
  }
  if (actorId === request.requesterId && !target.allowSelfApproval) {
    return { ok: false, code: 'NOT_AUTHORISED', message: `You asked for this change, so another owner of *${target.name}* has to ${verb} it (four-eyes rule). Nothing was changed.` };
  }
  if (verb === 'approve' && input.shownDigest !== shortDigest(request.digest)) {
    return { ok: false, code: 'DIGEST_MISMATCH', message: 'This card does not show the request as it is stored; nothing was approved. Reload the message and look again.' };
  }
  return { ok: true };
}

/** The refusal for a request someone else decided (or that ended) first. */
export function notPending(state: RequestState, lastActor: string | undefined): DecisionCheck & { ok: false } {
  const by = lastActor && lastActor !== SPCONN_ACTOR ? ` by <@${lastActor}>` : '';
  return { ok: false, code: 'REQUEST_NOT_PENDING', message: `This request is already ${state}${by}; nothing was changed.` };
}

/** The actor of changes spconn makes itself (runs, expiries). */
export const SPCONN_ACTOR = 'spconn';
