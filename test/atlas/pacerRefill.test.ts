// The pacer with Atlas's statement of its refill (`GET /rateLimits`, here a fake `refillSource`) on a
// fake clock: it paces by what Atlas states rather than `atlas.pacing`, falls back to `atlas.pacing`
// when Atlas does not say, never holds the first call for the answer, and asks again only hourly.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProjectPacer, type BucketModel, type PacerOptions, type RefillAnswer, type SharedBudget, type Ticket } from '../../src/atlas/pacer.js';
import { fakeAtlas, PROJECT } from '../support/pacedAtlas.js';

const P = PROJECT;
const T0 = 1_000_000;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});


/** Sends `n` calls at once through the pacer; when each went, in ms from the burst. */
function burst(pacer: ProjectPacer, n: number, send: (t: Ticket) => void): Promise<number[]> {
  const start = Date.now();
  return Promise.all(
    Array.from({ length: n }, async () => {
      const ticket = await pacer.acquire(P);
      send(ticket);
      return Date.now() - start;
    }),
  );
}

/** A logger that keeps what it was told. */
function lines() {
  const seen: Array<{ level: 'info' | 'warn'; fields: Record<string, unknown>; msg: string }> = [];
  const logger: NonNullable<PacerOptions['logger']> = {
    info: ((fields: Record<string, unknown>, msg: string) => void seen.push({ level: 'info', fields, msg })) as never,
    warn: ((fields: Record<string, unknown>, msg: string) => void seen.push({ level: 'warn', fields, msg })) as never,
  };
  return { seen, logger };
}

/** A refill source answering after `ms` (fake clock) with each answer in turn, counting the questions. */
function source(answers: Array<RefillAnswer | Error>, ms = 30) {
  const asked: Array<{ projectId: string; at: number }> = [];
  const fn = (projectId: string) => {
    const answer = answers[Math.min(asked.length, answers.length - 1)]!;
    asked.push({ projectId, at: Date.now() - T0 });
    return new Promise<RefillAnswer>((resolve, reject) => setTimeout(() => (answer instanceof Error ? reject(answer) : resolve(answer)), ms));
  };
  return { fn, asked };
}

const truth = { capacity: 2, refill: 2, periodMs: 10_000 } as const;
const stated: RefillAnswer = { stated: true, endpointSet: 'Project Endpoints', ...truth };

describe('ProjectPacer with the refill Atlas states', () => {
  it('paces by the stated capacity and refill when atlas.pacing overstates them 10x and Atlas sends no headers: no 429', async () => {
    const { seen, logger } = lines();
    const refill = source([stated]);
    const pacer = new ProjectPacer({ calls: 20, perMs: 10_000, refillSource: refill.fn, logger });
    const atlas = fakeAtlas(pacer, { ...truth, headers: false });
    const sentAt = burst(pacer, 9, atlas.send);
    await vi.advanceTimersByTimeAsync(60_000);
    const times = await sentAt;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(atlas.answers.filter((a) => a.status === 429)).toEqual([]);
    expect(atlas.answers).toHaveLength(9);
    // 2 at first, then 2 per 10 s: the 9th goes in the fifth period.
    expect(times.filter((t) => t < 10_000)).toHaveLength(2);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(40_000);
    expect(Math.max(...times)).toBeLessThan(50_000);
    expect(refill.asked).toEqual([{ projectId: P, at: 0 }]);
    expect(seen).toEqual([
      { level: 'info', fields: { projectId: P, source: 'GET /rateLimits', endpointSet: 'Project Endpoints', capacity: 2, refill: 2, periodMs: 10_000 }, msg: 'Atlas rate limit: pacing the project by the refill Atlas states' },
    ]);
  });

  it('the same burst without the statement trips the bucket: what the statement is for', async () => {
    const pacer = new ProjectPacer({ calls: 20, perMs: 10_000 });
    const atlas = fakeAtlas(pacer, { ...truth, headers: false });
    const sentAt = burst(pacer, 9, atlas.send);
    await vi.advanceTimersByTimeAsync(60_000);
    await sentAt;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(atlas.answers.filter((a) => a.status === 429).length).toBeGreaterThan(1);
  });

  it('with RateLimit headers, a refill slower than atlas.pacing says meets no 429 at all once stated', async () => {
    const pacer = new ProjectPacer({ calls: 10, perMs: 10_000, refillSource: source([{ stated: true, endpointSet: 'x', capacity: 10, refill: 2, periodMs: 10_000 }]).fn });
    const atlas = fakeAtlas(pacer, { capacity: 10, refill: 2, periodMs: 10_000 });
    const done = burst(pacer, 20, atlas.send);
    await vi.advanceTimersByTimeAsync(120_000);
    await done;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(atlas.answers.filter((a) => a.status === 200)).toHaveLength(20);
    expect(atlas.answers.filter((a) => a.status === 429)).toEqual([]);
  });

  it('falls back to atlas.pacing when the look-up fails or Atlas does not say, and one line says which and why', async () => {
    for (const answer of [new Error('socket hang up'), { stated: false as const, reason: 'GET /rateLimits answered 403 USER_UNAUTHORIZED: the credential needs the Project Read Only role' }]) {
      const { seen, logger } = lines();
      const pacer = new ProjectPacer({ calls: 3, perMs: 60_000, refillSource: source([answer]).fn, logger });
      const atlas = fakeAtlas(pacer, { capacity: 3, refill: 3, periodMs: 60_000, headers: false });
      const sentAt = burst(pacer, 7, atlas.send);
      await vi.advanceTimersByTimeAsync(200_000);
      const times = await sentAt;
      expect(atlas.answers.filter((a) => a.status === 429)).toEqual([]);
      expect(times.filter((t) => t < 60_000)).toHaveLength(3);
      expect(times.filter((t) => t >= 60_000 && t < 120_000)).toHaveLength(3);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ level: 'info', fields: { projectId: P, source: 'atlas.pacing', refill: 3, periodMs: 60_000 }, msg: 'Atlas rate limit: pacing the project by atlas.pacing' });
      expect(seen[0]!.fields.reason).toBe(answer instanceof Error ? 'the rate-limit look-up failed' : answer.reason);
    }
  });

  it('does not hold the first call for the answer, and the others at most as long as for the first answer', async () => {
    const never = () => new Promise<RefillAnswer>(() => {});
    const pacer = new ProjectPacer({ calls: 5, perMs: 60_000, probeWaitMs: 2_000, refillSource: never });
    const first = pacer.acquire(P).then(() => Date.now() - T0);
    const second = pacer.acquire(P).then((t) => {
      pacer.observe(t, { status: 200 });
      return Date.now() - T0;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(await first).toBe(0);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await second).toBe(2_000);
  });

  it('asks again only after refillEveryMs, and follows a changed statement (an operator override)', async () => {
    const { seen, logger } = lines();
    const changed: RefillAnswer = { stated: true, endpointSet: 'Project Endpoints', capacity: 2, refill: 1, periodMs: 20_000 };
    const refill = source([stated, stated, changed]);
    const pacer = new ProjectPacer({ calls: 20, perMs: 10_000, refillSource: refill.fn, refillEveryMs: 3_600_000, logger });
    const atlas = fakeAtlas(pacer, truth, 10);
    const call = async () => atlas.send(await pacer.acquire(P));
    await call();
    await vi.advanceTimersByTimeAsync(1_000);
    await call();
    await vi.advanceTimersByTimeAsync(3_000_000);
    await call();
    expect(refill.asked.map((a) => a.at)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(600_000);
    await call();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refill.asked).toHaveLength(2);
    // The same numbers again: nothing new to say.
    expect(seen.filter((l) => l.fields.source === 'GET /rateLimits')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3_600_000);
    await call();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refill.asked).toHaveLength(3);
    expect(seen.filter((l) => l.fields.source === 'GET /rateLimits').map((l) => l.fields.refill)).toEqual([2, 1]);
  });

  it('keeps the refill Atlas stated last when a later look-up fails, and says so', async () => {
    const { seen, logger } = lines();
    const pacer = new ProjectPacer({ calls: 20, perMs: 10_000, refillSource: source([stated, new Error('down')]).fn, refillEveryMs: 60_000, logger });
    const atlas = fakeAtlas(pacer, { ...truth, headers: false });
    atlas.send(await pacer.acquire(P));
    // Mid-period, past refillEveryMs: the burst asks again, the look-up fails.
    await vi.advanceTimersByTimeAsync(75_000);
    const sentAt = burst(pacer, 5, atlas.send);
    await vi.advanceTimersByTimeAsync(60_000);
    const times = await sentAt;
    expect(atlas.answers.filter((a) => a.status === 429)).toEqual([]);
    // Still 2 per 10 s as stated, not atlas.pacing's 20.
    expect(times.filter((t) => t < 5_000)).toHaveLength(2);
    expect(times.filter((t) => t >= 5_000 && t < 15_000)).toHaveLength(2);
    expect(seen.map((l) => [l.level, l.fields.source])).toEqual([
      ['info', 'GET /rateLimits'],
      ['warn', 'atlas'],
    ]);
  });

  it('gives the shared budget the stated refill and capacity, so replicas that learnt the same numbers agree', async () => {
    const models: BucketModel[] = [];
    const shared: SharedBudget = {
      take: async (_projectId, want, model) => {
        models.push(model);
        return { granted: want, retryAt: undefined, credited: false };
      },
      observe: async () => {},
    };
    const pacer = new ProjectPacer({ calls: 20, perMs: 60_000, shared, refillSource: source([stated]).fn });
    const first = await pacer.acquire(P);
    const second = pacer.acquire(P);
    await vi.advanceTimersByTimeAsync(100);
    pacer.observe(first, { status: 200 });
    await vi.advanceTimersByTimeAsync(100);
    await second;
    expect(models[0]).toMatchObject({ capacity: 20, refill: 20, periodMs: 60_000 });
    expect(models.at(-1)).toMatchObject({ capacity: 2, refill: 2, periodMs: 10_000 });
  });
});
