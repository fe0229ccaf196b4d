// Requests and their audit trail. Every state change is a conditional update plus an event in
// one transaction, so two clicks at once change a request once: the database decides, not memory.
import { Kysely, Migrator, type Transaction } from 'kysely';
import { migrationProvider } from './migrations.js';
import { OPEN_STATES, type Database, type RequestEventsTable, type RequestState, type RequestsTable, type WorkflowsTable } from './schema.js';

export type RequestRow = RequestsTable;
export type WorkflowRow = WorkflowsTable;
export type RequestEvent = Omit<RequestEventsTable, 'id'> & { id: number };

export interface Transition {
  id: string;
  from: readonly RequestState[];
  to: RequestState;
  actor: string;
  note?: string;
  /** Drop the sealed Atlas call (its secrets) with this change. */
  dropSecrets?: boolean;
  outcome?: unknown;
  now?: Date;
}

export class RequestStore {
  constructor(readonly db: Kysely<Database>) {}

  async migrate(): Promise<void> {
    const { error } = await new Migrator({ db: this.db, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
  }

  async insert(row: RequestRow, actor: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('requests').values(row).execute();
      await addEvent(tx, { request_id: row.id, at: row.created_at, actor, from_state: null, to_state: row.state, note: null });
    });
  }

  async get(id: string): Promise<RequestRow | undefined> {
    return this.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async setMessage(id: string, channelId: string, messageTs: string): Promise<void> {
    await this.db.updateTable('requests').set({ channel_id: channelId, message_ts: messageTs }).where('id', '=', id).execute();
  }

  /** Applies the change only if the request is still in one of `from`; true when this call made it. */
  async transition(t: Transition): Promise<boolean> {
    const at = (t.now ?? new Date()).toISOString();
    return this.db.transaction().execute(async (tx) => {
      const current = await tx.selectFrom('requests').select('state').where('id', '=', t.id).executeTakeFirst();
      const result = await tx
        .updateTable('requests')
        .set({
          state: t.to,
          updated_at: at,
          ...(t.dropSecrets ? { sealed_call: null } : {}),
          ...(t.outcome !== undefined ? { outcome_json: JSON.stringify(t.outcome) } : {}),
        })
        .where('id', '=', t.id)
        .where('state', 'in', [...t.from])
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await addEvent(tx, { request_id: t.id, at, actor: t.actor, from_state: current?.state ?? null, to_state: t.to, note: t.note ?? null });
      return true;
    });
  }

  async events(id: string): Promise<RequestEvent[]> {
    return this.db.selectFrom('request_events').selectAll().where('request_id', '=', id).orderBy('id').execute();
  }

  async openRequestsOf(userId: string): Promise<RequestRow[]> {
    return this.db
      .selectFrom('requests')
      .selectAll()
      .where('requester_id', '=', userId)
      .where('state', 'in', [...OPEN_STATES])
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute();
  }

  async pendingExpiredBy(now: Date): Promise<RequestRow[]> {
    return this.db.selectFrom('requests').selectAll().where('state', '=', 'pending').where('expires_at', '<=', now.toISOString()).execute();
  }

  /** Approved or running requests: work a stopped process left unfinished. */
  async interrupted(): Promise<RequestRow[]> {
    return this.db.selectFrom('requests').selectAll().where('state', 'in', ['approved', 'running']).orderBy('created_at').execute();
  }

  async insertWorkflow(requestId: string, kind: string, state: unknown, nextRunAt: string | null): Promise<void> {
    await this.db
      .insertInto('workflows')
      .values({ request_id: requestId, kind, state_json: JSON.stringify(state), version: 1, active: 1, next_run_at: nextRunAt, updated_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('request_id').doNothing())
      .execute();
  }

  async getWorkflow(requestId: string): Promise<WorkflowRow | undefined> {
    return this.db.selectFrom('workflows').selectAll().where('request_id', '=', requestId).executeTakeFirst();
  }

  /** Saves a workflow's next state only if nobody saved since `version` was read. */
  async saveWorkflow(requestId: string, version: number, state: unknown, opts: { active: boolean; nextRunAt: string | null }): Promise<boolean> {
    const result = await this.db
      .updateTable('workflows')
      .set({ state_json: JSON.stringify(state), version: version + 1, active: opts.active ? 1 : 0, next_run_at: opts.nextRunAt, updated_at: new Date().toISOString() })
      .where('request_id', '=', requestId)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async activeWorkflows(): Promise<WorkflowRow[]> {
    return this.db.selectFrom('workflows').selectAll().where('active', '=', 1).orderBy('next_run_at').execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

async function addEvent(tx: Transaction<Database>, event: Omit<RequestEventsTable, 'id'>): Promise<void> {
  await tx.insertInto('request_events').values(event).execute();
}
