// Drift watching's effects (README, "Drift"): per target, every `drift.watchEvery`, read the
// project's connection events since the target's durable cursor, claim each change made by anyone
// but spconn's own key or account, and post it in the target's approvals channel (or its first
// channel). The decisions are decide.ts. The first run of a target starts from now: old history
// is never posted. Errors are logged and the next period tries again; nothing here stops the app.
import { PeriodicScan } from '../workflows/periodicScan.js';
import type { WebClient } from '@slack/web-api';
import type { AtlasClients } from '../atlas/clients.js';
import { listConnectionEvents } from '../atlas/events.js';
import { parseServiceAccount } from '../atlas/serviceAccount.js';
import { atlasAuthOf, type Config, type Target } from '../config/file.js';
import type { Logger } from '../log.js';
import { driftAlertText } from '../modals/driftAlert.js';
import { parseAtlasApiKey, type SecretCache } from '../secrets/apiKeys.js';
import type { DriftStore } from '../store/driftStore.js';
import { driftChanges, DRIFT_OVERLAP_MS, nextCursor } from './decide.js';

export interface DriftWatcherDeps {
  config: Config;
  store: DriftStore;
  atlas: AtlasClients;
  secrets: SecretCache;
  slack: WebClient;
  logger: Logger;
  now?: () => Date;
}

/** What one scan did, per target (tests and the playground read it). */
export interface DriftScanResult {
  target: string;
  outcome: 'started' | 'read' | 'skipped' | 'failed';
  posted: number;
}

export class DriftWatcher {
  private readonly periodic = new PeriodicScan<DriftScanResult>(async () => {
    const results: DriftScanResult[] = [];
    for (const target of this.deps.config.targets) results.push(await this.scanTarget(target));
    return results;
  });

  constructor(private readonly deps: DriftWatcherDeps) {}

  get enabled(): boolean {
    return this.deps.config.drift.watchEvery !== undefined;
  }

  /** Scans every `drift.watchEvery` (nothing when it is not set). */
  start(): void {
    if (!this.periodic.start(this.deps.config.drift.watchEvery)) return;
    for (const t of this.deps.config.targets.filter((t) => t.approvalsChannel === undefined && !t.channels?.length)) {
      this.deps.logger.warn({ target: t.name }, 'drift watching skips this target: it has no approvalsChannel or channels to post in');
    }
  }

  /** Stops the timer and waits for a scan in flight. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One scan of every target now (the timer, tests and the playground); one at a time. */
  scan(): Promise<DriftScanResult[]> {
    return this.periodic.scan();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async scanTarget(target: Target): Promise<DriftScanResult> {
    const { store, atlas, slack, logger } = this.deps;
    const channel = target.approvalsChannel ?? target.channels?.[0];
    if (channel === undefined) return { target: target.name, outcome: 'skipped', posted: 0 };
    let posted = 0;
    try {
      const cursor = await store.cursor(target.name);
      if (!cursor) {
        // The first run starts from now: what happened before spconn watched is not drift it saw.
        await store.begin(target.name, this.now());
        logger.info({ target: target.name }, 'drift watching starts from now');
        return { target: target.name, outcome: 'started', posted };
      }
      const events = await listConnectionEvents(atlas.for(target), target.projectId, new Date(Math.max(cursor.startedAt.getTime(), cursor.since.getTime() - DRIFT_OVERLAP_MS)));
      const own = await this.ownIdentities(target);
      for (const change of driftChanges({ targetName: target.name, instance: target.instance, own, startedAt: cursor.startedAt, events })) {
        if (!(await store.claim(target.name, change.eventId, this.now()))) continue;
        try {
          await slack.chat.postMessage({ channel, text: driftAlertText(change) });
          posted++;
        } catch (err) {
          // Not posted: the claim goes back, and the next period tries again.
          await store.release(target.name, change.eventId);
          throw err;
        }
      }
      await store.advance(target.name, nextCursor(cursor.since, events), this.now());
      return { target: target.name, outcome: 'read', posted };
    } catch (err) {
      logger.warn({ err, target: target.name }, 'drift watching failed; will retry next period');
      return { target: target.name, outcome: 'failed', posted };
    }
  }

  /** spconn's own identity for the target: its API key's public key, or its service account's client ID. */
  private async ownIdentities(target: Target): Promise<string[]> {
    const { config, secrets } = this.deps;
    const ref = atlasAuthOf(config, target);
    if (ref.kind === 'apiKey') {
      const { value } = await secrets.getParsed(ref.secretId, (v) => parseAtlasApiKey(ref.secretId, v));
      return [value.publicKey];
    }
    const { value } = await secrets.getParsed(ref.secretId, (v) => parseServiceAccount(ref.secretId, v));
    return [value.clientId];
  }
}
