// A request's Private Link setup (README, "The Private Link setup") as seen from the request: what the runner needs from
// it (the sealed call, the thread, the card, the end), and people's Done / Cancel / Delete link.
// The setup itself is src/workflows/ (pure machine, idempotent effects, persisting runner).
import type { AtlasClients } from '../atlas/clients.js';
import { deletePrivateLink } from '../atlas/privateLinks.js';
import type { Config } from '../config/file.js';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';
import { bindRequest } from '../logContext.js';
import { escapeMrkdwn } from '../modals/blocks.js';
import { targetNamed } from '../management/targets.js';
import type { Sealer } from '../secrets/sealing.js';
import type { RequestStore } from '../store/requestStore.js';
import type { EffectContext } from '../workflows/privateLinkEffects.js';
import { initialState, leftoverLink, type PlSay, type PlState } from '../workflows/privateLinkMachine.js';
import { PrivateLinkRunner, type PrivateLinkHost } from '../workflows/privateLinkRunner.js';
import { SharedPoller } from '../workflows/sharedPoller.js';
import type { PlanOf } from './calls.js';
import { readStoredCall } from './calls.js';
import type { RequestAnnouncer } from './announcements.js';
import type { RequestCards } from './cards.js';
import { SPCONN_ACTOR } from './lifecycle.js';
import { loadRequest } from './model.js';
import type { RequestNotifier } from './notifier.js';
import type { OwnerDirectory } from './owners.js';

export interface SetupDeps {
  config: Config;
  store: RequestStore;
  sealer: Sealer;
  atlas: AtlasClients;
  owners: OwnerDirectory;
  notifier: RequestNotifier;
  cards: RequestCards;
  announcer: RequestAnnouncer;
  logger: Logger;
  replicaId: string;
}

export class PrivateLinkSetups implements PrivateLinkHost {
  readonly runner: PrivateLinkRunner;
  /** One list call per project serves every setup of this process that polls about then. */
  private readonly poller = new SharedPoller();

  constructor(private readonly deps: SetupDeps) {
    const { privateLink, replicas } = deps.config;
    this.runner = new PrivateLinkRunner(
      deps.store,
      this,
      { pollMinMs: privateLink.pollMin, pollMaxMs: privateLink.pollMax, linkTimeoutMs: privateLink.linkTimeout, connectionTimeoutMs: privateLink.connectionTimeout },
      deps.logger,
      deps.replicaId,
      replicas.leaseTime,
    );
  }

  start(requestId: string, plan: PlanOf<'privatelink'>): Promise<void> {
    return this.runner.start(requestId, initialState(plan));
  }

  // ---- PrivateLinkHost ----

  async effectContext(requestId: string): Promise<EffectContext> {
    const row = await loadRequest(this.deps.store, requestId);
    const target = targetNamed(this.deps.config, row.target_name);
    if (!target) throw new SpconnError('TARGET_REMOVED', `Target ${row.target_name} is no longer configured.`);
    if (!row.sealed_call) throw new SpconnError('REQUEST_ENDED', 'The request no longer holds its connection details.');
    const opened = readStoredCall(this.deps.sealer.open(row.sealed_call, row.id));
    if (!opened || opened.call.kind !== 'privatelink') throw new SpconnError('REQUEST_ENDED', 'The request holds no Private Link setup.');
    return {
      atlas: this.deps.atlas.for(target),
      at: opened.call.at,
      body: opened.call.body,
      secretValues: opened.call.secretValues,
      shared: { poller: this.poller, timing: { pollMinMs: this.deps.config.privateLink.pollMin, pollMaxMs: this.deps.config.privateLink.pollMax }, now: Date.now },
    };
  }

  async say(requestId: string, say: PlSay): Promise<void> {
    const row = await loadRequest(this.deps.store, requestId);
    await this.deps.notifier.replyWithButtons({ row }, say.text, say.prompt ? { requestId, step: say.prompt } : undefined);
  }

  refreshCard(requestId: string): Promise<void> {
    return this.deps.cards.refresh(requestId);
  }

  async finish(requestId: string, state: PlState): Promise<void> {
    const row = await loadRequest(this.deps.store, requestId);
    const to = state.step === 'done' ? 'succeeded' : state.step === 'cancelled' ? 'cancelled' : 'failed';
    const message =
      state.step === 'done'
        ? `Kafka connection \`${row.connection_name}\` is READY over Private Link \`${escapeMrkdwn(state.linkId ?? '')}\`${state.reused ? ' (reused)' : ''}.`
        : (state.outcome ?? 'The setup ended.');
    const actor = state.step === 'cancelled' && state.stoppedBy ? state.stoppedBy : SPCONN_ACTOR;
    // The replica that ends the setup tells it, so it takes the request's lease with the end. The
    // replica that approved the request may still hold it (a setup moves between replicas), and
    // the announcement would otherwise wait for that lease to run out: minutes, not milliseconds.
    const lease = { owner: this.deps.replicaId, ms: this.deps.config.replicas.leaseTime };
    if (!(await this.deps.store.transition({ id: requestId, from: ['running'], to, actor, dropSecrets: true, outcome: { message }, lease }))) return;
    await this.deps.announcer.announce(requestId);
  }

  // ---- people ----

  /** Done or Cancel on a setup: the requester or an owner of the target only. */
  async personActed(requestId: string, actorId: string, event: 'done' | 'cancel', step?: string): Promise<void> {
    bindRequest(requestId);
    const row = await loadRequest(this.deps.store, requestId);
    const target = targetNamed(this.deps.config, row.target_name);
    const allowed = actorId === row.requester_id || (target !== undefined && (await this.deps.owners.isOwner(target, actorId)));
    if (!allowed) throw new SpconnError('NOT_AUTHORISED', 'Only the requester or an owner of the target can do that in this setup. Nothing was changed.');
    const current = await this.runner.state(requestId);
    if (!current || (event === 'done' && current.step !== step)) {
      throw new SpconnError('REQUEST_NOT_PENDING', 'This setup is no longer waiting for that; nothing was changed.');
    }
    const result = await this.runner.event(requestId, event === 'done' ? { kind: 'done_clicked', by: actorId } : { kind: 'cancel', by: actorId });
    if (!result.applied) throw new SpconnError('REQUEST_NOT_PENDING', 'This setup has already moved on or ended; nothing was changed.');
  }

  /** An owner's decision to delete a link a cancelled or failed setup created. */
  async deleteLeftoverLink(requestId: string, actorId: string, linkId: string): Promise<void> {
    bindRequest(requestId);
    const row = await loadRequest(this.deps.store, requestId);
    const target = targetNamed(this.deps.config, row.target_name);
    if (!target || !(await this.deps.owners.isOwner(target, actorId))) {
      throw new SpconnError('NOT_AUTHORISED', 'Only an owner of the target can delete a Private Link. Nothing was changed.');
    }
    const state = await this.runner.state(requestId);
    if (!state || leftoverLink(state) !== linkId) {
      throw new SpconnError('REQUEST_NOT_PENDING', 'spconn only deletes a Private Link that a cancelled or failed setup created.');
    }
    await deletePrivateLink(this.deps.atlas.for(target), target.projectId, linkId);
    await this.deps.notifier.reply({ row }, `Private Link \`${escapeMrkdwn(linkId)}\` deleted by <@${actorId}>.`);
  }
}
