// The store's tables, as Kysely sees them. Timestamps are ISO-8601 strings (sortable, portable).
import type { Generated } from 'kysely';

export const REQUEST_STATES = ['pending', 'approved', 'running', 'succeeded', 'failed', 'rejected', 'expired', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/**
 * Which state may follow which: pending → approved → running → succeeded | failed; pending →
 * rejected | expired | cancelled; a Private Link setup may be cancelled while it runs. The store
 * applies no other change (`RequestStore.transition`); src/requests/lifecycle.ts decides who may.
 */
export const TRANSITIONS: Readonly<Record<RequestState, readonly RequestState[]>> = {
  pending: ['approved', 'rejected', 'expired', 'cancelled'],
  approved: ['running'],
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  rejected: [],
  expired: [],
  cancelled: [],
};
export const ENDED_STATES: readonly RequestState[] = REQUEST_STATES.filter((s) => TRANSITIONS[s].length === 0);
export const OPEN_STATES: readonly RequestState[] = REQUEST_STATES.filter((s) => TRANSITIONS[s].length > 0);

export interface RequestsTable {
  id: string;
  action: string; // 'create' | 'delete' | 'edit' | 'replace'
  connection_type: string;
  connection_name: string;
  target_name: string;
  requester_id: string;
  channel_id: string;
  message_ts: string | null;
  state: RequestState;
  /** What the card shows: JSON, every secret already masked. */
  summary_json: string;
  /** The Atlas call, sealed with AES-256-GCM; NULL once the request has ended. */
  sealed_call: string | null;
  digest: string;
  created_at: string;
  expires_at: string;
  updated_at: string;
  outcome_json: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  /** When the outcome was posted in the thread; NULL while an ended request still owes it. */
  notified_at: string | null;
  /** The call's kind (`create`, `delete`, `privatelink`), for its quorum; NULL on requests stored before. */
  call_kind?: string | null;
}

/** One owner's approval of a pending request; one row per person (a second click counts once). */
export interface RequestApprovalsTable {
  request_id: string;
  approver_id: string;
  /** The call digest the approval was given for: only approvals of the stored call count. */
  digest: string;
  at: string;
}

/** Reminders and escalations posted: one row per request, kind and period, so each is posted once. */
export interface RequestNudgesTable {
  request_id: string;
  /** 'remind' or 'escalate'. */
  kind: string;
  /** The reminder period (1 for the first `remindAfter`, 2 for the second, …); 0 for the escalation. */
  period: number;
  at: string;
}

export interface RequestEventsTable {
  id: Generated<number>;
  request_id: string;
  at: string;
  actor: string;
  from_state: RequestState | null;
  to_state: RequestState;
  note: string | null;
}

export interface WorkflowsTable {
  request_id: string;
  kind: string;
  state_json: string;
  /** Bumped on every save: a save based on a stale read is refused. */
  version: number;
  active: number;
  next_run_at: string | null;
  updated_at: string;
  lease_owner: string | null;
  lease_until: string | null;
}

/** A service account's current OAuth token, sealed (PostgreSQL: shared by the replicas). */
export interface AtlasTokensTable {
  /** Keyed digest of the Atlas origin and the client ID. */
  account: string;
  sealed_token: string;
  minted_at: string;
  expires_at: string;
}

export interface Database {
  requests: RequestsTable;
  request_events: RequestEventsTable;
  workflows: WorkflowsTable;
  request_approvals: RequestApprovalsTable;
  request_nudges: RequestNudgesTable;
  atlas_tokens: AtlasTokensTable;
  drift_cursors: DriftCursorsTable;
  drift_alerts: DriftAlertsTable;
  connection_secret_refs: ConnectionSecretRefsTable;
  rotation_claims: RotationClaimsTable;
}

/** One row per new version of a connection's referenced secrets noticed by rotation watching (src/store/rotationStore.ts). */
export interface RotationClaimsTable {
  target_name: string;
  connection_name: string;
  /** The new versions, `secretId=versionId` sorted and comma-joined. */
  versions: string;
  at: string;
}

/** Drift watching (src/drift/): how far each target has read the project's events. */
export interface DriftCursorsTable {
  target_name: string;
  /** When watching began: older events are history, never alerted. */
  started_at: string;
  /** The newest event time read so far. */
  since: string;
  updated_at: string;
}

/** One row per Atlas event alerted per target: the claim that makes each alert posted once by any replica. */
export interface DriftAlertsTable {
  target_name: string;
  event_id: string;
  at: string;
}

/** One secret field of a connection given as a `secretsmanager:` reference (src/store/secretRefs.ts). */
export interface ConnectionSecretRefsTable {
  target_name: string;
  connection_name: string;
  field_path: string;
  reference: string;
  version_id: string | null;
  updated_at: string;
}
