// Telling how a request ended, at least once: the card brought up to date and one reply in its
// thread, then the request marked told. Posting before marking means a replica that dies in
// between leaves it to be told again rather than never; the take-over scan finds such requests.
import type { Config } from '../config/file.js';
import type { Logger } from '../log.js';
import { outcomeReply } from '../modals/threadMessages.js';
import type { RequestStore } from '../store/requestStore.js';
import { leftoverLink } from '../workflows/privateLinkMachine.js';
import { setupState } from '../workflows/privateLinkRunner.js';
import type { RequestCards } from './cards.js';
import { outcomeSchema } from './model.js';
import type { RequestNotifier } from './notifier.js';

export interface AnnouncerDeps {
  config: Config;
  store: RequestStore;
  notifier: RequestNotifier;
  cards: RequestCards;
  logger: Logger;
  replicaId: string;
}

export class RequestAnnouncer {
  /** Requests being told by this process now (a slow post overlapping the next scan). */
  private readonly telling = new Set<string>();

  constructor(private readonly deps: AnnouncerDeps) {}

  /** Tells an ended request's outcome unless it was told, or another replica is telling it. */
  async announce(requestId: string): Promise<void> {
    const { store, notifier, cards, config, replicaId } = this.deps;
    if (this.telling.has(requestId)) return;
    this.telling.add(requestId);
    try {
      // Across replicas, the lease: the replica that ran the request still holds it.
      if (!(await store.claimAnnouncement(requestId, replicaId, config.replicas.leaseTime))) return;
      const row = await store.get(requestId);
      if (!row || row.notified_at) return;
      await cards.refresh(requestId);
      const ending = (await store.events(requestId)).findLast((e) => e.to_state === row.state);
      const outcome = row.outcome_json ? outcomeSchema.parse(JSON.parse(row.outcome_json)).message : undefined;
      const setup = await setupState(store, requestId);
      const link = setup ? leftoverLink(setup) : undefined;
      await notifier.replyWithButtons({ row }, outcomeReply(row, ending, outcome, link), undefined, link);
      await store.markNotified(requestId);
    } finally {
      this.telling.delete(requestId);
    }
  }

  /** Ended requests nobody told (their replica died first), older than a lease. */
  async tellUntold(): Promise<void> {
    for (const row of await this.deps.store.unnotified(this.deps.config.replicas.leaseTime)) {
      this.deps.logger.info({ requestId: row.id, state: row.state }, 'posting an outcome a stopped replica did not post');
      await this.announce(row.id);
    }
  }
}
