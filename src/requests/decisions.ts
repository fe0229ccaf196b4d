// People's decisions on a pending request: approve, reject, cancel, and spconn's own expiry. Each
// is checked by the pure rules in lifecycle.ts against the request as stored, then applied by one
// conditional store transition, so two clicks at once decide a request exactly once.
import type { Config } from '../config/file.js';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';
import { bindRequest } from '../logContext.js';
import { targetNamed } from '../management/targets.js';
import { approvedReply, partialApprovalReply, quorumApprovedReply } from '../modals/threadMessages.js';
import type { ListedRequest, RequestRow, RequestStore } from '../store/requestStore.js';
import type { RequestAnnouncer } from './announcements.js';
import type { RequestCards } from './cards.js';
import type { RequestExecution } from './execution.js';
import { alreadyApproved, approvalsRequiredFor, checkDecision, escalationStartsAt, notPending, quorumActionOf, SPCONN_ACTOR, type Verb } from './lifecycle.js';
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
  /** Keeps the card's "1 of 2 approvals" current after an approval that does not yet make the quorum. */
  cards?: RequestCards;
}

export class RequestDecisions {
  constructor(private readonly deps: DecisionDeps) {}

  /**
   * Counts the approval and, once the target's quorum of distinct approvals is met, approves and
   * starts the run. Resolves when the approval is stored; the Atlas call runs on.
   */
  approve(requestId: string, actorId: string, shownDigest: string | undefined): Promise<void> {
    bindRequest(requestId);
    return this.deps.work.run(async () => {
      const { row, required } = await this.inspect('approve', requestId, actorId, shownDigest);
      const { store, config, replicaId } = this.deps;
      // The count, the approval and the lease are one change: racing approvals meet the quorum once,
      // and no take-over scan can see the request approved and unheld.
      const result = await store.approve({
        id: row.id,
        approver: actorId,
        required,
        lease: { owner: replicaId, ms: config.replicas.leaseTime },
        // The audit trail's approval event names every approver of a quorum, not only the last.
        noteOf: (approvers) => (required > 1 ? `${approvers.length} of ${required} approvals: ${approvers.join(', ')}` : undefined),
        now: this.deps.now(),
      });
      switch (result.kind) {
        case 'not-pending':
          throw await this.lostRace(requestId);
        case 'duplicate':
          throw new SpconnError('ALREADY_APPROVED', alreadyApproved(row.target_name, result.approvers.length, required).message);
        case 'counted':
          this.deps.logger.info({ requestId, approver: actorId, approvals: result.approvers.length, required }, 'approval counted');
          await this.deps.notifier.reply({ row }, partialApprovalReply(actorId, result.approvers.length, required));
          await this.deps.cards?.refresh(row.id);
          return;
        case 'approved':
          this.deps.logger.info({ requestId, approver: actorId, approvals: result.approvers.length }, 'request approved');
          await this.deps.notifier.reply({ row }, required > 1 ? quorumApprovedReply(result.approvers) : approvedReply(actorId));
          this.deps.execution.start(row.id, { resuming: false });
      }
    });
  }

  /**
   * spconn approves a request itself (a rotation on a target with `rotation: auto`): the approval
   * row names spconn, so the audit trail shows who decided, and the run starts at once.
   */
  approveAsSpconn(requestId: string, why: string): Promise<void> {
    bindRequest(requestId);
    return this.deps.work.run(async () => {
      const row = await this.deps.store.get(requestId);
      if (!row) return;
      const result = await this.deps.store.approve({
        id: row.id,
        approver: SPCONN_ACTOR,
        required: 1,
        lease: { owner: this.deps.replicaId, ms: this.deps.config.replicas.leaseTime },
        noteOf: () => why,
        now: this.deps.now(),
      });
      if (result.kind !== 'approved') return;
      this.deps.logger.info({ requestId, approver: SPCONN_ACTOR }, 'request approved by spconn itself');
      await this.deps.notifier.reply({ row }, `Approved by spconn itself: ${why}. Calling Atlas…`);
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
    return (await this.inspect(verb, requestId, actorId, shownDigest, opts)).row;
  }

  /** The request, checked for `verb` by `actorId`, with the number of approvals it needs. */
  private async inspect(verb: Verb, requestId: string, actorId: string, shownDigest?: string, opts = { expireIfDue: true }): Promise<{ row: RequestRow; required: number }> {
    const row = await loadRequest(this.deps.store, requestId);
    const { config, owners } = this.deps;
    const target = targetNamed(config, row.target_name);
    const required = target ? approvalsRequiredFor(target, quorumActionOf({ action: row.action, callKind: row.call_kind })) : 1;
    const actorIsOwner = target !== undefined && verb !== 'cancel' && (await owners.isOwner(target, actorId));
    const escalatesAt = target ? escalationStartsAt(row.created_at, config.approvals.escalateAfter, target.escalateTo !== undefined) : undefined;
    const approvals = verb === 'approve' && row.state === 'pending' ? await this.deps.store.approvals(row.id) : [];
    const check = checkDecision({
      verb,
      request: { state: row.state, requesterId: row.requester_id, expiresAt: row.expires_at, digest: row.digest },
      actorId,
      target,
      actorIsOwner,
      ...(shownDigest !== undefined ? { shownDigest } : {}),
      lastActor: row.state === 'pending' ? undefined : await this.lastActor(row.id),
      now: this.deps.now(),
      actorIsEscalation: target !== undefined && verb !== 'cancel' && !actorIsOwner && (await owners.isEscalation(target, actorId)),
      ...(escalatesAt ? { escalatesAt } : {}),
      approvalsRequired: required,
      approvedBy: approvals.filter((a) => a.digest === row.digest).map((a) => a.approver_id),
    });
    if (check.ok) return { row, required };
    if (check.expire && opts.expireIfDue) await this.expire(row);
    throw new SpconnError(check.code, check.message);
  }

  private async expire(row: ListedRequest): Promise<void> {
    await this.end(row, 'expired', SPCONN_ACTOR);
  }

  /** Ends a pending request; its outcome is told by the announcer (at least once). */
  private async end(row: ListedRequest, to: 'rejected' | 'cancelled' | 'expired', actorId: string, note?: string): Promise<void> {
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
