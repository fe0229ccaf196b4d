// People's decisions on a pending request: approve, reject, cancel, and spconn's own expiry. Each
// is checked by the pure rules in lifecycle.ts against the request as stored, then applied by one
// conditional store transition, so two clicks at once decide a request exactly once.
import type { Config } from '../config/file.js';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';
import { bindRequest } from '../logContext.js';
import { targetNamed } from '../management/targets.js';
import { approvedReply } from '../modals/threadMessages.js';
import type { RequestRow, RequestStore } from '../store/requestStore.js';
import type { RequestAnnouncer } from './announcements.js';
import type { RequestExecution } from './execution.js';
import { checkDecision, notPending, SPCONN_ACTOR, type Verb } from './lifecycle.js';
import { loadRequest } from './model.js';
import type { RequestNotifier } from './notifier.js';
import type { OwnerDirectory } from './owners.js';
import type { WorkInFlight } from './work.js';

export interface DecisionDeps {
  config: Config;
  store: RequestStore;
  owners: OwnerDirectory;
  notifier: RequestNotifier;
  announcer: RequestAnnouncer;
  execution: RequestExecution;
  work: WorkInFlight;
  logger: Logger;
  now: () => Date;
  /** This process among the replicas: an approval is leased to it at once. */
  replicaId: string;
}

export class RequestDecisions {
  constructor(private readonly deps: DecisionDeps) {}

  /** Approves and starts the run. Resolves when the decision is stored; the Atlas call runs on. */
  approve(requestId: string, actorId: string, shownDigest: string | undefined): Promise<void> {
    bindRequest(requestId);
    return this.deps.work.run(async () => {
      const row = await this.checked('approve', requestId, actorId, shownDigest);
      const { store, config, replicaId } = this.deps;
      // The approval and the lease are one change: no take-over scan can see it approved and unheld.
      const approved = await store.transition({ id: row.id, from: ['pending'], to: 'approved', actor: actorId, lease: { owner: replicaId, ms: config.replicas.leaseTime } });
      if (!approved) throw await this.lostRace(requestId);
      this.deps.logger.info({ requestId, approver: actorId }, 'request approved');
      await this.deps.notifier.reply({ row }, approvedReply(actorId));
      this.deps.execution.start(row.id, { resuming: false });
    });
  }

  reject(requestId: string, actorId: string, reason: string): Promise<void> {
    bindRequest(requestId);
    return this.deps.work.run(async () => {
      const row = await this.checked('reject', requestId, actorId);
      await this.end(row, 'rejected', actorId, reason || undefined);
    });
  }

  cancel(requestId: string, actorId: string): Promise<void> {
    bindRequest(requestId);
    return this.deps.work.run(async () => {
      const row = await this.checked('cancel', requestId, actorId);
      await this.end(row, 'cancelled', actorId);
    });
  }

  /** Throws the refusal `verb` would meet now, changing nothing (before opening the reject modal). */
  async assertMay(verb: Verb, requestId: string, actorId: string): Promise<RequestRow> {
    bindRequest(requestId);
    return this.checked(verb, requestId, actorId, undefined, { expireIfDue: false });
  }

  /** Expires every pending request past its deadline; their secrets are dropped, the audit trail stays. */
  expireDue(): Promise<number> {
    return this.deps.work.run(async () => {
      const due = await this.deps.store.pendingExpiredBy(this.deps.now());
      for (const row of due) await this.expire(row);
      return due.length;
    });
  }

  private async checked(verb: Verb, requestId: string, actorId: string, shownDigest?: string, opts = { expireIfDue: true }): Promise<RequestRow> {
    const row = await loadRequest(this.deps.store, requestId);
    const target = targetNamed(this.deps.config, row.target_name);
    const check = checkDecision({
      verb,
      request: { state: row.state, requesterId: row.requester_id, expiresAt: row.expires_at, digest: row.digest },
      actorId,
      target,
      actorIsOwner: target !== undefined && verb !== 'cancel' && (await this.deps.owners.isOwner(target, actorId)),
      ...(shownDigest !== undefined ? { shownDigest } : {}),
      lastActor: row.state === 'pending' ? undefined : await this.lastActor(row.id),
      now: this.deps.now(),
    });
    if (check.ok) return row;
    if (check.expire && opts.expireIfDue) await this.expire(row);
    throw new SpconnError(check.code, check.message);
  }

  private async expire(row: RequestRow): Promise<void> {
    await this.end(row, 'expired', SPCONN_ACTOR);
  }

  /** Ends a pending request; its outcome is told by the announcer (at least once). */
  private async end(row: RequestRow, to: 'rejected' | 'cancelled' | 'expired', actorId: string, note?: string): Promise<void> {
    const ended = await this.deps.store.transition({ id: row.id, from: ['pending'], to, actor: actorId, ...(note ? { note } : {}), dropSecrets: true });
    if (!ended) {
      if (to === 'expired') return;
      throw await this.lostRace(row.id);
    }
    await this.deps.announcer.announce(row.id);
  }

  private async lastActor(requestId: string): Promise<string | undefined> {
    return (await this.deps.store.events(requestId)).at(-1)?.actor;
  }

  /** Someone else decided first: say who, as the store has it now. */
  private async lostRace(requestId: string): Promise<SpconnError> {
    const row = await loadRequest(this.deps.store, requestId);
    const refusal = notPending(row.state, await this.lastActor(requestId));
    return new SpconnError(refusal.code, refusal.message);
  }
}
