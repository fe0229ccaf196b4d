// Paces Atlas calls per project against Atlas's token bucket (SPEC §11), shared by every request
// and workflow of the process, so a burst queues here instead of tripping Atlas's limit.
//
// The model of a project's bucket: `capacity` and the tokens left come from Atlas's
// `RateLimit-Limit` / `RateLimit-Remaining` when it sends them; the refill (which Atlas's headers
// do not carry) and, without headers, the capacity come from what Atlas states at `GET /rateLimits`
// (`refillSource`, asked in the background the first time a project is paced and hourly after),
// else from `atlas.pacing`. Until the first answer (and the first statement) tells which, one call
// at a time goes out. Refills are credited only when they must have happened
// (a period after the last one known), `Retry-After` on 429/503 holds the whole project, and with
// a `SharedBudget` (PostgreSQL) the replicas take their tokens from one bucket per project.
import type { Logger } from '../log.js';
import { readRateLimitHeaders, type RateLimitHeaders } from './rateLimitHeaders.js';

export { readRateLimitHeaders, type RateLimitHeaders } from './rateLimitHeaders.js';

/** One bucket per project that several replicas take tokens from (see `src/atlas/sharedBudget.ts`). */
export interface SharedBudget {
  /** Takes up to `want` tokens; `granted` 0 comes with when to ask again. */
  take(projectId: string, want: number, model: BucketModel): Promise<{ granted: number; retryAt: number | undefined; credited: boolean }>;
  /** What an answer of Atlas said about the bucket: lowers the shared tokens, or empties them until `retryAt`. */
  observe(projectId: string, seen: { limit?: number; remaining?: number; retryAt?: number; probeOutstanding?: number }, model: BucketModel): Promise<void>;
}

export interface BucketModel {
  capacity: number;
  /** Tokens Atlas puts back every `periodMs`. */
  refill: number;
  periodMs: number;
  now: number;
  /** Atlas sends RateLimit headers: the first take after a refill is a probe, and the others wait for its answer. */
  probe?: boolean;
  probeWaitMs?: number;
}

/** What Atlas states about a project's bucket for the streams endpoints (`src/atlas/rateLimits.ts`), or why it does not. */
export type RefillAnswer = { stated: true; endpointSet: string; capacity: number; refill: number; periodMs: number } | { stated: false; reason: string };

export interface PacerOptions {
  /** `atlas.pacing.calls`: the refill per period and the capacity when Atlas neither states them (`refillSource`) nor sends headers. */
  calls: number;
  /** `atlas.pacing.per`, in ms. */
  perMs: number;
  now?: () => number;
  /** How long the calls behind a project's first call wait for its answer before going on without it (default 2 s). */
  probeWaitMs?: number;
  shared?: SharedBudget;
  /**
   * The shared budget's deadline per round trip (default 5 s); slower, this replica paces alone for
   * `fallbackMs`. Alone, a replica sends as if it were Atlas's only client (three replicas: three
   * times the bucket, every answer a 429): a database slow under load is better waited for. At 1 s,
   * three replicas on one busy PostgreSQL fell back within seconds in the setups bench.
   */
  sharedTimeoutMs?: number;
  /** How long to pace alone after the shared budget failed (default 30 s). */
  fallbackMs?: number;
  /** Most tokens taken from the shared budget at once (default 10). */
  leaseMax?: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
  /**
   * Atlas's statement of the project's bucket (`GET /rateLimits`). Asked in the background the first
   * time a project is paced and every `refillEveryMs` after; `calls`/`perMs` are the fallback.
   */
  refillSource?: (projectId: string) => Promise<RefillAnswer>;
  /** How often `refillSource` is asked again per project (default 1 hour: an operator's override can change). */
  refillEveryMs?: number;
}

/** A call's permission to go out; give it back to `observe` with the answer. */
export interface Ticket {
  readonly projectId: string;
  readonly seq: number;
}

export class PacingAbortedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PacingAbortedError';
  }
}

interface Waiter {
  resolve: (ticket: Ticket) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  deadline: number | undefined;
  onAbort: (() => void) | undefined;
}

type HeaderState = 'unknown' | 'present' | 'absent';

class ProjectState {
  headers: HeaderState = 'unknown';
  capacity: number;
  /** Atlas's tokens left, less what this process sent since (local pacing). */
  tokens: number;
  /** When the next refill is certain to have happened (undefined until the first answer starts the clock). */
  nextRefillAt: number | undefined;
  /** Nothing goes out before this (a Retry-After). */
  blockedUntil = 0;
  /** Tokens taken from the shared budget and not used yet. */
  leased = 0;
  /** The next ticket's number; tickets are numbered in the order calls go out. */
  seq = 0;
  /** Tickets given out whose answer has not come back: Atlas may or may not have counted them yet. */
  outstanding = 0;
  /** A call whose answer the others wait for: the first one, and the first after a refill the model credited. */
  probe: { seq: number; at: number } | undefined;
  needProbe = true;
  readonly waiters: Waiter[] = [];
  running = false;
  wake: (() => void) | undefined;
  lastSharedObserve = 0;
  /** Tokens Atlas puts back every `periodMs`: `atlas.pacing` until Atlas states them. */
  refill: number;
  periodMs: number;
  /** Where the refill comes from now (logged when it changes). */
  source: 'atlas' | 'config' | undefined;
  /** What Atlas stated last. */
  stated: { capacity: number; refill: number; periodMs: number } | undefined;
  /** When `refillSource` was last asked, and whether its answer is awaited. */
  askedAt: number | undefined;
  asking = false;

  constructor(calls: number, perMs: number) {
    this.capacity = calls;
    this.tokens = calls;
    this.refill = calls;
    this.periodMs = perMs;
  }
}

export class ProjectPacer {
  private readonly projects = new Map<string, ProjectState>();
  private readonly now: () => number;
  /** Until when the shared budget is not asked (it failed or was slow). */
  private sharedDownUntil = 0;

  constructor(private readonly options: PacerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Resolves when a call to `projectId` may go out; callers are served in order. Rejects on `signal` or past `deadline`. */
  acquire(projectId: string, opts: { signal?: AbortSignal; deadline?: number } = {}): Promise<Ticket> {
    const state = this.state(projectId);
    this.askRefill(projectId, state);
    return new Promise<Ticket>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new PacingAbortedError('stopping: the Atlas call was not sent'));
      const waiter: Waiter = { resolve, reject, signal: opts.signal, deadline: opts.deadline, onAbort: undefined };
      if (opts.signal) {
        waiter.onAbort = () => {
          this.remove(state, waiter);
          reject(new PacingAbortedError('stopping: the Atlas call was not sent'));
        };
        opts.signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      state.waiters.push(waiter);
      state.wake?.();
      if (!state.running) void this.serve(projectId, state);
    });
  }

  /** Tells the pacer what Atlas answered to a ticket's call (status and headers; status 0: no answer). */
  observe(ticket: Ticket, answer: { status: number; headers?: Headers }): void {
    const state = this.state(ticket.projectId);
    const now = this.now();
    const wasProbe = state.probe?.seq === ticket.seq;
    state.outstanding = Math.max(0, state.outstanding - 1);
    const seen: RateLimitHeaders = answer.headers ? readRateLimitHeaders(answer.headers, now) : {};
    if (answer.status !== 0 && answer.status !== 401) {
      if (seen.limit !== undefined) state.headers = 'present';
      else if (state.headers === 'unknown') state.headers = 'absent';
      // The clock of refills starts once Atlas has surely seen a call (its bucket may start then).
      state.nextRefillAt ??= now + state.periodMs;
    }
    if (seen.limit !== undefined) {
      state.capacity = seen.limit;
      state.tokens = Math.min(state.tokens, seen.limit);
    }
    if (seen.remaining !== undefined) {
      // Every call still unanswered may not be counted in `remaining` yet: count it again (safe side).
      const estimate = Math.max(0, seen.remaining - state.outstanding);
      if (wasProbe && this.options.shared && now >= this.sharedDownUntil) {
        // Tokens come from the shared budget: the probe can only trim what this replica holds.
        state.leased = Math.min(state.leased, estimate);
      } else if (wasProbe) {
        // The probe went out alone after a refill was credited: what it says is the truth, up or down.
        // If more came back than the model credited, the next refill is at most a period away.
        if (estimate > state.tokens) state.nextRefillAt = now + state.periodMs;
        state.tokens = estimate;
      } else if (seen.remaining < state.tokens) {
        // Fewer than this process alone can have spent: another client of the key spends the same
        // bucket. Any other answer may be old (answers overtake each other): it only ever lowers.
        state.tokens = Math.min(state.tokens, estimate);
      }
    }
    const limited = answer.status === 429 || answer.status === 503;
    if (limited && seen.retryAt !== undefined) {
      state.blockedUntil = Math.max(state.blockedUntil, seen.retryAt);
      if (answer.status === 429) {
        // The bucket is empty until then; Atlas said so exactly.
        state.tokens = 0;
        state.leased = 0;
        state.nextRefillAt = seen.retryAt;
      }
    } else if (answer.status === 429) {
      state.tokens = 0;
      state.leased = 0;
    }
    const shared = this.shareObservation(ticket.projectId, state, seen, answer.status, now, wasProbe);
    if (wasProbe && shared) {
      // The others wait until the shared budget knows what the probe learnt (bounded like every round trip).
      void shared.finally(() => {
        if (state.probe?.seq === ticket.seq) state.probe = undefined;
        state.wake?.();
      });
      return;
    }
    if (wasProbe) state.probe = undefined;
    state.wake?.();
  }

  /** Tells the shared budget what Atlas said; the write, when there is one (it never rejects). */
  private shareObservation(projectId: string, state: ProjectState, seen: RateLimitHeaders, status: number, now: number, wasProbe: boolean): Promise<void> | undefined {
    const shared = this.options.shared;
    if (!shared || now < this.sharedDownUntil) return undefined;
    const retryAt = status === 429 ? (seen.retryAt ?? now + state.periodMs) : undefined;
    // Headers alone are shared at most once a second per project (and always a probe's): they only correct the model.
    if (retryAt === undefined && !wasProbe && (seen.remaining === undefined || now - state.lastSharedObserve < 1_000)) return undefined;
    state.lastSharedObserve = now;
    const observation = {
      ...(seen.limit === undefined ? {} : { limit: seen.limit }),
      ...(seen.remaining === undefined ? {} : { remaining: seen.remaining }),
      ...(retryAt === undefined ? {} : { retryAt }),
      ...(wasProbe ? { probeOutstanding: state.outstanding } : {}),
    };
    return this.withSharedDeadline(shared.observe(projectId, observation, this.model(state, now))).catch((err: unknown) => this.sharedFailed(err));
  }

  private state(projectId: string): ProjectState {
    let state = this.projects.get(projectId);
    if (!state) {
      state = new ProjectState(this.options.calls, this.options.perMs);
      this.projects.set(projectId, state);
    }
    return state;
  }

  private remove(state: ProjectState, waiter: Waiter): void {
    const i = state.waiters.indexOf(waiter);
    if (i >= 0) state.waiters.splice(i, 1);
    state.wake?.();
  }

  private model(state: ProjectState, now: number): BucketModel {
    return {
      capacity: state.capacity,
      refill: Math.min(state.refill, state.capacity),
      periodMs: state.periodMs,
      now,
      probe: state.headers === 'present',
      probeWaitMs: this.options.probeWaitMs ?? 2_000,
    };
  }

  /** Serves a project's waiters in order, one loop per project while any wait. */
  private async serve(projectId: string, state: ProjectState): Promise<void> {
    state.running = true;
    try {
      while (state.waiters.length > 0) {
        const now = this.now();
        const late = state.waiters.filter((w) => w.deadline !== undefined && now >= w.deadline);
        for (const waiter of late) {
          this.settle(state, waiter);
          waiter.reject(new PacingAbortedError("Atlas's rate limit left no room for the call before its deadline"));
        }
        const head = state.waiters[0];
        if (!head) break;
        const wait = await this.nextTurn(projectId, state, now);
        if (wait === 0 && state.waiters[0] !== head) {
          // The caller left (stopping) while a shared round trip was out: the token stays here.
          state.tokens++;
          if (this.options.shared && now >= this.sharedDownUntil) state.leased++;
          continue;
        }
        if (wait === 0) {
          const ticket = { projectId, seq: state.seq++ };
          state.outstanding++;
          if (state.needProbe) {
            state.probe = { seq: ticket.seq, at: now };
            state.needProbe = false;
          }
          this.settle(state, head);
          head.resolve(ticket);
          continue;
        }
        const deadlines = state.waiters.map((w) => w.deadline ?? Infinity);
        await this.sleep(state, Math.min(now + wait, ...deadlines) - now);
      }
    } finally {
      state.running = false;
      state.wake = undefined;
    }
  }

  private settle(state: ProjectState, waiter: Waiter): void {
    const i = state.waiters.indexOf(waiter);
    if (i >= 0) state.waiters.splice(i, 1);
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  /** 0 when the head waiter may go now (a token taken), else how long to wait before looking again. */
  private async nextTurn(projectId: string, state: ProjectState, now: number): Promise<number> {
    if (now < state.blockedUntil) return state.blockedUntil - now;
    // One call at a time until an answer says what Atlas's bucket is, and after each refill the
    // model credited (Atlas's refill may be slower than `atlas.pacing` says).
    const probeWaitMs = this.options.probeWaitMs ?? 2_000;
    if (state.probe && now < state.probe.at + probeWaitMs) return state.probe.at + probeWaitMs - now;
    // The first statement of the refill is awaited as the first answer is (and as long at most):
    // calls after the first do not go out on `atlas.pacing`'s guess while Atlas is about to say.
    if (state.asking && state.source === undefined && state.seq > 0 && state.askedAt !== undefined && now < state.askedAt + probeWaitMs) return state.askedAt + probeWaitMs - now;
    this.refill(state, now);
    if (state.probe && now < state.probe.at + probeWaitMs) return state.probe.at + probeWaitMs - now;
    const shared = this.options.shared;
    if (shared && now >= this.sharedDownUntil) {
      if (state.leased >= 1) {
        state.leased--;
        state.tokens = Math.max(0, state.tokens - 1);
        return 0;
      }
      // While Atlas's first statement of the bucket is awaited, no batch is leased on atlas.pacing's guess.
      const learning = state.asking && state.source === undefined;
      const want = learning ? 1 : Math.max(1, Math.min(state.waiters.length, this.options.leaseMax ?? 10));
      try {
        const { granted, retryAt, credited } = await this.withSharedDeadline(shared.take(projectId, want, this.model(state, now)));
        if (granted >= 1) {
          state.leased = granted - 1;
          // A refill the shared model credited (perhaps more than Atlas's full bucket kept): the
          // first call goes alone, and its answer trims the rest of the batch.
          if (credited && state.headers === 'present') state.needProbe = true;
          state.tokens = Math.max(0, state.tokens - 1);
          return 0;
        }
        return Math.max(1, Math.min((retryAt ?? now + state.periodMs) - now, state.periodMs));
      } catch (err) {
        this.sharedFailed(err);
        // Paces alone from here on (the local model has followed every answer all along).
      }
    }
    if (state.tokens >= 1) {
      state.tokens--;
      return 0;
    }
    state.nextRefillAt ??= now + state.periodMs;
    return Math.max(1, state.nextRefillAt - now);
  }

  /** Credits the refills that have surely happened by `now`. */
  private refill(state: ProjectState, now: number): void {
    if (state.nextRefillAt === undefined || now < state.nextRefillAt) return;
    const periods = Math.floor((now - state.nextRefillAt) / state.periodMs) + 1;
    state.tokens = Math.min(state.capacity, state.tokens + periods * Math.min(state.refill, state.capacity));
    state.nextRefillAt += periods * state.periodMs;
    if (state.headers === 'present') state.needProbe = true;
  }

  /** Asks Atlas's statement of the project's bucket in the background, the first time and then every `refillEveryMs`. */
  private askRefill(projectId: string, state: ProjectState): void {
    const source = this.options.refillSource;
    const now = this.now();
    if (!source || state.asking || (state.askedAt !== undefined && now < state.askedAt + (this.options.refillEveryMs ?? 3_600_000))) return;
    state.asking = true;
    state.askedAt = now;
    let answer: Promise<RefillAnswer>;
    try {
      answer = source(projectId);
    } catch {
      answer = Promise.resolve({ stated: false, reason: 'the rate-limit look-up failed' });
    }
    void answer
      .catch((): RefillAnswer => ({ stated: false, reason: 'the rate-limit look-up failed' }))
      .then((said) => this.learnRefill(projectId, state, said))
      .finally(() => {
        state.asking = false;
        state.wake?.();
      });
  }

  /**
   * Uses what Atlas stated (refill, period and, until `RateLimit-Limit` says, capacity). When Atlas
   * does not say, `atlas.pacing` stays or, once Atlas has stated numbers, the last ones stated do.
   */
  private learnRefill(projectId: string, state: ProjectState, said: RefillAnswer): void {
    const logger = this.options.logger;
    if (!said.stated) {
      if (state.source === undefined) {
        state.source = 'config';
        logger?.info({ projectId, source: 'atlas.pacing', refill: state.refill, periodMs: state.periodMs, reason: said.reason }, 'Atlas rate limit: pacing the project by atlas.pacing');
      } else if (state.source === 'atlas') {
        logger?.warn({ projectId, source: 'atlas', reason: said.reason }, 'Atlas rate limit: could not read it again; pacing by the refill Atlas stated last');
      }
      return;
    }
    const { capacity, refill, periodMs } = said;
    if (!(capacity >= 1 && refill >= 1 && periodMs >= 1)) return;
    const last = state.stated;
    const changed = !last || last.refill !== refill || last.periodMs !== periodMs || last.capacity !== capacity;
    state.stated = { capacity, refill, periodMs };
    // The next refill keeps its start (the last refill, or the first answer) under the new period.
    if (state.nextRefillAt !== undefined) state.nextRefillAt += periodMs - state.periodMs;
    state.refill = refill;
    state.periodMs = periodMs;
    if (state.headers !== 'present') {
      // Tokens spent stay spent: the bucket is the stated capacity less what went out.
      state.tokens = Math.max(0, Math.min(capacity, state.tokens + capacity - state.capacity));
      state.leased = Math.min(state.leased, state.tokens);
      state.capacity = capacity;
    }
    state.source = 'atlas';
    if (changed) logger?.info({ projectId, source: 'GET /rateLimits', endpointSet: said.endpointSet, capacity, refill, periodMs }, 'Atlas rate limit: pacing the project by the refill Atlas states');
  }

  private withSharedDeadline<T>(work: Promise<T>): Promise<T> {
    const ms = this.options.sharedTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the shared rate-limit budget did not answer within ${ms} ms`)), ms);
      timer.unref();
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private sharedFailed(err: unknown): void {
    const now = this.now();
    if (now >= this.sharedDownUntil) {
      const reason = err instanceof Error ? err.message : String(err);
      this.options.logger?.warn({ reason }, 'shared Atlas rate-limit budget unavailable; pacing this replica alone for now');
    }
    this.sharedDownUntil = now + (this.options.fallbackMs ?? 30_000);
  }

  /** Waits `ms`, or less when something changed (an answer, a new or departed waiter). */
  private sleep(state: ProjectState, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      timer.unref();
      function done() {
        clearTimeout(timer);
        if (state.wake === done) state.wake = undefined;
        resolve();
      }
      state.wake = done;
    });
  }
}
