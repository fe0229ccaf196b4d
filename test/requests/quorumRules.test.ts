// The lifecycle's quorum, reminder and escalation rules on their own, no server.
import { describe, expect, it } from 'vitest';
import {
  approvalProgress,
  approvalsRequiredFor,
  checkDecision,
  escalationStartsAt,
  mayDecide,
  nudgesDue,
  quorumActionOf,
  shortDigest,
  type DecisionInput,
} from '../../src/requests/lifecycle.js';

const now = new Date('2026-12-01T12:00:00Z');
const digest = 'a'.repeat(64);
const base: DecisionInput = {
  verb: 'approve',
  request: { state: 'pending', requesterId: 'UREQ', expiresAt: '2026-12-02T12:00:00Z', digest },
  actorId: 'UOWNER',
  target: { name: 'prod', allowSelfApproval: false },
  actorIsOwner: true,
  shownDigest: shortDigest(digest),
  now,
  approvalsRequired: 2,
};
const check = (patch: Partial<DecisionInput>) => checkDecision({ ...base, ...patch });
const H = 3_600_000;

describe('quorum', () => {
  it('takes one number for every action, or a number per action with 1 for the unlisted ones', () => {
    expect(approvalsRequiredFor({ approvalsRequired: 2 }, 'delete')).toBe(2);
    const perAction = { approvalsRequired: { delete: 2, privatelink: 3 } };
    expect(approvalsRequiredFor(perAction, 'delete')).toBe(2);
    expect(approvalsRequiredFor(perAction, 'privatelink')).toBe(3);
    expect(approvalsRequiredFor(perAction, 'create')).toBe(1);
  });

  it('maps a request to its action: the call kind, or for older requests the row action', () => {
    expect(quorumActionOf({ action: 'create', callKind: 'privatelink' })).toBe('privatelink');
    expect(quorumActionOf({ action: 'delete', callKind: 'delete' })).toBe('delete');
    expect(quorumActionOf({ action: 'delete', callKind: null })).toBe('delete');
    expect(quorumActionOf({ action: 'create' })).toBe('create');
  });

  it('counts an owner once: a second approval by the same owner is refused, saying how far it is', () => {
    expect(check({ approvedBy: ['UOTHER'] })).toEqual({ ok: true });
    expect(check({ approvedBy: ['UOWNER'] })).toMatchObject({ ok: false, code: 'ALREADY_APPROVED', message: expect.stringContaining('1 of 2 approvals') });
  });

  it('never counts the requester toward a quorum, even where self-approval is allowed', () => {
    const selfAllowed = { name: 'prod', allowSelfApproval: true };
    expect(check({ actorId: 'UREQ', target: selfAllowed })).toMatchObject({ ok: false, code: 'NOT_AUTHORISED', message: expect.stringMatching(/never counts toward the 2 approvals/) });
    // With one approval required, allowSelfApproval means what it always did.
    expect(check({ actorId: 'UREQ', target: selfAllowed, approvalsRequired: 1 })).toEqual({ ok: true });
    // The requester may still reject their own request where self-approval is allowed.
    expect(check({ actorId: 'UREQ', target: selfAllowed, verb: 'reject' })).toEqual({ ok: true });
  });

  it('says "1 of 2 approvals"', () => {
    expect(approvalProgress(1, 2)).toBe('1 of 2 approvals');
    expect(approvalProgress(0, 1)).toBe('0 of 1 approval');
  });

  it('tells the App Home who may decide: an owner who has not approved yet', () => {
    const { verb: _verb, shownDigest: _shown, ...input } = base;
    expect(mayDecide(input)).toBe(true);
    expect(mayDecide({ ...input, approvedBy: ['UOWNER'] })).toBe(false);
    expect(mayDecide({ ...input, actorId: 'UREQ' })).toBe(false);
  });
});

describe('escalation', () => {
  const escalatesAt = new Date(now.getTime() + H);
  const escalation = { actorIsOwner: false, actorIsEscalation: true, escalatesAt };

  it('lets escalateTo approve or reject only past the delay, with the time it starts', () => {
    const early = check({ ...escalation });
    expect(early).toMatchObject({ ok: false, code: 'NOT_AUTHORISED', message: expect.stringContaining(escalatesAt.toISOString()) });
    expect(early.ok || early.message).toMatch(/escalates to you at/);
    expect(check({ ...escalation, now: escalatesAt })).toEqual({ ok: true });
    expect(check({ ...escalation, now: escalatesAt, verb: 'reject' })).toEqual({ ok: true });
  });

  it('is an ordinary stranger where escalation is not configured', () => {
    expect(check({ actorIsOwner: false, actorIsEscalation: true })).toMatchObject({ ok: false, message: expect.stringMatching(/Only an owner of \*prod\*/) });
    expect(escalationStartsAt('2026-12-01T12:00:00.000Z', undefined, true)).toBeUndefined();
    expect(escalationStartsAt('2026-12-01T12:00:00.000Z', H, false)).toBeUndefined();
    expect(escalationStartsAt('2026-12-01T12:00:00.000Z', H, true)).toEqual(new Date('2026-12-01T13:00:00.000Z'));
  });
});

describe('reminders', () => {
  const createdAt = '2026-12-01T12:00:00.000Z';
  const at = (hours: number) => new Date(Date.parse(createdAt) + hours * H);

  it('is due once per period: the period number names it, a missed period is not made up', () => {
    expect(nudgesDue({ createdAt, now: at(3.9), remindAfter: 4 * H })).toEqual([]);
    expect(nudgesDue({ createdAt, now: at(4), remindAfter: 4 * H })).toEqual([{ kind: 'remind', period: 1 }]);
    expect(nudgesDue({ createdAt, now: at(7.9), remindAfter: 4 * H })).toEqual([{ kind: 'remind', period: 1 }]);
    expect(nudgesDue({ createdAt, now: at(13), remindAfter: 4 * H })).toEqual([{ kind: 'remind', period: 3 }]);
    expect(nudgesDue({ createdAt, now: at(100) })).toEqual([]);
  });

  it('escalates once past the escalation time', () => {
    expect(nudgesDue({ createdAt, now: at(1), escalatesAt: at(2) })).toEqual([]);
    expect(nudgesDue({ createdAt, now: at(2), escalatesAt: at(2), remindAfter: 2 * H })).toEqual([{ kind: 'escalate', period: 0 }, { kind: 'remind', period: 1 }]);
  });
});
