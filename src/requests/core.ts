// Wires the request lifecycle's modules together (one job each) and runs their background work:
// the expiry sweep and the take-over scan. Nothing here decides anything; see ARCHITECTURE.md.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AtlasClients } from '../atlas/clients.js';
import type { Config } from '../config/file.js';
import type { Logger } from '../log.js';
import type { SecretReferences } from '../secrets/references.js';
import type { Sealer } from '../secrets/sealing.js';
import type { ConnectionSecretRefs } from '../store/secretRefs.js';
import type { RequestRow, RequestStore } from '../store/requestStore.js';
import { RequestAnnouncer } from './announcements.js';
import { RequestCards } from './cards.js';
import { RequestDecisions } from './decisions.js';
import { RequestExecution } from './execution.js';
import { HomeTabs } from './homes.js';
import type { RequestNotifier } from './notifier.js';
import { RequestNudges } from './nudges.js';
import type { OwnerDirectory } from './owners.js';
import { RequestQueries } from './queries.js';
import { PrivateLinkSetups } from './setups.js';
import { submitRequest, type NewRequest } from './submission.js';
import { WorkInFlight } from './work.js';

export interface RequestCoreDeps {
  config: Config;
  store: RequestStore;
  sealer: Sealer;
  atlas: AtlasClients;
  owners: OwnerDirectory;
  notifier: RequestNotifier;
  logger: Logger;
  now?: () => Date;
  /** Reads `secretsmanager:` references at execution. */
  secretRefs: SecretReferences;
  /** Which references each connection uses (for `show`, and rotation later). */
  connectionRefs: ConnectionSecretRefs;
}

export class RequestCore {
  /** This process among the replicas sharing the store; leases carry it. */
  readonly replicaId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly cards: RequestCards;
  readonly decisions: RequestDecisions;
  readonly execution: RequestExecution;
  readonly announcer: RequestAnnouncer;
  readonly setups: PrivateLinkSetups;
  readonly queries: RequestQueries;
  readonly homes: HomeTabs;
  /** Reminders and escalation; `nudges.scan()` runs one scan now (tests, the playground). */
  readonly nudges: RequestNudges;
  /** Which secret references each connection spconn made uses. */
  readonly connectionRefs: ConnectionSecretRefs;
  private readonly work: WorkInFlight;
  private readonly timers: NodeJS.Timeout[] = [];
  private scan: Promise<void> | undefined;

  constructor(private readonly deps: RequestCoreDeps) {
    const now = deps.now ?? (() => new Date());
    const { config, store, sealer, atlas, owners, notifier, logger } = deps;
    const replicaId = this.replicaId;
    this.work = new WorkInFlight(logger);
    // A refreshed card means the request changed: the Homes of the people it concerns follow.
    this.cards = new RequestCards({ store, notifier, config, changed: (row) => this.homes.requestChanged(row) });
    this.homes = new HomeTabs({ config, store, owners, cards: this.cards, notifier, work: this.work, logger, now });
    this.announcer = new RequestAnnouncer({ config, store, notifier, cards: this.cards, logger, replicaId });
    this.setups = new PrivateLinkSetups({ config, store, sealer, atlas, owners, notifier, cards: this.cards, announcer: this.announcer, logger, replicaId });
    this.execution = new RequestExecution({ config, store, sealer, atlas, cards: this.cards, announcer: this.announcer, setups: this.setups, work: this.work, logger, replicaId, secretRefs: deps.secretRefs, connectionRefs: deps.connectionRefs });
    this.decisions = new RequestDecisions({ config, store, owners, notifier, announcer: this.announcer, execution: this.execution, work: this.work, logger, now, replicaId, cards: this.cards });
    this.nudges = new RequestNudges({ config, store, notifier, cards: this.cards, work: this.work, logger, now, escalated: (row) => this.homes.requestChanged(row) });
    this.queries = new RequestQueries({ config, store, owners, now });
    this.connectionRefs = deps.connectionRefs;
  }

  /** Stores a new request and posts its card. The caller has validated every field. */
  submit(input: NewRequest): Promise<RequestRow> {
    const { config, store, sealer, notifier, logger } = this.deps;
    return this.work.run(async () => {
      const row = await submitRequest({ config, store, sealer, notifier, cards: this.cards, logger, now: this.deps.now ?? (() => new Date()) }, input);
      this.homes.requestChanged(row);
      return row;
    });
  }

  /** Resumes what a stopped process left, then sweeps expiries and scans for abandoned work periodically. */
  async start(opts: { expirySweepMs: number }): Promise<void> {
    const { store, logger, config } = this.deps;
    await store.clearLeasesIfSingleProcess();
    await this.setups.runner.resumeAll({ refreshCards: true });
    await this.takeOverAbandoned();
    const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
      const timer = setInterval(() => void fn().catch((err: unknown) => logger.error({ err }, `${what} failed`)), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(opts.expirySweepMs, 'expiry sweep', () => this.decisions.expireDue());
    if (this.nudges.enabled) every(opts.expirySweepMs, 'reminder scan', () => this.nudges.scan());
    // Work a dead replica left behind is taken over once its lease runs out.
    every(config.replicas.scanEvery, 'take-over scan', () => this.takeOverAbandoned());
  }

  /** Untold outcomes, unfinished setups and interrupted requests whose lease ran out; one scan at a time. */
  takeOverAbandoned(): Promise<void> {
    this.scan ??= (async () => {
      await this.announcer.tellUntold();
      await this.setups.runner.resumeAll({ refreshCards: false });
      await this.execution.resumeInterrupted();
    })().finally(() => (this.scan = undefined));
    return this.scan;
  }

  /** Waits for every decision and run in flight (shutdown, tests). */
  async idle(): Promise<void> {
    await this.work.idle();
    await this.setups.runner.idle();
    await this.work.idle();
  }

  /** Stops background work, lets work in flight finish, and hands its leases back. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.scan;
    // Setups first: their polls never leave the runner idle, so waiting for that would wait for
    // the stop deadline, and a setup started meanwhile is leased already (handed back below).
    await this.setups.runner.stop();
    await this.idle();
    await this.handBack();
  }

  /** Gives up this replica's leases at once (the end of a shutdown that ran out of time, too). */
  handBack(): Promise<void> {
    return this.deps.store.releaseAll(this.replicaId);
  }
}
