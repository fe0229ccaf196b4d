// The request lifecycle (SPEC §5): submit → pending → approved → running → succeeded | failed,
// or pending → rejected | expired | cancelled. Every change goes through the store's conditional
// transition, so a double click or two owners at once change a request exactly once.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { apiKeySecretOf, type Config, type Target } from '../config/file.js';
import { AtlasClient } from '../atlas/client.js';
import { createConnection, deleteConnection, getConnection } from '../atlas/streams.js';
import { SpconnError } from '../errors.js';
import { bindRequest, currentRequestId, forRequest, newRequestId } from '../logContext.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SecretCache } from '../secrets/apiKeys.js';
import { canonicalJson, type Sealer } from '../secrets/sealing.js';
import type { RequestRow, RequestStore } from '../store/requestStore.js';
import type { RequestState } from '../store/schema.js';
import { outcomeSchema, requestSummarySchema, shortDigest, storedCallSchema, type RequestSummary, type StoredCall } from './model.js';
import type { RequestNotifier } from './notifier.js';
import type { OwnerDirectory } from './owners.js';
import { AUDIT_LIMIT, type AuditEntry, type AuditReport } from '../modals/audit.js';
import type { CardContext } from '../modals/requestCard.js';
import type { AtlasConnectionBody } from '../connections/types.js';
import type { PrivateLinkPlan } from '../connections/privateLink.js';
import { ProjectPacer } from '../atlas/pacer.js';
import { deletePrivateLink } from '../atlas/privateLinks.js';
import type { EffectContext } from '../workflows/privateLinkEffects.js';
import { actionFor, checklist, initialState, waitingInstruction, type PlSay, type PlState } from '../workflows/privateLinkMachine.js';
import { PrivateLinkRunner, type PrivateLinkHost } from '../workflows/privateLinkRunner.js';

export interface RequestServiceDeps {
  config: Config;
  store: RequestStore;
  sealer: Sealer;
  secrets: SecretCache;
  owners: OwnerDirectory;
  notifier: RequestNotifier;
  logger: Logger;
  metrics?: Metrics;
  now?: () => Date;
}

interface NewRequestBase {
  /** The id chosen when the form opened (a second delivery of the same submission is ignored). */
  requestId?: string;
  target: Target;
  requesterId: string;
  channelId: string;
  summary: RequestSummary;
}

export interface NewCreateRequest extends NewRequestBase {
  body: AtlasConnectionBody;
  secretValues: string[];
}

export interface NewPrivateLinkRequest extends NewCreateRequest {
  plan: PrivateLinkPlan;
}

export interface NewDeleteRequest extends NewRequestBase {
  connectionName: string;
}

export type Decision = { ok: true; message?: string } | { ok: false; message: string };

export class RequestService implements PrivateLinkHost {
  private readonly atlasClients = new Map<string, AtlasClient>();
  private readonly running = new Set<Promise<void>>();
  private readonly pacer: ProjectPacer;
  readonly privateLinks: PrivateLinkRunner;
  /** This process among the replicas sharing the store; leases carry it. */
  private readonly announcing = new Set<string>();
  private scan: Promise<void> | undefined;
  readonly replicaId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(private readonly deps: RequestServiceDeps) {
    const { atlas, privateLink } = deps.config;
    this.pacer = new ProjectPacer(atlas.pacing.calls, atlas.pacing.per);
    this.privateLinks = new PrivateLinkRunner(
      deps.store,
      this,
      { pollMinMs: privateLink.pollMin, pollMaxMs: privateLink.pollMax, linkTimeoutMs: privateLink.linkTimeout, connectionTimeoutMs: privateLink.connectionTimeout },
      deps.logger,
      this.replicaId,
      deps.config.replicas.leaseTime,
    );
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }

  targetNamed(name: string): Target | undefined {
    return this.deps.config.targets.find((t) => t.name === name);
  }

  /** The targets a channel may use: all, except those restricted to other channels. */
  targetsFor(channelId: string): Target[] {
    return this.deps.config.targets.filter((t) => !t.channels || t.channels.includes(channelId));
  }

  atlasFor(target: Target): AtlasClient {
    const secretId = apiKeySecretOf(this.deps.config, target);
    let client = this.atlasClients.get(secretId);
    if (!client) {
      client = new AtlasClient({
        baseUrl: this.deps.config.atlas.baseUrl,
        apiKeySecret: secretId,
        secrets: this.deps.secrets,
        logger: this.deps.logger,
        timeoutMs: this.deps.config.atlas.requestTimeout,
        pacer: this.pacer,
        metrics: this.deps.metrics,
      });
      this.atlasClients.set(secretId, client);
    }
    return client;
  }

  /** Stores a new create request and posts its card. The caller has validated every field. */
  submitCreate(input: NewCreateRequest): Promise<RequestRow> {
    const path = `/groups/${input.target.projectId}/streams/${input.target.instance}/connections`;
    return this.inFlight(() =>
      this.submit(input, 'create', input.body.name, { method: 'POST', path, body: input.body, secretValues: input.secretValues }),
    );
  }

  /** The Private Link workflow's whole plan is what the owner approves. */
  submitPrivateLink(input: NewPrivateLinkRequest): Promise<RequestRow> {
    const path = `/groups/${input.target.projectId}/streams/${input.target.instance}/connections`;
    return this.inFlight(() =>
      this.submit(input, 'create', input.body.name, { method: 'PRIVATELINK', path, body: input.body, plan: input.plan, secretValues: input.secretValues }),
    );
  }

  /** A delete goes through the same approval as a create; the card shows what is deleted. */
  submitDelete(input: NewDeleteRequest): Promise<RequestRow> {
    const path = `/groups/${input.target.projectId}/streams/${input.target.instance}/connections/${encodeURIComponent(input.connectionName)}`;
    return this.inFlight(() => this.submit(input, 'delete', input.connectionName, { method: 'DELETE', path, secretValues: [] }));
  }

  private async submit(input: NewRequestBase, action: 'create' | 'delete', connectionName: string, call: StoredCall): Promise<RequestRow> {
    const { target } = input;
    const id = input.requestId ?? currentRequestId() ?? newRequestId();
    bindRequest(id);
    const now = this.now();
    const row: RequestRow = {
      id,
      action,
      connection_type: input.summary.typeLabel,
      connection_name: connectionName,
      target_name: target.name,
      requester_id: input.requesterId,
      channel_id: input.channelId,
      message_ts: null,
      state: 'pending',
      summary_json: JSON.stringify(input.summary),
      sealed_call: this.deps.sealer.seal(JSON.stringify(call), id),
      digest: this.digestOf(call),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.deps.config.approvals.expireAfter).toISOString(),
      updated_at: now.toISOString(),
      outcome_json: null,
      lease_owner: null,
      lease_until: null,
      notified_at: null,
    };
    if (!(await this.deps.store.insert(row, input.requesterId))) {
      // The same form submitted twice (a retried delivery, or one delivered to two replicas).
      this.deps.logger.info({ requestId: id }, 'request already submitted; not posting it again');
      return this.load(id);
    }
    let posted: { channel: string; ts: string };
    try {
      posted = await this.deps.notifier.postCard(await this.cardContext(row));
    } catch (err) {
      this.deps.logger.error({ err, requestId: id }, 'could not post the request card');
      await this.deps.store.transition({ id, from: ['pending'], to: 'cancelled', actor: 'spconn', note: 'card could not be posted', dropSecrets: true });
      throw new SpconnError(
        'SLACK_POST_FAILED',
        'spconn could not post the request in this channel. Invite the app to the channel (`/invite @spconn`) and try again.',
        { cause: err },
      );
    }
    await this.deps.store.setMessage(id, posted.channel, posted.ts);
    const stored = { ...row, channel_id: posted.channel, message_ts: posted.ts };
    await this.deps.notifier.pingOwners(await this.cardContext(stored), target);
    this.deps.logger.info({ requestId: id, action, target: target.name, connection: connectionName }, 'request submitted');
    return stored;
  }

  /** Who may decide: an owner of the target, and not the requester unless the target allows it. */
  private async authorise(row: RequestRow, actorId: string, verb: string): Promise<Target> {
    const target = this.targetNamed(row.target_name);
    if (!target) throw new SpconnError('NOT_AUTHORISED', `Target ${row.target_name} is no longer configured; nobody can ${verb} this request.`);
    if (!(await this.deps.owners.isOwner(target, actorId))) {
      throw new SpconnError('NOT_AUTHORISED', `Only an owner of *${target.name}* can ${verb} this request; you are not one of them. Nothing was changed.`);
    }
    if (actorId === row.requester_id && !target.allowSelfApproval) {
      throw new SpconnError('NOT_AUTHORISED', `You asked for this change, so another owner of *${target.name}* has to ${verb} it (four-eyes rule). Nothing was changed.`);
    }
    return target;
  }

  private async load(requestId: string): Promise<RequestRow> {
    const row = await this.deps.store.get(requestId);
    if (!row) throw new SpconnError('REQUEST_NOT_FOUND', `Request ${requestId} does not exist.`);
    return row;
  }

  private async notPending(row: RequestRow): Promise<SpconnError> {
    const events = await this.deps.store.events(row.id);
    const last = events.at(-1);
    const by = last && last.actor !== 'spconn' ? ` by <@${last.actor}>` : '';
    return new SpconnError('REQUEST_NOT_PENDING', `This request is already ${row.state}${by}; nothing was changed.`);
  }

  /** Approves and runs the request. Resolves when the decision is stored; the Atlas call runs on. */
  approve(requestId: string, actorId: string, digest: string | undefined): Promise<void> {
    bindRequest(requestId);
    return this.inFlight(() => this.doApprove(requestId, actorId, digest));
  }

  private async doApprove(requestId: string, actorId: string, digest: string | undefined): Promise<void> {
    let row = await this.load(requestId);
    if (row.state !== 'pending') throw await this.notPending(row);
    await this.authorise(row, actorId, 'approve');
    if (digest !== shortDigest(row.digest)) {
      throw new SpconnError('DIGEST_MISMATCH', 'This card does not show the request as it is stored; nothing was approved. Reload the message and look again.');
    }
    if (Date.parse(row.expires_at) <= this.now().getTime()) {
      await this.expire(row);
      throw new SpconnError('REQUEST_NOT_PENDING', 'This request has expired; ask the requester to submit it again.');
    }
    if (!(await this.deps.store.transition({ id: row.id, from: ['pending'], to: 'approved', actor: actorId }))) {
      throw await this.notPending((await this.deps.store.get(requestId)) ?? row);
    }
    row = { ...row, state: 'approved' };
    this.deps.logger.info({ requestId, approver: actorId }, 'request approved');
    await this.deps.notifier.reply({ row }, `Approved by <@${actorId}>. Calling Atlas…`);
    this.track(this.execute(row.id));
  }

  reject(requestId: string, actorId: string, reason: string): Promise<void> {
    bindRequest(requestId);
    return this.inFlight(() => this.doReject(requestId, actorId, reason));
  }

  private async doReject(requestId: string, actorId: string, reason: string): Promise<void> {
    const row = await this.load(requestId);
    if (row.state !== 'pending') throw await this.notPending(row);
    await this.authorise(row, actorId, 'reject');
    if (!(await this.deps.store.transition({ id: row.id, from: ['pending'], to: 'rejected', actor: actorId, note: reason || undefined, dropSecrets: true }))) {
      throw await this.notPending((await this.deps.store.get(requestId)) ?? row);
    }
    await this.refreshCard(row.id);
    const why = reason ? `: “${reason}”` : '.';
    await this.deps.notifier.reply({ row }, `<@${row.requester_id}> your request was rejected by <@${actorId}>${why}`);
  }

  /** May be checked without side effects before opening the reject modal. */
  async assertCanDecide(requestId: string, actorId: string, verb: string): Promise<RequestRow> {
    bindRequest(requestId);
    const row = await this.load(requestId);
    if (row.state !== 'pending') throw await this.notPending(row);
    await this.authorise(row, actorId, verb);
    return row;
  }

  cancel(requestId: string, actorId: string): Promise<void> {
    bindRequest(requestId);
    return this.inFlight(() => this.doCancel(requestId, actorId));
  }

  private async doCancel(requestId: string, actorId: string): Promise<void> {
    const row = await this.load(requestId);
    if (row.requester_id !== actorId) {
      throw new SpconnError('NOT_AUTHORISED', 'Only the requester can cancel a request; owners can reject it instead. Nothing was changed.');
    }
    if (!(await this.deps.store.transition({ id: row.id, from: ['pending'], to: 'cancelled', actor: actorId, dropSecrets: true }))) {
      throw await this.notPending((await this.deps.store.get(requestId)) ?? row);
    }
    await this.refreshCard(row.id);
    await this.deps.notifier.reply({ row }, `Cancelled by <@${actorId}>.`);
  }

  /** Expires every pending request past its deadline; their secrets are dropped, the audit trail stays. */
  expireDue(): Promise<number> {
    return this.inFlight(() => this.doExpireDue());
  }

  private async doExpireDue(): Promise<number> {
    const due = await this.deps.store.pendingExpiredBy(this.now());
    for (const row of due) await this.expire(row);
    return due.length;
  }

  private async expire(row: RequestRow): Promise<void> {
    if (await this.deps.store.transition({ id: row.id, from: ['pending'], to: 'expired', actor: 'spconn', dropSecrets: true })) {
      await this.refreshCard(row.id);
      await this.deps.notifier.reply({ row }, `<@${row.requester_id}> this request expired before an owner decided. Submit it again if it is still needed.`);
    }
  }

  /** Finishes work a stopped process left approved or running; a create looks before it creates. */
  async resumeInterrupted(): Promise<void> {
    await this.deps.store.clearLeasesIfSingleProcess();
    await this.privateLinks.resumeAll({ refreshCards: true });
    await this.takeOverAbandoned();
  }

  /**
   * Posts an ended request's outcome in its thread and brings the card up to date, then marks it
   * told. Posting before marking means a replica that dies in between leaves it to be posted again
   * (at least once) rather than never.
   */
  private async announceOutcome(requestId: string): Promise<void> {
    // One teller at a time: in this process (a slow post overlapping the next scan), and across
    // replicas (the lease; the replica that ran the request still holds it).
    if (this.announcing.has(requestId)) return;
    this.announcing.add(requestId);
    try {
      if (!(await this.deps.store.claimAnnouncement(requestId, this.replicaId, this.deps.config.replicas.leaseTime))) return;
      const row = await this.load(requestId);
      if (row.notified_at) return;
      await this.refreshCard(requestId);
      const message = row.outcome_json ? outcomeSchema.parse(JSON.parse(row.outcome_json)).message : `The request ${row.state}.`;
      const icon = row.state === 'succeeded' ? ':white_check_mark:' : row.state === 'cancelled' ? ':heavy_multiplication_x:' : ':x:';
      await this.deps.notifier.reply({ row }, `${icon} <@${row.requester_id}> ${message}`);
      await this.deps.store.markNotified(requestId);
    } finally {
      this.announcing.delete(requestId);
    }
  }

  /** Work whose lease ran out (its replica died) is taken over here; run periodically. */
  takeOverAbandoned(): Promise<void> {
    // A scan that outlasts the interval is not started again on top of itself.
    this.scan ??= this.scanOnce().finally(() => (this.scan = undefined));
    return this.scan;
  }

  private async scanOnce(): Promise<void> {
    for (const row of await this.deps.store.unnotified(this.deps.config.replicas.leaseTime)) {
      this.deps.logger.info({ requestId: row.id }, 'posting an outcome a stopped replica did not post');
      await this.announceOutcome(row.id);
    }
    await this.privateLinks.resumeAll({ refreshCards: false });
    for (const row of await this.deps.store.interrupted()) {
      if (await this.deps.store.getWorkflow(row.id)) continue;
      this.deps.logger.info({ requestId: row.id, state: row.state }, 'resuming interrupted request');
      this.track(this.execute(row.id, true));
    }
  }

  /** `/spconn audit`: recent requests on the targets `userId` owns (or on the one named, if an owner of it). */
  async audit(userId: string, targetName: string | undefined, days: number): Promise<AuditReport> {
    const named = targetName === undefined ? undefined : this.targetNamed(targetName);
    if (targetName !== undefined && !named) {
      const known = this.deps.config.targets.map((t) => t.name).join(', ');
      throw new SpconnError('UNKNOWN_TARGET', `There is no target \`${targetName.slice(0, 40)}\`. Targets: ${known}.`);
    }
    const owned: Target[] = [];
    for (const target of named ? [named] : this.deps.config.targets) {
      if (await this.deps.owners.isOwner(target, userId)) owned.push(target);
    }
    if (owned.length === 0) {
      throw new SpconnError(
        'NOT_AUTHORISED',
        named ? `Only an owner of *${named.name}* can see its audit trail.` : 'The audit trail is for owners of a spconn target, and you are not one.',
      );
    }
    const since = new Date(this.now().getTime() - days * 86_400_000);
    const { rows, total, events } = await this.deps.store.recentRequests(owned.map((t) => t.name), since, AUDIT_LIMIT);
    const entries = rows.map((row): AuditEntry => {
      const summary = requestSummarySchema.parse(JSON.parse(row.summary_json));
      const decided = events.find((e) => e.request_id === row.id && (e.to_state === 'approved' || e.to_state === 'rejected' || e.to_state === 'cancelled'));
      return {
        id: row.id,
        createdAt: row.created_at,
        action: row.action,
        typeLabel: summary.typeLabel,
        connectionName: row.connection_name,
        target: row.target_name,
        requesterId: row.requester_id,
        state: row.state,
        ...(decided && decided.actor !== 'spconn'
          ? { decision: { verb: decided.to_state as 'approved' | 'rejected' | 'cancelled', by: decided.actor, ...(decided.note ? { note: decided.note } : {}) } }
          : {}),
        fields: summary.fields,
        ...(row.outcome_json ? { outcome: outcomeSchema.parse(JSON.parse(row.outcome_json)).message } : {}),
      };
    });
    return { targets: owned.map((t) => t.name), days, entries, total };
  }

  /** The caller's open requests, one line each, for `/spconn status`. */
  async openRequests(userId: string, teamDomain: string, requestId?: string): Promise<string> {
    const rows = (await this.deps.store.openRequestsOf(userId)).filter((r) => !requestId || r.id === requestId);
    if (rows.length === 0) return requestId ? `You have no open request \`${requestId.slice(0, 20)}\`.` : 'You have no open requests.';
    const lines = rows.map((r) => {
      const card = r.message_ts && teamDomain ? ` · <https://${teamDomain}.slack.com/archives/${r.channel_id}/p${r.message_ts.replace('.', '')}|card>` : ` in <#${r.channel_id}>`;
      return `• \`${r.id}\` ${r.action} \`${r.connection_name}\` in *${r.target_name}*: ${r.state}${card}`;
    });
    return `Your open requests:\n${lines.join('\n')}`;
  }

  /** Waits for every operation and Atlas call in flight (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await this.privateLinks.idle();
  }

  /** Stops background work; what was in flight is saved and resumes at the next start. */
  async stop(): Promise<void> {
    await this.idle();
    await this.privateLinks.stop();
    await this.idle();
    // Hand the work back at once rather than when the leases run out.
    await this.deps.store.releaseAll(this.replicaId);
  }

  // ---- PrivateLinkHost: what the Private Link runner needs from the request it belongs to ----

  async effectContext(requestId: string): Promise<EffectContext> {
    const row = await this.load(requestId);
    const target = this.targetNamed(row.target_name);
    if (!target) throw new SpconnError('NOT_AUTHORISED', `Target ${row.target_name} is no longer configured.`);
    if (!row.sealed_call) throw new SpconnError('ENCRYPTION_FAILED', 'The request no longer holds its connection details.');
    const call = storedCallSchema.parse(JSON.parse(this.deps.sealer.open(row.sealed_call, row.id)));
    return { atlas: this.atlasFor(target), at: target, body: call.body as AtlasConnectionBody, secretValues: call.secretValues };
  }

  async say(requestId: string, say: PlSay): Promise<void> {
    const row = await this.load(requestId);
    await this.deps.notifier.replyWithButtons({ row }, say.text, say.prompt ? { requestId, step: say.prompt } : undefined, say.offerLinkDeletion);
  }

  async finish(requestId: string, state: PlState): Promise<void> {
    const row = await this.load(requestId);
    const to: RequestState = state.step === 'done' ? 'succeeded' : state.step === 'cancelled' ? 'cancelled' : 'failed';
    const message =
      state.step === 'done'
        ? `Kafka connection \`${row.connection_name}\` is READY over Private Link \`${state.linkId}\`${state.reused ? ' (reused)' : ''}.`
        : (state.outcome ?? 'The setup ended.');
    if (!(await this.deps.store.transition({ id: requestId, from: ['running'], to, actor: 'spconn', dropSecrets: true, outcome: { message } }))) return;
    await this.announceOutcome(requestId);
  }

  /** Done or Cancel on a setup: the requester or an owner of the target only. */
  async workflowEvent(requestId: string, actorId: string, event: 'done' | 'cancel', step?: string): Promise<void> {
    bindRequest(requestId);
    const row = await this.load(requestId);
    const target = this.targetNamed(row.target_name);
    const allowed = actorId === row.requester_id || (target !== undefined && (await this.deps.owners.isOwner(target, actorId)));
    if (!allowed) throw new SpconnError('NOT_AUTHORISED', 'Only the requester or an owner of the target can do that in this setup. Nothing was changed.');
    const current = await this.privateLinks.state(requestId);
    if (!current || (event === 'done' && current.step !== step)) {
      throw new SpconnError('REQUEST_NOT_PENDING', 'This setup is no longer waiting for that; nothing was changed.');
    }
    const result = await this.privateLinks.event(requestId, event === 'done' ? { kind: 'done_clicked', by: actorId } : { kind: 'cancel', by: actorId });
    if (!result.applied) throw new SpconnError('REQUEST_NOT_PENDING', 'This setup has already moved on or ended; nothing was changed.');
  }

  /** An owner's decision to delete a link a cancelled or failed setup created. */
  async deleteLeftoverLink(requestId: string, actorId: string, linkId: string): Promise<void> {
    bindRequest(requestId);
    const row = await this.load(requestId);
    const target = this.targetNamed(row.target_name);
    if (!target || !(await this.deps.owners.isOwner(target, actorId))) {
      throw new SpconnError('NOT_AUTHORISED', 'Only an owner of the target can delete a Private Link. Nothing was changed.');
    }
    const state = await this.privateLinks.state(requestId);
    if (!state || state.linkId !== linkId || !state.linkCreatedByUs || (state.step !== 'cancelled' && state.step !== 'failed')) {
      throw new SpconnError('REQUEST_NOT_PENDING', 'spconn only deletes a Private Link that a cancelled or failed setup created.');
    }
    await deletePrivateLink(this.atlasFor(target), target.projectId, linkId);
    await this.deps.notifier.reply({ row }, `Private Link \`${linkId}\` deleted by <@${actorId}>.`);
  }

  /** Runs an operation that shutdown must wait for, passing its result or error through. */
  private inFlight<T>(operation: () => Promise<T>): Promise<T> {
    const work = operation();
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
    return work;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => this.deps.logger.error({ err }, 'request execution failed unexpectedly'));
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  private execute(requestId: string, resuming = false): Promise<void> {
    return forRequest(requestId, () => this.executeLeased(requestId, resuming));
  }

  private async executeLeased(requestId: string, resuming: boolean): Promise<void> {
    // With several replicas, the one holding the lease does the work; the others leave it.
    const leaseTime = this.deps.config.replicas.leaseTime;
    if (!(await this.deps.store.claimRequest(requestId, this.replicaId, leaseTime))) return;
    // Renew the lease while the Atlas call runs, so no other replica takes over work in progress.
    const heartbeat = setInterval(() => void this.deps.store.claimRequest(requestId, this.replicaId, leaseTime).catch(() => undefined), leaseTime / 3);
    heartbeat.unref();
    try {
      await this.executeClaimed(requestId, resuming);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async executeClaimed(requestId: string, resuming: boolean): Promise<void> {
    const row = await this.load(requestId);
    const target = this.targetNamed(row.target_name);
    const claimed = await this.deps.store.transition({ id: row.id, from: resuming ? ['approved', 'running'] : ['approved'], to: 'running', actor: 'spconn' });
    if (!claimed) return;
    await this.refreshCard(row.id);
    let outcome: { state: RequestState; message: string; atlasState?: string };
    try {
      if (!target) throw new SpconnError('NOT_AUTHORISED', `Target ${row.target_name} is no longer configured.`);
      if (!row.sealed_call) throw new SpconnError('ENCRYPTION_FAILED', 'The request no longer holds its Atlas call.');
      const call = storedCallSchema.parse(JSON.parse(this.deps.sealer.open(row.sealed_call, row.id)));
      if (this.digestOf(call) !== row.digest) {
        throw new SpconnError('DIGEST_MISMATCH', 'The stored Atlas call does not match what was approved; nothing was sent.');
      }
      if (call.method === 'PRIVATELINK') {
        // The workflow takes it from here and ends the request when it finishes.
        await this.privateLinks.start(row.id, initialState(call.plan!));
        return;
      }
      outcome = await this.perform(target, row, call, resuming);
    } catch (err) {
      const message = err instanceof SpconnError ? err.userMessage : 'spconn hit an unexpected error; an operator can find it in the logs.';
      this.deps.logger.error({ err, requestId }, 'Atlas call failed');
      outcome = { state: 'failed', message };
    }
    const ended = await this.deps.store.transition({
      id: row.id,
      from: ['running'],
      to: outcome.state,
      actor: 'spconn',
      dropSecrets: true,
      outcome: { message: outcome.message, state: outcome.atlasState },
    });
    // Another replica that took over ended it first: the request ends once, and says so once.
    if (!ended) return;
    await this.announceOutcome(requestId);
  }

  /** The approved Atlas call itself; each kind is safe to repeat after a crash or an ambiguous failure. */
  private async perform(target: Target, row: RequestRow, call: StoredCall, resuming: boolean): Promise<{ state: RequestState; message: string; atlasState?: string }> {
    const atlas = this.atlasFor(target);
    if (call.method === 'DELETE') {
      const existing = resuming ? await getConnection(atlas, target, row.connection_name) : true;
      if (existing) await deleteConnection(atlas, target, row.connection_name, { alreadyGoneIsSuccess: true });
      return { state: 'succeeded', message: `Connection \`${row.connection_name}\` is deleted from ${target.instance}.` };
    }
    const body = call.body as AtlasConnectionBody;
    // A replica that died may have created it already: look before creating when taking over.
    const created = (resuming ? await getConnection(atlas, target, body.name) : undefined) ?? (await createConnection(atlas, target, body, call.secretValues));
    const state = created.state;
    return {
      state: 'succeeded',
      atlasState: state,
      message:
        state && state !== 'READY'
          ? `Atlas accepted connection \`${body.name}\`; its state is ${state}. It can take a while to become READY.`
          : `Connection \`${body.name}\` is created in ${target.instance} and ready to use.`,
    };
  }

  private digestOf(call: StoredCall): string {
    return this.deps.sealer.digest(canonicalJson({ method: call.method, path: call.path, body: call.body ?? null, plan: call.plan ?? null }));
  }

  async cardContext(row: RequestRow): Promise<CardContext> {
    const summary = requestSummarySchema.parse(JSON.parse(row.summary_json));
    const events = await this.deps.store.events(row.id);
    const decision = [...events].reverse().find((e) => e.actor !== 'spconn' && e.to_state !== 'pending');
    const outcome = row.outcome_json ? outcomeSchema.parse(JSON.parse(row.outcome_json)).message : undefined;
    const workflow = await this.privateLinks.state(row.id);
    return {
      row,
      summary,
      decidedBy: decision?.actor,
      outcome,
      ...(workflow
        ? {
            checklist: checklist(workflow),
            cancellable: actionFor(workflow).kind !== 'finished',
            waiting: waitingInstruction(workflow) ? { step: workflow.step, instruction: waitingInstruction(workflow)! } : undefined,
          }
        : {}),
    };
  }

  async refreshCard(requestId: string): Promise<void> {
    const row = await this.deps.store.get(requestId);
    if (row) await this.deps.notifier.updateCard(await this.cardContext(row));
  }
}
