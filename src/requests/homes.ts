// People's Home tabs (SPEC §12): gathers a person's page from the store, renders it with
// src/modals/home.ts and publishes it with views.publish. Who may approve what is asked of
// lifecycle.ts, exactly as a click is checked. A change to a request (its card refreshed, a new
// request) republishes the Home of everyone it concerns, in the background after the ack: one
// publish per person at a time, each on its own, so a slow one holds nobody else, and a change
// during a publish is followed by one more publish with the state as it is then. Changes are let
// settle briefly first, so a burst (fifty approvals at once) is one publish per person, well within
// Slack's rate limit for views.publish; a person who opens their Home gets it at once.
import type { Config } from '../config/file.js';
import type { Logger } from '../log.js';
import { targetNamed } from '../management/targets.js';
import { HOME_LIMITS, homeView, type HomePage, type HomeRequest, type HomeStep } from '../modals/home.js';
import type { Approval, ListedRequest, RequestRow, RequestStore } from '../store/requestStore.js';
import type { RequestCards } from './cards.js';
import { checkDecision, escalationStartsAt, shortDigest, SPCONN_ACTOR } from './lifecycle.js';
import { requestSummarySchema } from './model.js';
import type { RequestNotifier } from './notifier.js';
import type { OwnerDirectory } from './owners.js';
import type { WorkInFlight } from './work.js';

export interface HomeDeps {
  config: Config;
  store: RequestStore;
  owners: OwnerDirectory;
  cards: RequestCards;
  notifier: RequestNotifier;
  work: WorkInFlight;
  logger: Logger;
  now: () => Date;
}

/** How many pending and running requests a page looks through (the oldest first). */
const SCAN_LIMIT = 500;
/** Permalinks never change: remember this many. */
const PERMALINK_CACHE = 2_000;
/** How long a change waits for others before its Homes are published. */
const SETTLE_MS = 300;
/** After a publish that took d ms, the next one of that person waits at least this many times d… */
const SPACING_FACTOR = 9;
/** …but never longer than this (someone opening their Home gets it at once all the same). */
const MAX_SPACING_MS = 30_000;

interface Publishing {
  /** Publish once more after this one: something changed meanwhile. */
  again: boolean;
  /** Cuts the settling short (the person is looking now). */
  wake?: () => void;
}

export class HomeTabs {
  /** People whose Home is being published now; `again` when it changed meanwhile. */
  private readonly publishing = new Map<string, Publishing>();
  /** A word for a person's next publishes (a refused click on Home), until they open Home again. */
  private readonly notices = new Map<string, string>();
  private readonly permalinks = new Map<string, Promise<string | undefined>>();

  constructor(private readonly deps: HomeDeps) {}

  /** The person opened the Home tab: their page, fresh. */
  opened(userId: string): void {
    this.notices.delete(userId);
    this.refresh([userId], { now: true });
  }

  /** Tells a person something on their Home (a click there that did not apply). */
  tell(userId: string, mrkdwn: string): void {
    this.notices.set(userId, mrkdwn);
    this.refresh([userId], { now: true });
  }

  /** A request changed: the Homes of its requester, its target's owners and its escalation follow. */
  requestChanged(row: Pick<RequestRow, 'requester_id' | 'target_name'>): void {
    this.deps.work.spawn('home refresh', async () => {
      const target = targetNamed(this.deps.config, row.target_name);
      const [owners, escalation] = target ? await Promise.all([this.deps.owners.members(target), this.deps.owners.escalationMembers(target)]) : [[], []];
      // spconn itself (a rotation it opened) has no Home.
      this.refresh([row.requester_id, ...owners, ...escalation].filter((id) => id !== SPCONN_ACTOR));
    });
  }

  /** Republishes these people's Homes in the background, each independently of the others. */
  refresh(userIds: Iterable<string>, opts: { now?: boolean } = {}): void {
    for (const userId of new Set(userIds)) {
      const inFlight = this.publishing.get(userId);
      if (inFlight) {
        inFlight.again = true;
        if (opts.now) inFlight.wake?.();
        continue;
      }
      const entry: Publishing = { again: true };
      this.publishing.set(userId, entry);
      this.deps.work.spawn('home publish', async () => {
        try {
          let settle = !opts.now;
          let lastMs = 0;
          while (entry.again) {
            // A page costs a scan of the open requests: with many setups changing all the time, the
            // next publish waits in proportion to what the last one cost (Home ≤ ~10% of the time).
            if (settle) await this.settle(entry, Math.min(MAX_SPACING_MS, Math.max(SETTLE_MS, SPACING_FACTOR * lastMs)));
            entry.again = false;
            const started = performance.now();
            await this.publish(userId);
            lastMs = performance.now() - started;
            settle = true;
          }
        } finally {
          this.publishing.delete(userId);
        }
      });
    }
  }

  private settle(entry: Publishing, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      entry.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => delete entry.wake);
  }

  private async publish(userId: string): Promise<void> {
    const page = await this.page(userId);
    await this.deps.notifier.publishHome(userId, homeView(page));
  }

  /** What a person's Home shows now, as data. */
  async page(userId: string): Promise<HomePage> {
    const { store } = this.deps;
    const [pending, open, ended, running] = await Promise.all([
      store.pendingRequests(SCAN_LIMIT),
      store.openRequestsOf(userId, SCAN_LIMIT),
      store.endedRequestsOf(userId, HOME_LIMITS.ended),
      store.runningWithWorkflow(SCAN_LIMIT),
    ]);
    const awaiting: Array<{ row: ListedRequest; approvals: { by: string[]; required: number } }> = [];
    // One query for the approvals of every pending request, not one per request (500 at most, at every publish).
    const approvalsOf = await store.approvalsOf(pending.map((r) => r.id));
    for (const row of pending) {
      const approvals = await this.mayApprove(row, userId, approvalsOf.get(row.id) ?? []);
      if (approvals) awaiting.push({ row, approvals });
    }
    const steps: HomeStep[] = [];
    let stepsTotal = 0;
    for (const row of running) {
      if (!(await this.concerns(row, userId))) continue;
      // Only the step a person must act on: not the whole card's context (events, approvals) of every running setup.
      const waiting = await this.deps.cards.waiting(row);
      if (!waiting) continue;
      stepsTotal += 1;
      if (steps.length < HOME_LIMITS.steps) steps.push({ ...(await this.entry(row)), step: waiting.step, instruction: waiting.instruction });
    }
    const notice = this.notices.get(userId);
    return {
      userId,
      ...(notice ? { notice } : {}),
      awaiting: {
        items: await Promise.all(
          awaiting.slice(0, HOME_LIMITS.awaiting).map(async (a) => ({ ...(await this.entry(a.row)), ...(a.approvals.required > 1 ? { approvals: a.approvals } : {}) })),
        ),
        total: awaiting.length,
      },
      own: { open: await this.entries(open.slice(0, HOME_LIMITS.open)), openTotal: open.length, ended: await this.entries(ended) },
      steps: { items: steps, total: stepsTotal },
    };
  }

  /**
   * The card's own rule for an Approve click carrying the digest the Home shows, with what
   * `RequestDecisions` passes it: the quorum so far (as the card shows it) and the escalation.
   */
  private async mayApprove(row: ListedRequest, userId: string, known: readonly Approval[]): Promise<{ by: string[]; required: number } | undefined> {
    const { config, owners } = this.deps;
    const target = targetNamed(config, row.target_name);
    const actorIsOwner = target !== undefined && (await owners.isOwner(target, userId));
    const escalatesAt = target ? escalationStartsAt(row.created_at, config.approvals.escalateAfter, target.escalateTo !== undefined) : undefined;
    const approvals = await this.deps.cards.approvals(row, known);
    const check = checkDecision({
      verb: 'approve',
      request: { state: row.state, requesterId: row.requester_id, expiresAt: row.expires_at, digest: row.digest },
      actorId: userId,
      target,
      actorIsOwner,
      shownDigest: shortDigest(row.digest),
      now: this.deps.now(),
      actorIsEscalation: target !== undefined && !actorIsOwner && (await owners.isEscalation(target, userId)),
      ...(escalatesAt ? { escalatesAt } : {}),
      approvalsRequired: approvals.required,
      approvedBy: approvals.by,
    });
    return check.ok ? approvals : undefined;
  }

  /** The requester or an owner: who may press a setup's Done (as `PrivateLinkSetups.personActed` checks). */
  private async concerns(row: ListedRequest, userId: string): Promise<boolean> {
    if (row.requester_id === userId) return true;
    const target = targetNamed(this.deps.config, row.target_name);
    return target !== undefined && (await this.deps.owners.isOwner(target, userId));
  }

  private entries(rows: ListedRequest[]): Promise<HomeRequest[]> {
    return Promise.all(rows.map((row) => this.entry(row)));
  }

  private async entry(row: ListedRequest): Promise<HomeRequest> {
    const summary = requestSummarySchema.parse(JSON.parse(row.summary_json));
    const permalink = row.message_ts ? await this.permalink(row.channel_id, row.message_ts) : undefined;
    return { row, summary, ...(permalink ? { permalink } : {}) };
  }

  /** One chat.getPermalink per card, shared by pages gathered at the same time; a failure is asked again next time. */
  private permalink(channel: string, ts: string): Promise<string | undefined> {
    const key = `${channel}/${ts}`;
    const known = this.permalinks.get(key);
    if (known) return known;
    const link = this.deps.notifier.permalink(channel, ts).then((found) => {
      if (!found) this.permalinks.delete(key);
      return found;
    });
    if (this.permalinks.size >= PERMALINK_CACHE) this.permalinks.delete(this.permalinks.keys().next().value!);
    this.permalinks.set(key, link);
    return link;
  }
}
