// The Private Link state machine on its own: every path, no server.
import { describe, expect, it } from 'vitest';
import { actionFor, advance, checklist, initialState, leftoverLink, type PlOutcome, type PlState } from '../../src/workflows/privateLinkMachine.js';

const timing = { pollMinMs: 1000, pollMaxMs: 8000, linkTimeoutMs: 3_600_000, connectionTimeoutMs: 1_800_000 };
const plan = (clusterKind: 'dedicated' | 'serverless') => ({
  clusterKind,
  region: 'us-east-1',
  atlasRegion: 'US_EAST_1',
  serviceEndpointId: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
  dnsDomain: 'abc.us-east-1.aws.confluent.cloud',
  dnsSubDomain: [],
});
const t0 = new Date('2026-11-24T10:00:00Z');

function run(state: PlState, outcomes: PlOutcome[], now = t0) {
  const said: string[] = [];
  for (const o of outcomes) {
    const r = advance(state, o, now, timing);
    state = r.state;
    said.push(...r.say.map((s) => s.text));
  }
  return { state, said };
}

describe('Private Link machine', () => {
  it('walks a dedicated cluster: account, Done, link, connection', () => {
    let s = initialState(plan('dedicated'));
    expect(actionFor(s)).toEqual({ kind: 'find_link' });
    const r = run(s, [{ kind: 'link_found' }, { kind: 'account', awsAccountId: '123456789012' }]);
    s = r.state;
    expect(s.step).toBe('await_access');
    expect(actionFor(s)).toEqual({ kind: 'wait_for_person' });
    expect(r.said.join()).toContain('Add Private Link Access');
    expect(r.said.join()).toContain('123456789012');
    s = run(s, [{ kind: 'done_clicked', by: 'U1' }, { kind: 'link_requested', linkId: 'L1', createdByUs: true }]).state;
    expect(actionFor(s)).toEqual({ kind: 'poll_link', linkId: 'L1' });
    s = run(s, [{ kind: 'link_state', state: 'WORKING' }]).state;
    expect(s.nextRunAt).toBe(new Date(t0.getTime() + 1000).toISOString());
    s = run(s, [{ kind: 'link_state', state: 'WORKING' }]).state;
    expect(s.nextRunAt).toBe(new Date(t0.getTime() + 2000).toISOString());
    s = run(s, [{ kind: 'link_state', state: 'DONE', interfaceEndpointId: 'vpce-1' }]).state;
    expect(actionFor(s)).toEqual({ kind: 'create_connection', linkId: 'L1' });
    s = run(s, [{ kind: 'connection_state', state: 'PENDING' }, { kind: 'connection_state', state: 'READY' }]).state;
    expect(s.step).toBe('done');
    expect(checklist(s).every((c) => c.status === 'done' || c.status === 'skipped')).toBe(true);
  });

  it('asks a serverless cluster for an access point after the link, and skips the account step', () => {
    const r = run(initialState(plan('serverless')), [
      { kind: 'link_found' },
      { kind: 'link_requested', linkId: 'L2', createdByUs: true },
      { kind: 'link_state', state: 'DONE', interfaceEndpointId: 'vpce-0abc' },
    ]);
    expect(r.state.step).toBe('await_access_point');
    expect(r.said.join()).toContain('vpce-0abc');
    expect(checklist(r.state).map((c) => c.status)).toEqual(['done', 'skipped', 'done', 'done', 'current', 'todo']);
  });

  it('reuses an existing link and goes straight to waiting for it', () => {
    const r = run(initialState(plan('dedicated')), [{ kind: 'link_found', linkId: 'L0' }]);
    expect(r.state).toMatchObject({ step: 'await_link', linkId: 'L0', reused: true, linkCreatedByUs: false });
    expect(r.said.join()).toMatch(/reusing/);
  });

  it("reports a FAILED link with Atlas's message and what to check", () => {
    const r = run(initialState(plan('dedicated')), [
      { kind: 'link_found' },
      { kind: 'account', awsAccountId: '1' },
      { kind: 'done_clicked', by: 'U1' },
      { kind: 'link_requested', linkId: 'L3', createdByUs: true },
      { kind: 'link_state', state: 'FAILED', errorMessage: 'endpoint service not found <!channel>' },
    ]);
    expect(r.state.step).toBe('failed');
    // Told once, by the request's announcement; Atlas's words escaped where they enter mrkdwn.
    expect(r.state.outcome).toMatch(/endpoint service not found &lt;!channel&gt;.*Check in Confluent/);
    expect(r.said.join('\n')).not.toMatch(/endpoint service not found/);
    expect(checklist(r.state).find((c) => c.status === 'failed')?.label).toBe('Wait for the Private Link');
  });

  it('gives up waiting after the configured time', () => {
    let s = run(initialState(plan('serverless')), [{ kind: 'link_found' }, { kind: 'link_requested', linkId: 'L4', createdByUs: true }]).state;
    s = advance(s, { kind: 'link_state', state: 'WORKING' }, new Date(t0.getTime() + timing.linkTimeoutMs + 1), timing).state;
    expect(s.step).toBe('failed');
    expect(s.outcome).toMatch(/stopped waiting/);
  });

  it('ignores a Done for another step, and names a link it created when cancelled', () => {
    let s = run(initialState(plan('serverless')), [{ kind: 'link_found' }, { kind: 'link_requested', linkId: 'L5', createdByUs: true }]).state;
    expect(advance(s, { kind: 'done_clicked', by: 'U1' }, t0, timing).state).toEqual(s);
    const r = advance(s, { kind: 'cancel', by: 'U2' }, t0, timing);
    s = r.state;
    expect(s.step).toBe('cancelled');
    // The end is told once, by the request's announcement, which offers the link for deletion.
    expect(r.say).toEqual([]);
    expect(s.stoppedBy).toBe('U2');
    expect(leftoverLink(s)).toBe('L5');
    expect(advance(s, { kind: 'link_state', state: 'DONE' }, t0, timing).state).toEqual(s);
  });
});
