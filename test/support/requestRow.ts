// A stored request row with plain values, for tests of the store and of the builders that read rows.
import type { RequestRow } from '../../src/store/requestStore.js';

export function requestRow(id: string, patch: Partial<RequestRow> = {}): RequestRow {
  const now = new Date().toISOString();
  return {
    id,
    action: 'create',
    connection_type: 'HTTPS',
    connection_name: `c-${id}`,
    target_name: 't',
    requester_id: 'U1',
    channel_id: 'C1',
    message_ts: null,
    state: 'pending',
    summary_json: '{}',
    sealed_call: 'v1:sealed',
    digest: 'd',
    created_at: now,
    expires_at: new Date(Date.now() + 60_000).toISOString(),
    updated_at: now,
    outcome_json: null,
    lease_owner: null,
    lease_until: null,
    notified_at: null,
    ...patch,
  };
}
