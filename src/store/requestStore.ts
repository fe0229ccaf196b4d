// Requests and their audit trail. Every state change is a conditional update plus an event in
// one transaction, so two clicks at once change a request once: the database decides, not memory.
import { Kysely, Migrator, type ExpressionBuilder, type Transaction } from 'kysely';
import { z } from 'zod';
import { migrationProvider, type Dialect } from './migrations.js';
import { ENDED_STATES, OPEN_STATES, TRANSITIONS, type Database, type RequestEventsTable, type RequestState, type RequestsTable, type WorkflowsTable } from './schema.js';

/** Only the step of a workflow's state, whatever its kind (the store does not know the kinds). */
const workflowStepSchema = z.looseObject({ step: z.string().max(64) });

export type RequestRow = RequestsTable;

/**
 * A request as lists and pages show it: every column but the sealed call, which only running the
 * request opens. A Home page lists up to 500 requests at each publish, and reading their sealed
 * calls (about 850 bytes each) every time was garbage the heap grew with under load.
 */
export type ListedRequest = Omit<RequestRow, 'sealed_call'>;

/** One person's approval of a request, with the call digest approved. */
export interface Approval {
  approver_id: string;
  digest: string;
  at: string;
}
const LISTED = [
  'id', 'action', 'connection_type', 'connection_name', 'target_name', 'requester_id', 'channel_id', 'message_ts', 'state', 'summary_json',
  'digest', 'created_at', 'expires_at', 'updated_at', 'outcome_json', 'lease_owner', 'lease_until', 'notified_at', 'call_kind',
] as const satisfies ReadonlyArray<keyof ListedRequest>;
const LISTED_REQUESTS = LISTED.map((c) => `requests.${c}` as const);
export type WorkflowRow = WorkflowsTable;
/** Who holds a workflow, and until when (ISO time). */
export interface WorkflowLease {
  owner: string;
  until: string;
}
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
  /**
   * Take the request's lease with the change, in the same statement: an approval is leased to the
   * replica that will run it from the moment it exists, so no take-over scan sees it unheld.
   */
  lease?: { owner: string; ms: number };
  now?: Date;
}

/** What one approval did (`RequestStore.approve`). */
export type ApprovalResult =
  /** It met the quorum: the request is approved and leased. */
  | { kind: 'approved'; approvers: string[] }
  /** Stored; more approvals are needed. */
  | { kind: 'counted'; approvers: string[] }
  /** This person had approved already; nothing changed. */
  | { kind: 'duplicate'; approvers: string[] }
  | { kind: 'not-pending' };

export class RequestStore {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {}

  /** Safe when several replicas start at once: Kysely's migrator takes a lock first. */
  async migrate(): Promise<void> {
    const { error } = await new Migrator({ db: this.db, provider: migrationProvider(this.dialect) }).migrateToLatest();
    if (error) throw error;
  }

  /** Reachable and answering (for /readyz). */
  async ping(): Promise<void> {
    await this.db.selectFrom('requests').select('id').limit(1).execute();
  }

  /** Takes (or renews) the lease on an approved or running request; false when another replica holds it. */
  claimRequest(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.leaseRequest(id, owner, leaseMs, 'working');
  }

  /** How this process's workflow claims went (for the metrics: refused ones are replicas racing). */
  readonly workflowClaims = { taken: 0, refused: 0 };

  /**
   * Takes (or renews) a workflow's lease for `leaseMs`; false when another replica holds it. A
   * workflow's lease means: held by a replica running it or waiting for its time (a poll, a retry);
   * no owner: parked, waiting for a person; expired: abandoned, for the take-over scan.
   */
  async claimWorkflow(requestId: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = new Date();
    const result = await this.db
      .updateTable('workflows')
      .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('request_id', '=', requestId)
      .where('active', '=', 1)
      .where((eb) => leaseFree(eb, owner, now))
      .executeTakeFirst();
    const taken = Number(result.numUpdatedRows) === 1;
    this.workflowClaims[taken ? 'taken' : 'refused']++;
    return taken;
  }

  /** Parks a workflow (it waits for a person): no replica holds it, and no scan takes it over. */
  async releaseWorkflow(requestId: string, owner: string): Promise<void> {
    await this.db.updateTable('workflows').set({ lease_owner: null, lease_until: null }).where('request_id', '=', requestId).where('lease_owner', '=', owner).execute();
  }

  /** Ended requests whose outcome was not posted, ended at least `graceMs` ago. */
  async unnotified(graceMs: number): Promise<ListedRequest[]> {
    const before = new Date(Date.now() - graceMs).toISOString();
    return this.db
      .selectFrom('requests')
      .selectAll()
      .where('state', 'in', [...ENDED_STATES])
      .where('notified_at', 'is', null)
      .where('updated_at', '<', before)
      .limit(100)
      .execute();
  }

  /**
   * Takes the lease on telling an ended request's outcome; false while another replica holds it
   * (the one that ran the request keeps its lease until it has told) or once it has been told.
   */
  claimAnnouncement(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.leaseRequest(id, owner, leaseMs, 'untold');
  }

  /** One lease per request, for working on it or for telling its outcome. */
  private async leaseRequest(id: string, owner: string, leaseMs: number, purpose: 'working' | 'untold'): Promise<boolean> {
    const now = new Date();
    const result = await this.db
      .updateTable('requests')
      .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', '=', id)
      .where((eb) => (purpose === 'working' ? eb('state', 'in', ['approved', 'running']) : eb('notified_at', 'is', null)))
      .where((eb) => leaseFree(eb, owner, now))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Marks the outcome as posted; false if someone else did already (then do not post again). */
  async markNotified(id: string): Promise<boolean> {
    const result = await this.db.updateTable('requests').set({ notified_at: new Date().toISOString() }).where('id', '=', id).where('notified_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The embedded store has one process by design: at its start no lease is real any more. */
  async clearLeasesIfSingleProcess(): Promise<void> {
    if (this.dialect !== 'sqlite') return;
    await this.db.updateTable('workflows').set({ lease_owner: null, lease_until: null }).execute();
    await this.db.updateTable('requests').set({ lease_owner: null, lease_until: null }).execute();
  }

  /** A stopping replica's leases, handed back: its workflows count as abandoned at once (not parked). */
  async releaseAll(owner: string): Promise<void> {
    await this.db.updateTable('workflows').set({ lease_until: new Date(0).toISOString() }).where('lease_owner', '=', owner).execute();
    await this.db.updateTable('requests').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).execute();
  }

  /** False when a request with this id exists already (nothing is changed then). */
  async insert(row: RequestRow, actor: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .insertInto('requests')
        .values(row)
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
      await addEvent(tx, { request_id: row.id, at: row.created_at, actor, from_state: null, to_state: row.state, note: null });
      return true;
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
    const wrong = t.from.filter((from) => !TRANSITIONS[from].includes(t.to));
    if (wrong.length > 0) throw new Error(`a request cannot move from ${wrong.join(', ')} to ${t.to}`);
    return this.db.transaction().execute((tx) => transitionIn(tx, t));
  }

  /**
   * Records `approver`'s approval of a pending request and, when it makes `required` distinct
   * approvals of the stored call, approves the request and takes its lease in the same
   * transaction. The request's row is locked first, so approvals racing on several replicas are
   * counted one after the other: exactly one of them meets the quorum.
   */
  async approve(a: { id: string; approver: string; required: number; lease: { owner: string; ms: number }; noteOf?: (approvers: string[]) => string | undefined; now?: Date }): Promise<ApprovalResult> {
    const at = (a.now ?? new Date()).toISOString();
    return this.db.transaction().execute(async (tx) => {
      // A no-op update takes the row lock (PostgreSQL) and proves the request is still pending.
      const locked = await tx
        .updateTable('requests')
        .set((eb) => ({ updated_at: eb.ref('updated_at') }))
        .where('id', '=', a.id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (Number(locked.numUpdatedRows) !== 1) return { kind: 'not-pending' };
      const { digest } = await tx.selectFrom('requests').select('digest').where('id', '=', a.id).executeTakeFirstOrThrow();
      const inserted = await tx
        .insertInto('request_approvals')
        .values({ request_id: a.id, approver_id: a.approver, digest, at })
        .onConflict((oc) => oc.columns(['request_id', 'approver_id']).doNothing())
        .executeTakeFirst();
      const approvers = (await tx.selectFrom('request_approvals').select('approver_id').where('request_id', '=', a.id).where('digest', '=', digest).orderBy('at').orderBy('approver_id').execute()).map((r) => r.approver_id);
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) return { kind: 'duplicate', approvers };
      if (approvers.length < a.required) return { kind: 'counted', approvers };
      const note = a.noteOf?.(approvers);
      const approved = await transitionIn(tx, { id: a.id, from: ['pending'], to: 'approved', actor: a.approver, lease: a.lease, now: new Date(at), ...(note !== undefined ? { note } : {}) });
      return approved ? { kind: 'approved', approvers } : { kind: 'not-pending' };
    });
  }

  /** Who approved a request so far, first first, with the digest each approved. */
  async approvals(id: string): Promise<Approval[]> {
    return this.db.selectFrom('request_approvals').select(['approver_id', 'digest', 'at']).where('request_id', '=', id).orderBy('at').orderBy('approver_id').execute();
  }

  /** `approvals` of many requests in a query per 500 (a Home page's pending requests), by request id. */
  async approvalsOf(ids: readonly string[]): Promise<Map<string, Approval[]>> {
    const byRequest = new Map<string, Approval[]>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('request_approvals')
        .select(['request_id', 'approver_id', 'digest', 'at'])
        .where('request_id', 'in', ids.slice(i, i + 500))
        .orderBy('at')
        .orderBy('approver_id')
        .execute();
      for (const { request_id, ...approval } of rows) {
        const list = byRequest.get(request_id);
        if (list) list.push(approval);
        else byRequest.set(request_id, [approval]);
      }
    }
    return byRequest;
  }

  /** Pending requests, oldest first (for reminders and escalation). */
  async pending(limit = 500): Promise<ListedRequest[]> {
    return this.db.selectFrom('requests').select(LISTED).where('state', '=', 'pending').orderBy('created_at').limit(limit).execute();
  }

  /**
   * Takes the right to post one reminder (`period` n) or the escalation (period 0) of a pending
   * request; false when it was posted already, by any replica, or the request is no longer pending.
   */
  async claimNudge(id: string, kind: 'remind' | 'escalate', period: number, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('requests').select('state').where('id', '=', id).executeTakeFirst();
      if (row?.state !== 'pending') return false;
      const result = await tx
        .insertInto('request_nudges')
        .values({ request_id: id, kind, period, at: now.toISOString() })
        .onConflict((oc) => oc.columns(['request_id', 'kind', 'period']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    });
  }

  async events(id: string): Promise<RequestEvent[]> {
    return this.db.selectFrom('request_events').selectAll().where('request_id', '=', id).orderBy('id').execute();
  }

  /** Requests on these targets created since `since`, newest first, with their events. */
  async recentRequests(targetNames: readonly string[], since: Date, limit: number): Promise<{ rows: ListedRequest[]; total: number; events: RequestEvent[] }> {
    if (targetNames.length === 0) return { rows: [], total: 0, events: [] };
    const scope = this.db.selectFrom('requests').where('target_name', 'in', [...targetNames]).where('created_at', '>=', since.toISOString());
    const [rows, count] = await Promise.all([
      scope.select(LISTED).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute(),
      scope.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const events =
      rows.length === 0
        ? []
        : await this.db
            .selectFrom('request_events')
            .selectAll()
            .where('request_id', 'in', rows.map((r) => r.id))
            .orderBy('id')
            .execute();
    return { rows, total: Number(count.n), events };
  }

  async openRequestsOf(userId: string, limit = 20): Promise<ListedRequest[]> {
    return this.db
      .selectFrom('requests')
      .select(LISTED)
      .where('requester_id', '=', userId)
      .where('state', 'in', [...OPEN_STATES])
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** Pending requests, oldest first (the Home tab sorts out who may decide which). */
  async pendingRequests(limit: number): Promise<ListedRequest[]> {
    return this.db.selectFrom('requests').select(LISTED).where('state', '=', 'pending').orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  /** A requester's ended requests, the most recently ended first. */
  async endedRequestsOf(userId: string, limit: number): Promise<ListedRequest[]> {
    return this.db
      .selectFrom('requests')
      .select(LISTED)
      .where('requester_id', '=', userId)
      .where('state', 'in', [...ENDED_STATES])
      .orderBy('updated_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Running requests with an active workflow (a setup that may wait for a person), oldest first. */
  async runningWithWorkflow(limit: number): Promise<ListedRequest[]> {
    return this.db
      .selectFrom('requests')
      .innerJoin('workflows', 'workflows.request_id', 'requests.id')
      .select(LISTED_REQUESTS)
      .where('requests.state', '=', 'running')
      .where('workflows.active', '=', 1)
      .orderBy('requests.created_at')
      .limit(limit)
      .execute();
  }

  async pendingExpiredBy(now: Date): Promise<ListedRequest[]> {
    return this.db.selectFrom('requests').select(LISTED).where('state', '=', 'pending').where('expires_at', '<=', now.toISOString()).execute();
  }

  /** Approved or running requests nobody holds a lease on: work a stopped replica left unfinished. */
  /**
   * Approved or running requests nobody holds a lease on. With `workflowKind`, only those without a
   * workflow row or with one of that kind (a Private Link setup's own runner resumes it): a scan
   * that runs every few seconds must not read a thousand waiting setups, their sealed calls and
   * their states each time.
   */
  async interrupted(opts: { workflowKind?: string } = {}): Promise<Array<Pick<RequestRow, 'id' | 'state'>>> {
    const now = new Date().toISOString();
    let query = this.db
      .selectFrom('requests')
      .select(['requests.id', 'requests.state'])
      .where('requests.state', 'in', ['approved', 'running'])
      .where((eb) => eb.or([eb('requests.lease_owner', 'is', null), eb('requests.lease_until', '<', now)]));
    const kind = opts.workflowKind;
    if (kind !== undefined) {
      query = query.where((eb) => eb.not(eb.exists(eb.selectFrom('workflows').select('workflows.request_id').whereRef('workflows.request_id', '=', 'requests.id').where('workflows.kind', '!=', kind))));
    }
    return query.orderBy('requests.created_at').execute();
  }

  /** With `lease`, the workflow starts held by the replica that will run it (a crash then leaves it abandoned, not parked). */
  async insertWorkflow(requestId: string, kind: string, state: unknown, nextRunAt: string | null, lease?: WorkflowLease): Promise<void> {
    await this.db
      .insertInto('workflows')
      .values({
        request_id: requestId,
        kind,
        state_json: JSON.stringify(state),
        version: 1,
        active: 1,
        next_run_at: nextRunAt,
        updated_at: new Date().toISOString(),
        lease_owner: lease?.owner ?? null,
        lease_until: lease?.until ?? null,
      })
      .onConflict((oc) => oc.column('request_id').doNothing())
      .execute();
  }

  async getWorkflow(requestId: string): Promise<WorkflowRow | undefined> {
    return this.db.selectFrom('workflows').selectAll().where('request_id', '=', requestId).executeTakeFirst();
  }

  /**
   * Saves a workflow's next state only if nobody saved since `version` was read. With `lease`, the
   * saver holds the workflow from then on (null: nobody), in the same statement: a replica whose
   * save won under the version check may take the lease from another (the state moved under it).
   */
  async saveWorkflow(requestId: string, version: number, state: unknown, opts: { active: boolean; nextRunAt: string | null; lease?: WorkflowLease | null }): Promise<boolean> {
    const lease = opts.lease === undefined ? {} : { lease_owner: opts.lease?.owner ?? null, lease_until: opts.lease?.until ?? null };
    const result = await this.db
      .updateTable('workflows')
      .set({ state_json: JSON.stringify(state), version: version + 1, active: opts.active ? 1 : 0, next_run_at: opts.nextRunAt, updated_at: new Date().toISOString(), ...lease })
      .where('request_id', '=', requestId)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Active workflows whose lease ran out (abandoned by a replica that died or stopped): what a scan
   * needs to resume them (not their states). With `parked`, also those waiting for a person (at a
   * replica's start, which refreshes their cards).
   */
  async activeWorkflows(opts: { parked?: boolean } = {}): Promise<Array<Pick<WorkflowRow, 'request_id' | 'kind' | 'next_run_at'>>> {
    const now = new Date().toISOString();
    return this.db
      .selectFrom('workflows')
      .select(['request_id', 'kind', 'next_run_at'])
      .where('active', '=', 1)
      .where((eb) => (opts.parked ? eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<', now)]) : eb('lease_until', '<', now)))
      .orderBy('next_run_at')
      .execute();
  }

  /** How many requests are in each state (for the metrics endpoint). */
  async requestsByState(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('requests').select(['state', (eb) => eb.fn.countAll<string | number>().as('n')]).groupBy('state').execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /** How many active workflows are at each step (for the metrics endpoint). */
  async workflowsByStep(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('workflows').select('state_json').where('active', '=', 1).execute();
    const counts: Record<string, number> = {};
    for (const row of rows) {
      const step = workflowStepSchema.safeParse(JSON.parse(row.state_json));
      const key = step.success ? step.data.step : 'unknown';
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Nobody holds the lease, `owner` holds it already, or it ran out. */
function leaseFree(eb: ExpressionBuilder<Database, 'requests' | 'workflows'>, owner: string, now: Date) {
  return eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_until', '<', now.toISOString())]);
}

/** The conditional update and its event, inside the caller's transaction. */
async function transitionIn(tx: Transaction<Database>, t: Transition): Promise<boolean> {
  const at = (t.now ?? new Date()).toISOString();
  const current = await tx.selectFrom('requests').select('state').where('id', '=', t.id).executeTakeFirst();
  const result = await tx
    .updateTable('requests')
    .set({
      state: t.to,
      updated_at: at,
      ...(t.dropSecrets ? { sealed_call: null } : {}),
      ...(t.outcome !== undefined ? { outcome_json: JSON.stringify(t.outcome) } : {}),
      ...(t.lease ? { lease_owner: t.lease.owner, lease_until: new Date(Date.parse(at) + t.lease.ms).toISOString() } : {}),
    })
    .where('id', '=', t.id)
    .where('state', 'in', [...t.from])
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await addEvent(tx, { request_id: t.id, at, actor: t.actor, from_state: current?.state ?? null, to_state: t.to, note: t.note ?? null });
  return true;
}

async function addEvent(tx: Transaction<Database>, event: Omit<RequestEventsTable, 'id'>): Promise<void> {
  await tx.insertInto('request_events').values(event).execute();
}
