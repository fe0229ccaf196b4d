// The request lifecycle (README, "How a request goes") as pure functions: which state may follow which, and who may
// decide what. No store, no Slack, no clock of its own: every input is passed in, so the rules are
// unit-tested without a server (test/requests/lifecycle.test.ts). The store applies a change only
// along `TRANSITIONS`, in one conditional update (see ARCHITECTURE.md).
import type { QuorumAction, Target } from '../config/file.js';
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
  /** Whether `actorId` is on the target's `escalateTo` (listed, or in that user group). */
  actorIsEscalation?: boolean;
  /** When the request escalates (`escalationStartsAt`); undefined when it never does. */
  escalatesAt?: Date;
  /** How many distinct approvals the request needs (`approvalsRequired`); 1 when absent. */
  approvalsRequired?: number;
  /** Who approved it so far (each once). */
  approvedBy?: readonly string[];
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
    // Past the escalation delay, the people it escalates to decide as owners do.
    if (input.actorIsEscalation && input.escalatesAt) {
      if (input.now < input.escalatesAt) {
        const when = Math.floor(input.escalatesAt.getTime() / 1000);
        return {
          ok: false,
          code: 'NOT_AUTHORISED',
          message: `This request escalates to you at <!date^${when}^{date_short_pretty} {time}|${input.escalatesAt.toISOString()}> (approvals.escalateAfter); until then only an owner of *${target.name}* can ${verb} it. Nothing was changed.`,
        };
      }
    } else {
      return { ok: false, code: 'NOT_AUTHORISED', message: `Only an owner of *${target.name}* can ${verb} this request; you are not one of them. Nothing was changed.` };
    }
  }
  const required = input.approvalsRequired ?? 1;
  if (actorId === request.requesterId && !target.allowSelfApproval) {
    return { ok: false, code: 'NOT_AUTHORISED', message: `You asked for this change, so another owner of *${target.name}* has to ${verb} it (four-eyes rule). Nothing was changed.` };
  }
  // allowSelfApproval lets a requester approve alone only where one approval is enough: toward a quorum the requester never counts.
  if (verb === 'approve' && actorId === request.requesterId && required > 1) {
    return { ok: false, code: 'NOT_AUTHORISED', message: `You asked for this change, and your own approval never counts toward the ${required} approvals it needs: ${required} other owners of *${target.name}* have to approve it. Nothing was changed.` };
  }
  const approvedBy = input.approvedBy ?? [];
  if (verb === 'approve' && approvedBy.includes(actorId)) return alreadyApproved(target.name, approvedBy.length, required);
  if (verb === 'approve' && input.shownDigest !== shortDigest(request.digest)) {
    return { ok: false, code: 'DIGEST_MISMATCH', message: 'This card does not show the request as it is stored; nothing was approved. Reload the message and look again.' };
  }
  return { ok: true };
}

/** The refusal of a second approval by the same person (it counts once). */
export function alreadyApproved(targetName: string, count: number, required: number): DecisionCheck & { ok: false } {
  return {
    ok: false,
    code: 'ALREADY_APPROVED',
    message: `You approved this request already; it has ${approvalProgress(count, required)}, and each owner counts once. Another owner of *${targetName}* has to approve it. Nothing was changed.`,
  };
}

/** "1 of 2 approvals". */
export function approvalProgress(count: number, required: number): string {
  return `${count} of ${required} approval${required === 1 ? '' : 's'}`;
}

/**
 * Whether `actorId` may decide the request now (Approve or Reject where it is shown, such as the
 * App Home's queue): the approve check against the stored call. `approvedBy` containing the actor
 * makes it false: they have decided their part.
 */
export function mayDecide(input: Omit<DecisionInput, 'verb' | 'shownDigest'>): boolean {
  return checkDecision({ ...input, verb: 'approve', shownDigest: shortDigest(input.request.digest) }).ok;
}

/** The quorum action of a request: its call's kind (requests stored before call kinds: create or delete). */
export function quorumActionOf(request: { action: string; callKind?: string | null | undefined }): QuorumAction {
  const kind = request.callKind;
  if (kind === 'privatelink' || kind === 'delete' || kind === 'create' || kind === 'edit' || kind === 'rotate' || kind === 'replace') return kind;
  return request.action === 'delete' ? 'delete' : 'create';
}

/** How many distinct approvals `action` needs on `target`: its `approvalsRequired`, 1 where unset. */
export function approvalsRequiredFor(target: Pick<Target, 'approvalsRequired'>, action: QuorumAction): number {
  const q = target.approvalsRequired ?? 1;
  return typeof q === 'number' ? q : (q[action] ?? 1);
}

/** When a request created at `createdAt` escalates, if its target has `escalateTo` and escalation is configured. */
export function escalationStartsAt(createdAt: string, escalateAfter: number | undefined, hasEscalation: boolean): Date | undefined {
  return escalateAfter !== undefined && hasEscalation ? new Date(Date.parse(createdAt) + escalateAfter) : undefined;
}

export type Nudge = { kind: 'remind'; period: number } | { kind: 'escalate'; period: 0 };

/**
 * What a pending request is due now: the reminder of the current `remindAfter` period (period n
 * covers [n, n+1) periods since it was created; a missed period is not made up), and the
 * escalation once it is past `escalateAfter`. The store posts each at most once.
 */
export function nudgesDue(input: { createdAt: string; now: Date; remindAfter?: number | undefined; escalatesAt?: Date | undefined }): Nudge[] {
  const elapsed = input.now.getTime() - Date.parse(input.createdAt);
  const due: Nudge[] = [];
  if (input.escalatesAt && input.now >= input.escalatesAt) due.push({ kind: 'escalate', period: 0 });
  if (input.remindAfter !== undefined && elapsed >= input.remindAfter) due.push({ kind: 'remind', period: Math.floor(elapsed / input.remindAfter) });
  return due;
}

/** The refusal for a request someone else decided (or that ended) first. */
export function notPending(state: RequestState, lastActor: string | undefined): DecisionCheck & { ok: false } {
  const by = lastActor && lastActor !== SPCONN_ACTOR ? ` by <@${lastActor}>` : '';
  return { ok: false, code: 'REQUEST_NOT_PENDING', message: `This request is already ${state}${by}; nothing was changed.` };
}

/** The actor of changes spconn makes itself (runs, expiries). */
export const SPCONN_ACTOR = 'spconn';
