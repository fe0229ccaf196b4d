// The config of quorums, reminders and escalation: defaults, and precise errors.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/file.js';
import { approvalsRequiredFor } from '../../src/requests/lifecycle.js';

const target = { name: 'prod', projectId: '8358217d3abb5c76c3434648', instance: 'spinstance', owners: ['U012ABCDEF', 'U012ABCDEG'] };
const parse = (patch: Record<string, unknown>, targetPatch: Record<string, unknown> = {}) =>
  parseConfig({ atlas: { apiKeySecret: 'x' }, ...patch, targets: [{ ...target, ...targetPatch }] }, 'spconn.yaml');

describe('approvals config', () => {
  it('defaults to one approval, no reminders, no escalation', () => {
    const config = parse({});
    expect(approvalsRequiredFor(config.targets[0]!, 'delete')).toBe(1);
    expect(config.approvals.remindAfter).toBeUndefined();
    expect(config.approvals.escalateAfter).toBeUndefined();
  });

  it('reads a quorum per action, durations, and escalateTo as one ID or a list', () => {
    const config = parse({ approvals: { remindAfter: '4h', escalateAfter: '8h' } }, { approvalsRequired: { delete: 2, edit: 2, rotate: 1, replace: 2 }, escalateTo: 'S0LEADS01' });
    expect(config.targets[0]?.approvalsRequired).toEqual({ delete: 2, edit: 2, rotate: 1, replace: 2 });
    expect(config.targets[0]?.escalateTo).toEqual(['S0LEADS01']);
    expect(config.approvals.remindAfter).toBe(4 * 3_600_000);
    expect(parse({ approvals: { escalateAfter: '1h' } }, { escalateTo: ['U0LEAD0001', 'S0LEADS01'] }).targets[0]?.escalateTo).toEqual(['U0LEAD0001', 'S0LEADS01']);
  });

  it('names the bad key and the reason', () => {
    expect(() => parse({}, { approvalsRequired: 0 })).toThrow(/targets\.0\.approvalsRequired: at least 1 approval/);
    expect(() => parse({}, { approvalsRequired: 1.5 })).toThrow(/targets\.0\.approvalsRequired: a whole number/);
    expect(() => parse({}, { approvalsRequired: { destroy: 2 } })).toThrow(/targets\.0\.approvalsRequired.*destroy/);
    expect(() => parse({}, { approvalsRequired: 3 })).toThrow(/targets\.0\.approvalsRequired: 3 distinct approvals required, but only 2 people/);
    expect(() => parse({}, { approvalsRequired: { delete: 3 } })).toThrow(/targets\.0\.approvalsRequired\.delete: 3 distinct/);
    expect(() => parse({}, { escalateTo: ['U0LEAD0001'] })).toThrow(/targets\.0\.escalateTo: escalateTo needs approvals\.escalateAfter/);
    expect(() => parse({ approvals: { escalateAfter: '1h' } }, { escalateTo: ['C0NOTAUSER'] })).toThrow(/targets\.0\.escalateTo\.0: a Slack user ID \(U…\) or user group ID \(S…\)/);
    expect(() => parse({ approvals: { remindAfter: '2d' } })).toThrow(/approvals\.remindAfter: must be shorter than approvals\.expireAfter/);
    expect(() => parse({ approvals: { escalateAfter: 'later' } })).toThrow(/approvals\.escalateAfter: a duration/);
  });

  it('accepts a quorum an owner group could meet, and one escalateTo makes reachable', () => {
    expect(parse({}, { ownerGroup: 'S0OWNERS1', approvalsRequired: 5 }).targets[0]?.approvalsRequired).toBe(5);
    expect(parse({ approvals: { escalateAfter: '1h' } }, { approvalsRequired: 3, escalateTo: ['U0LEAD0001'] }).targets[0]?.approvalsRequired).toBe(3);
  });
});
