// Schema migrations, in order. Written once for SQLite and PostgreSQL alike.
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

const migrations = (dialect: Dialect): Record<string, Migration> => ({
  '0001_requests': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('connection_type', 'text', (c) => c.notNull())
        .addColumn('connection_name', 'text', (c) => c.notNull())
        .addColumn('target_name', 'text', (c) => c.notNull())
        .addColumn('requester_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('message_ts', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('summary_json', 'text', (c) => c.notNull())
        .addColumn('sealed_call', 'text')
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('outcome_json', 'text')
        .execute();
      await db.schema.createIndex('requests_state_expires').on('requests').columns(['state', 'expires_at']).execute();
      await db.schema.createIndex('requests_requester_state').on('requests').columns(['requester_id', 'state']).execute();
      await db.schema
        .createTable('request_events')
        .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('request_events_request').on('request_events').column('request_id').execute();
    },
  },
  '0002_workflows': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('workflows')
        .addColumn('request_id', 'text', (c) => c.primaryKey().references('requests.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state_json', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('next_run_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('workflows_active').on('workflows').columns(['active', 'next_run_at']).execute();
    },
  },
  // Leases: with several replicas, the one holding a request's or a workflow's lease works on it;
  // when a replica dies its leases run out and another takes the work over.
  '0003_leases': {
    async up(db: Kysely<unknown>) {
      for (const table of ['requests', 'workflows']) {
        await db.schema.alterTable(table).addColumn('lease_owner', 'text').execute();
        await db.schema.alterTable(table).addColumn('lease_until', 'text').execute();
      }
    },
  },
  // The requester hears the outcome even if the replica that ended the request died before telling:
  // an ended request whose outcome was not yet posted is posted by whoever finds it.
  '0004_notified': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('requests').addColumn('notified_at', 'text').execute();
      await sql`update requests set notified_at = updated_at where state in ('succeeded', 'failed', 'rejected', 'expired', 'cancelled')`.execute(db);
    },
  },
  '0005_audit_index': {
    async up(db: Kysely<unknown>) {
      // `/spconn audit`: a target's requests, newest first.
      await db.schema.createIndex('requests_target_created').ifNotExists().on('requests').columns(['target_name', 'created_at']).execute();
    },
  },
  // Every ended request's outcome is now told by one at-least-once path, rejections, expiries and
  // cancellations included; those that ended before were told already.
  '0006_all_outcomes_told': {
    async up(db: Kysely<unknown>) {
      await sql`update requests set notified_at = updated_at where state in ('rejected', 'expired', 'cancelled') and notified_at is null`.execute(db);
    },
  },
  // Quorums, reminders and escalation (README, "Approvals"): each owner's approval is a row of its
  // own, and each reminder or escalation posted is a row, so neither repeats across replicas.
  '0007_quorum': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('requests').addColumn('call_kind', 'text').execute();
      await db.schema
        .createTable('request_approvals')
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
        .addColumn('approver_id', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('request_approvals_pk', ['request_id', 'approver_id'])
        .execute();
      await db.schema
        .createTable('request_nudges')
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('period', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('request_nudges_pk', ['request_id', 'kind', 'period'])
        .execute();
    },
  },
  // A service account's OAuth token, sealed, shared by every replica (src/store/atlasTokens.ts):
  // one token per service account, not one per replica. `account` is a keyed digest, not the client ID.
  '0008_atlas_tokens': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('atlas_tokens')
        .addColumn('account', 'text', (c) => c.primaryKey())
        .addColumn('sealed_token', 'text', (c) => c.notNull())
        .addColumn('minted_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  // Atlas's rate limit per project, shared by the replicas on one PostgreSQL (src/atlas/sharedBudget.ts);
  // created on SQLite too, where one replica paces in process and never uses it.
  '0009_atlas_rate_budgets': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('atlas_rate_budgets')
        .addColumn('project_id', 'text', (c) => c.primaryKey())
        .addColumn('tokens', 'double precision', (c) => c.notNull())
        .addColumn('capacity', 'double precision', (c) => c.notNull())
        .addColumn('next_refill_at', 'double precision')
        .addColumn('updated_at', 'double precision', (c) => c.notNull())
        // While one replica's call reads Atlas's count after a refill, the others wait (until this time at most).
        .addColumn('probe_until', 'double precision')
        .execute();
    },
  },
  // Drift watching (src/drift/): each target's cursor in the project's events, and one claim per
  // alerted event so that a restart or a second replica never posts it again.
  '0010_drift': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('drift_cursors')
        .addColumn('target_name', 'text', (c) => c.primaryKey())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('since', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('drift_alerts')
        .addColumn('target_name', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('drift_alerts_pk', ['target_name', 'event_id'])
        .execute();
    },
  },
  // Secrets by reference (src/store/secretRefs.ts): which reference each secret field of a
  // connection spconn wrote uses, and the version read, so rotation can re-read them.
  '0011_connection_secret_refs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('connection_secret_refs')
        .addColumn('target_name', 'text', (c) => c.notNull())
        .addColumn('connection_name', 'text', (c) => c.notNull())
        .addColumn('field_path', 'text', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('connection_secret_refs_pk', ['target_name', 'connection_name', 'field_path'])
        .execute();
    },
  },
  // Rotation watching (src/rotation/watcher.ts): one row per new secret version noticed per
  // connection, so any replica, before or after a restart, opens its rotation once.
  '0012_rotation': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rotation_claims')
        .addColumn('target_name', 'text', (c) => c.notNull())
        .addColumn('connection_name', 'text', (c) => c.notNull())
        .addColumn('versions', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rotation_claims_pk', ['target_name', 'connection_name', 'versions'])
        .execute();
    },
  },
});

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
