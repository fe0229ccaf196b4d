// Reminders and escalation of pending requests (README, "Approvals"): a periodic scan mentions a
// request's owners again once per `approvals.remindAfter`, and its target's `escalateTo` once past
// `approvals.escalateAfter`. What is due is lifecycle.ts's `nudgesDue` (pure); that each is posted
// at most once, across replicas and restarts, is the store's `claimNudge` (one row per nudge).
import type { Config, Target } from '../config/file.js';
import type { Logger } from '../log.js';
import { targetNamed } from '../management/targets.js';
import { escalationReply, reminderReply } from '../modals/threadMessages.js';
import type { ListedRequest, RequestStore } from '../store/requestStore.js';
import type { RequestCards } from './cards.js';
import { escalationStartsAt, isExpired, nudgesDue, type Nudge } from './lifecycle.js';
import type { RequestNotifier } from './notifier.js';
import type { WorkInFlight } from './work.js';

export interface NudgeDeps {
  config: Config;
  store: RequestStore;
  notifier: RequestNotifier;
  cards: RequestCards;
  work: WorkInFlight;
  logger: Logger;
  now: () => Date;
  /** A request escalated: the Homes of the people it now reaches follow. */
  escalated?: (row: ListedRequest) => void;
}

/** `<@U…>` for a user, `<!subteam^S…>` for a user group. */
function mention(id: string): string {
  return id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`;
}

export class RequestNudges {
  /** Nudges this process knows were claimed (by anyone): not asked of the store again. */
  private readonly claimed = new Set<string>();

  constructor(private readonly deps: NudgeDeps) {}

  /** Whether the config asks for reminders or escalation at all. */
  get enabled(): boolean {
    const { remindAfter, escalateAfter } = this.deps.config.approvals;
    return remindAfter !== undefined || escalateAfter !== undefined;
  }

  /** Posts every reminder and escalation due now that nobody posted yet; resolves with how many it posted. */
  scan(): Promise<number> {
    if (!this.enabled) return Promise.resolve(0);
    return this.deps.work.run(async () => {
      const { config, store } = this.deps;
      const now = this.deps.now();
      let posted = 0;
      const pending = await store.pending();
      // Forget what concerns requests no longer pending (the set stays as small as the queue).
      const open = new Set(pending.map((r) => r.id));
      for (const key of this.claimed) if (!open.has(key.split(':')[0]!)) this.claimed.delete(key);
      for (const row of pending) {
        const target = targetNamed(config, row.target_name);
        // Not yet visible (its card is being posted), or past its deadline (the expiry sweep ends it).
        if (!target || !row.message_ts || isExpired(row.expires_at, now)) continue;
        const escalatesAt = escalationStartsAt(row.created_at, config.approvals.escalateAfter, target.escalateTo !== undefined);
        for (const nudge of nudgesDue({ createdAt: row.created_at, now, remindAfter: config.approvals.remindAfter, escalatesAt })) {
          const key = `${row.id}:${nudge.kind}:${nudge.period}`;
          if (this.claimed.has(key)) continue;
          const mine = await store.claimNudge(row.id, nudge.kind, nudge.period, now);
          this.claimed.add(key);
          if (!mine) continue;
          await this.post(row, target, nudge, escalatesAt !== undefined && now >= escalatesAt);
          posted++;
        }
      }
      return posted;
    });
  }

  private async post(row: ListedRequest, target: Target, nudge: Nudge, escalated: boolean): Promise<void> {
    if (nudge.kind === 'escalate') {
      await this.deps.notifier.reply({ row }, escalationReply((target.escalateTo ?? []).map(mention).join(' '), target.name));
      this.deps.logger.info({ requestId: row.id, target: target.name }, 'request escalated');
      this.deps.escalated?.(row);
      return;
    }
    // Everyone who may still decide, except those who approved already.
    const { by, required } = await this.deps.cards.approvals(row);
    const ids = [...target.owners, ...(target.ownerGroup ? [target.ownerGroup] : []), ...(escalated ? (target.escalateTo ?? []) : [])];
    const mentions = [...new Set(ids)].filter((id) => !by.includes(id)).map(mention).join(' ');
    await this.deps.notifier.reply({ row }, reminderReply(mentions, by.length, required));
    this.deps.logger.info({ requestId: row.id, period: nudge.period }, 'request reminder posted');
  }
}
