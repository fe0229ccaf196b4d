// The request lifecycle's rules on their own: transitions and who may decide what, no server.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { checkDecision, hasEnded, shortDigest, statesBefore, TRANSITIONS, type DecisionInput } from '../../src/requests/lifecycle.js';
import { REQUEST_STATES } from '../../src/store/schema.js';

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
};
const check = (patch: Partial<DecisionInput>) => checkDecision({ ...base, ...patch });

describe('request transitions', () => {
  it('moves pending to a decision, approved to running, running to an end, and nothing out of an end', () => {
    expect(TRANSITIONS.pending).toEqual(['approved', 'rejected', 'expired', 'cancelled']);
    expect(statesBefore('running')).toEqual(['approved']);
    expect(statesBefore('approved')).toEqual(['pending']);
    expect(statesBefore('cancelled').sort()).toEqual(['pending', 'running']);
    for (const state of REQUEST_STATES) expect(hasEnded(state)).toBe(['succeeded', 'failed', 'rejected', 'expired', 'cancelled'].includes(state));
  });

  it('never lets a request run twice: running is entered only from approved', () => {
    for (const from of REQUEST_STATES) expect(TRANSITIONS[from].includes('running')).toBe(from === 'approved');
  });
});

describe('who may decide', () => {
  it('lets an owner approve what the card shows', () => {
    expect(check({})).toEqual({ ok: true });
  });

  it('refuses an approval from the requester (four-eyes) unless the target allows it', () => {
    expect(check({ actorId: 'UREQ' })).toMatchObject({ ok: false, code: 'NOT_AUTHORISED', message: expect.stringMatching(/four-eyes/) });
    expect(check({ actorId: 'UREQ', target: { name: 'prod', allowSelfApproval: true } })).toEqual({ ok: true });
  });

  it('refuses someone who is not an owner, naming the target', () => {
    expect(check({ actorIsOwner: false })).toMatchObject({ ok: false, code: 'NOT_AUTHORISED', message: expect.stringMatching(/owner of \*prod\*/) });
  });

  it('refuses an approval whose digest is not the stored one', () => {
    expect(check({ shownDigest: 'b'.repeat(12) })).toMatchObject({ ok: false, code: 'DIGEST_MISMATCH' });
    expect(check({ shownDigest: undefined })).toMatchObject({ ok: false, code: 'DIGEST_MISMATCH' });
  });

  it('says a removed target is removed, not that the person is not an owner', () => {
    expect(check({ target: undefined, actorIsOwner: false })).toMatchObject({ ok: false, code: 'TARGET_REMOVED' });
  });

  it('refuses approve, reject and cancel of an expired request not yet swept, and asks for it to be expired', () => {
    const late = { now: new Date('2026-12-02T12:00:00Z') };
    expect(check({ ...late })).toMatchObject({ ok: false, code: 'REQUEST_EXPIRED', expire: true });
    expect(check({ ...late, verb: 'reject' })).toMatchObject({ ok: false, code: 'REQUEST_EXPIRED', expire: true });
    expect(check({ ...late, verb: 'cancel', actorId: 'UREQ' })).toMatchObject({ ok: false, code: 'REQUEST_EXPIRED', expire: true });
  });

  it('lets only the requester cancel, and says who decided a request that is no longer pending', () => {
    expect(check({ verb: 'cancel', actorId: 'UREQ', actorIsOwner: false })).toEqual({ ok: true });
    expect(check({ verb: 'cancel' })).toMatchObject({ ok: false, code: 'NOT_AUTHORISED', message: expect.stringMatching(/Only the requester/) });
    const decided = check({ request: { ...base.request, state: 'approved' }, lastActor: 'UOTHER' });
    expect(decided).toMatchObject({ ok: false, code: 'REQUEST_NOT_PENDING', message: 'This request is already approved by <@UOTHER>; nothing was changed.' });
    expect(check({ request: { ...base.request, state: 'expired' }, lastActor: 'spconn' })).toMatchObject({ message: 'This request is already expired; nothing was changed.' });
  });

  it('checks a reject like an approval, without a digest', () => {
    expect(check({ verb: 'reject', shownDigest: undefined })).toEqual({ ok: true });
    expect(check({ verb: 'reject', actorId: 'UREQ' })).toMatchObject({ ok: false, code: 'NOT_AUTHORISED' });
  });
});

describe('error codes', () => {
  it('gives every situation its own code, with a distinct meaning', () => {
    const meanings = Object.values(ERROR_CODES);
    expect(new Set(meanings).size).toBe(meanings.length);
  });
});
