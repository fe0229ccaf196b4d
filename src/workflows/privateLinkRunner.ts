// Runs Private Link setups: persists each state before the next action, resumes after a restart
// at the step it was in, waits durably for people and for Atlas, and runs each setup in one place.
// Leases (several replicas): a setup that waits for time stays leased to the replica running it,
// for the wait plus the lease time, so only a dead replica's setups are taken over; one that
// waits for a person is parked (no lease) once its prompt is posted; a person's click on any
// replica takes the lease with the state it saves.
import { forRequest } from '../logContext.js';
import { AtlasApiError, AtlasUnreachableError } from '../atlas/errors.js';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RequestStore, WorkflowLease, WorkflowRow } from '../store/requestStore.js';
import { perform, type EffectContext } from './privateLinkEffects.js';
import { actionFor, advance, isFinal, plStateSchema, type PlOutcome, type PlSay, type PlState, type PlTiming } from './privateLinkMachine.js';

export const PRIVATE_LINK_WORKFLOW = 'privatelink';

/** What the runner needs from the request it belongs to. */
export interface PrivateLinkHost {
  effectContext(requestId: string): Promise<EffectContext>;
  say(requestId: string, say: PlSay): Promise<void>;
  refreshCard(requestId: string): Promise<void>;
  finish(requestId: string, state: PlState): Promise<void>;
}

export class PrivateLinkRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  /** Setups taken over from a replica that died: their card is refreshed if they wait for a person (its prompt may be lost). */
  private readonly adopted = new Set<string>();
  private stopped = false;

  constructor(
    private readonly store: RequestStore,
    private readonly host: PrivateLinkHost,
    private readonly timing: PlTiming,
    private readonly logger: Logger,
    private readonly owner: string,
    /** Longer than any one step (an Atlas call with its retries). */
    private readonly leaseMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(requestId: string, initial: PlState): Promise<void> {
    await this.store.insertWorkflow(requestId, PRIVATE_LINK_WORKFLOW, initial, null, this.lease(initial) ?? undefined);
    this.kick(requestId);
  }

  /**
   * At a start (`refreshCards`): every setup that had not finished and nobody holds goes on from its
   * step, and its card is refreshed. In a take-over scan: the setups whose lease ran out.
   */
  async resumeAll(opts: { refreshCards: boolean }): Promise<void> {
    for (const row of await this.store.activeWorkflows({ parked: opts.refreshCards })) {
      if (row.kind !== PRIVATE_LINK_WORKFLOW || this.running.has(row.request_id) || this.timers.has(row.request_id)) continue;
      // A reply lost in a crash must not leave a person without the Done button: the card has it too.
      if (opts.refreshCards) await this.host.refreshCard(row.request_id);
      else this.adopted.add(row.request_id);
      this.schedule(row.request_id, row.next_run_at);
    }
  }

  /** A person's Done or Cancel: applied to the state as stored, once. */
  async event(requestId: string, outcome: Extract<PlOutcome, { kind: 'done_clicked' | 'cancel' }>): Promise<{ applied: boolean; state?: PlState }> {
    for (let tries = 0; tries < 5; tries++) {
      const row = await this.store.getWorkflow(requestId);
      if (!row) return { applied: false };
      const state = plStateSchema.parse(JSON.parse(row.state_json));
      const next = advance(state, outcome, this.now(), this.timing);
      if (next.state === state) return { applied: false, state };
      // The save takes the lease: a replica holding the setup (waiting for time, or dead) loses it.
      if (await this.save(row, next.state)) {
        await this.afterSave(requestId, next.state, next.say);
        if (actionFor(next.state).kind === 'wait_for_person') await this.park(requestId);
        return { applied: true, state: next.state };
      }
    }
    return { applied: false };
  }

  state(requestId: string): Promise<PlState | undefined> {
    return setupState(this.store, requestId);
  }

  /**
   * Stops timers and waits for steps in flight; their state is saved, so another start resumes them.
   * The leases stay until the caller hands them back (`RequestStore.releaseAll`), which makes them
   * abandoned at once for the other replicas' scans.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Waits until no step is running (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private schedule(requestId: string, at: string | null): void {
    if (this.stopped) return;
    const delay = at ? Date.parse(at) - this.now().getTime() : 0;
    const existing = this.timers.get(requestId);
    if (existing) clearTimeout(existing);
    if (delay <= 0) return this.kick(requestId);
    const timer = setTimeout(() => {
      this.timers.delete(requestId);
      this.kick(requestId);
    }, delay);
    timer.unref();
    this.timers.set(requestId, timer);
  }

  /** One loop per setup in this process; a kick during a run makes it look again afterwards. */
  private kick(requestId: string): void {
    if (this.stopped) return;
    if (this.running.has(requestId)) {
      this.rerun.add(requestId);
      return;
    }
    const run = forRequest(requestId, () => this.loop(requestId))
      .catch((err: unknown) => this.logger.error({ err, requestId }, 'Private Link step failed unexpectedly'))
      .finally(() => {
        this.running.delete(requestId);
        if (this.rerun.delete(requestId)) this.kick(requestId);
      });
    this.running.set(requestId, run);
  }

  /**
   * Runs a setup's steps until it waits. Waiting for time, it keeps its lease (the saves took it to
   * cover the wait); waiting for a person, it is parked, after its prompt was posted: a crash
   * before that leaves the lease to run out, and the replica taking over refreshes the card. A
   * failure keeps the lease too, so a scan tries again once it ran out.
   */
  private async loop(requestId: string): Promise<void> {
    if ((await this.steps(requestId)) === 'person') await this.park(requestId);
  }

  private async steps(requestId: string): Promise<'person' | 'other'> {
    while (!this.stopped) {
      // One replica at a time works on a setup; the lease is renewed before every step.
      if (!(await this.store.claimWorkflow(requestId, this.owner, this.leaseMs))) {
        this.adopted.delete(requestId);
        return 'other';
      }
      const row = await this.store.getWorkflow(requestId);
      if (!row || !row.active) return 'other';
      const state = plStateSchema.parse(JSON.parse(row.state_json));
      const action = actionFor(state);
      if (action.kind === 'wait_for_person') {
        if (this.adopted.delete(requestId)) await this.host.refreshCard(requestId);
        return 'person';
      }
      this.adopted.delete(requestId);
      if (action.kind === 'finished') return 'other';
      if (state.nextRunAt && Date.parse(state.nextRunAt) > this.now().getTime()) {
        // Taken over (or resumed) before its time: the lease covers the wait, as the save had it.
        const lease = this.lease(state)!;
        if (!(await this.store.claimWorkflow(requestId, this.owner, Date.parse(lease.until) - this.now().getTime()))) return 'other';
        this.schedule(requestId, state.nextRunAt);
        return 'other';
      }

      let outcome: PlOutcome | undefined;
      try {
        outcome = await perform(action, state, await this.host.effectContext(requestId));
      } catch (err) {
        if (isTransient(err)) {
          // Atlas is rate-limiting or failing: keep the step and try it again later.
          const retryAt = new Date(this.now().getTime() + this.timing.pollMaxMs).toISOString();
          this.logger.warn({ err, requestId, step: state.step }, 'Private Link step hit a transient Atlas error; will retry');
          if (await this.save(row, { ...state, nextRunAt: retryAt })) this.schedule(requestId, retryAt);
          return 'other';
        }
        outcome = { kind: 'error', message: err instanceof SpconnError ? err.userMessage : 'spconn hit an unexpected error; an operator can find it in the logs.' };
        this.logger.error({ err, requestId, step: state.step }, 'Private Link step failed');
      }
      if (!outcome) return 'other';
      const next = advance(state, outcome, this.now(), this.timing);
      // Saved before anything is said or done next: a crash after this resumes from `next`.
      if (!(await this.save(row, next.state))) continue;
      // No kick: this loop goes on with the next step itself, or schedules its wait.
      await this.afterSave(requestId, next.state, next.say, false);
      if (next.state.nextRunAt) {
        this.schedule(requestId, next.state.nextRunAt);
        return 'other';
      }
    }
    return 'other';
  }

  /** Saves a state with this replica's lease on it (none for a final state). */
  private save(row: WorkflowRow, state: PlState): Promise<boolean> {
    return this.store.saveWorkflow(row.request_id, row.version, state, { active: !isFinal(state), nextRunAt: state.nextRunAt ?? null, lease: this.lease(state) });
  }

  /** This replica's lease for a state: through its wait, if it waits for time, plus the lease time. */
  private lease(state: PlState): WorkflowLease | null {
    if (isFinal(state)) return null;
    const now = this.now().getTime();
    const from = state.nextRunAt ? Math.max(now, Date.parse(state.nextRunAt)) : now;
    return { owner: this.owner, until: new Date(from + this.leaseMs).toISOString() };
  }

  /** The setup waits for a person: no replica holds it, and no scan takes it over. */
  private async park(requestId: string): Promise<void> {
    await this.store.releaseWorkflow(requestId, this.owner).catch((err: unknown) => this.logger.warn({ err, requestId }, 'Private Link setup could not be parked; its lease will run out'));
  }

  private async afterSave(requestId: string, state: PlState, say: PlSay[], kick = true): Promise<void> {
    for (const s of say) await this.host.say(requestId, s);
    if (isFinal(state)) {
      await this.host.finish(requestId, state);
      return;
    }
    await this.host.refreshCard(requestId);
    if (kick && actionFor(state).kind !== 'wait_for_person') this.kick(requestId);
  }
}

/** A request's Private Link setup as stored, if it has one (a replace keeps a marker of another kind there). */
export async function setupState(store: RequestStore, requestId: string): Promise<PlState | undefined> {
  const row = await store.getWorkflow(requestId);
  return row?.kind === PRIVATE_LINK_WORKFLOW ? plStateSchema.parse(JSON.parse(row.state_json)) : undefined;
}

function isTransient(err: unknown): boolean {
  if (err instanceof AtlasUnreachableError) return true;
  return err instanceof AtlasApiError && (err.status === 429 || err.status >= 500);
}
