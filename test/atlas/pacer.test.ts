// The pacer against Atlas's token bucket on a fake clock: what goes out when, counted, never timed
// on the real clock. Atlas here is the emulator's own bucket (src/sandbox/atlas/traffic.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProjectPacer, type Ticket } from '../../src/atlas/pacer.js';
import { TokenBuckets } from '../../src/sandbox/atlas/traffic.js';
import { fakeAtlas, PROJECT } from '../support/pacedAtlas.js';

const P = PROJECT;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});


/** Sends `n` calls at once through the pacer; each is answered by `send`. */
function burst(pacer: ProjectPacer, n: number, send: (t: Ticket) => void): Promise<number[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const ticket = await pacer.acquire(P);
      send(ticket);
      return Date.now();
    }),
  );
}

describe('ProjectPacer', () => {
  it('paces a burst from RateLimit-Limit / Remaining: no 429 at all, and the bucket is used to the full', async () => {
    const pacer = new ProjectPacer({ calls: 5, perMs: 10_000 });
    const atlas = fakeAtlas(pacer, { capacity: 5, refill: 5, periodMs: 10_000 });
    const done = burst(pacer, 23, atlas.send);
    await vi.advanceTimersByTimeAsync(60_000);
    await done;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(atlas.answers).toHaveLength(23);
    expect(atlas.answers.filter((a) => a.status === 429)).toHaveLength(0);
    // 5 at first, then 5 per refill: the 21st to 23rd go in the fifth period, not later.
    const last = Math.max(...atlas.answers.map((a) => a.at)) - 1_000_000;
    expect(last).toBeGreaterThanOrEqual(40_000);
    expect(last).toBeLessThan(50_000);
  });

  it('learns a smaller capacity from the first answer before sending the rest of a burst', async () => {
    // The config guesses 100 per period; Atlas's bucket holds 4.
    const pacer = new ProjectPacer({ calls: 100, perMs: 10_000 });
    const atlas = fakeAtlas(pacer, { capacity: 4, refill: 4, periodMs: 10_000 });
    const done = burst(pacer, 12, atlas.send);
    await vi.advanceTimersByTimeAsync(40_000);
    await done;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(atlas.answers.filter((a) => a.status === 429)).toHaveLength(0);
    expect(atlas.answers).toHaveLength(12);
  });

  it('follows Atlas when it refills more slowly than atlas.pacing says: at most the first 429', async () => {
    const pacer = new ProjectPacer({ calls: 10, perMs: 10_000 });
    const atlas = fakeAtlas(pacer, { capacity: 10, refill: 2, periodMs: 10_000 });
    const done = burst(pacer, 20, atlas.send);
    await vi.advanceTimersByTimeAsync(120_000);
    await done;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(atlas.answers.filter((a) => a.status === 200)).toHaveLength(20);
    expect(atlas.answers.filter((a) => a.status === 429).length).toBeLessThanOrEqual(1);
  });

  it('paces from atlas.pacing when Atlas sends no headers: a bucket of `calls` refilling `calls` per `per`', async () => {
    const pacer = new ProjectPacer({ calls: 3, perMs: 60_000 });
    const atlas = fakeAtlas(pacer, { capacity: 3, refill: 3, periodMs: 60_000, headers: false });
    const sentAt = burst(pacer, 8, atlas.send);
    await vi.advanceTimersByTimeAsync(200_000);
    const times = (await sentAt).map((t) => t - 1_000_000);
    expect(atlas.answers.filter((a) => a.status === 429)).toHaveLength(0);
    // The first call alone (its answer says there are no headers), two more, then 3 a minute.
    expect(times.filter((t) => t < 60_000)).toHaveLength(3);
    expect(times.filter((t) => t >= 60_000 && t < 120_000)).toHaveLength(3);
    expect(times.filter((t) => t >= 120_000)).toHaveLength(2);
    expect([...times].sort((a, b) => a - b)).toEqual(times); // in order of arrival
  });

  it('keeps 200 callers under the bucket for 2,000 calls with answers overtaking each other, within 1.15x the least time', async () => {
    // A seeded generator: the same interleaving every run.
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pacer = new ProjectPacer({ calls: 100, perMs: 2_000 });
    const buckets = new TokenBuckets({ capacity: 100, refill: 100, periodMs: 2_000 }, Date.now);
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let ok = 0;
    let limited = 0;
    let last = 0;
    const caller = async () => {
      while (ok < 2_000) {
        const ticket = await pacer.acquire(P);
        await pause(10 + random() * 300); // on its way to Atlas
        const taken = buckets.take(P);
        const headers = new Headers(buckets.headers(P));
        if (!taken.ok) headers.set('Retry-After', String(taken.retryAfterSeconds));
        await pause(10 + random() * 300); // the answer on its way back
        pacer.observe(ticket, { status: taken.ok ? 200 : 429, headers });
        if (!taken.ok) limited++;
        else if (++ok === 2_000) last = Date.now() - 1_000_000;
        await pause(50);
      }
    };
    const all = Promise.all(Array.from({ length: 200 }, caller));
    await vi.advanceTimersByTimeAsync(200_000);
    await all;
    expect(limited).toBe(0);
    expect(ok).toBeGreaterThanOrEqual(2_000);
    // 100 at once, then 100 per 2 s: the 2,000th call cannot be answered before 38 s.
    expect(last).toBeLessThanOrEqual(1.15 * 38_000);
  });

  it('holds the whole project until Retry-After on a 429 or a 503', async () => {
    for (const status of [429, 503]) {
      const pacer = new ProjectPacer({ calls: 100, perMs: 60_000 });
      const first = await pacer.acquire(P);
      pacer.observe(first, { status, headers: new Headers({ 'Retry-After': '30', 'RateLimit-Limit': '100', 'RateLimit-Remaining': '50' }) });
      const t0 = Date.now();
      const next = pacer.acquire(P).then(() => Date.now() - t0);
      await vi.advanceTimersByTimeAsync(40_000);
      expect(await next).toBe(30_000);
    }
  });

  it('ignores malformed headers instead of trusting them', async () => {
    const pacer = new ProjectPacer({ calls: 2, perMs: 60_000 });
    const first = await pacer.acquire(P);
    pacer.observe(first, { status: 200, headers: new Headers({ 'RateLimit-Limit': '-5', 'RateLimit-Remaining': 'lots', 'Retry-After': 'soon' }) });
    const t0 = Date.now();
    const second = pacer.acquire(P).then(() => Date.now() - t0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await second).toBe(0);
  });

  it('gives up waiting at the call deadline and when stopping, and serves the others on', async () => {
    const pacer = new ProjectPacer({ calls: 1, perMs: 60_000 });
    pacer.observe(await pacer.acquire(P), { status: 200 });
    const stop = new AbortController();
    const late = pacer.acquire(P, { deadline: Date.now() + 5_000 }).then(
      () => 'sent',
      (e: Error) => e.message,
    );
    const stopped = pacer.acquire(P, { signal: stop.signal }).then(
      () => 'sent',
      (e: Error) => e.message,
    );
    const patient = pacer.acquire(P).then(() => 'sent');
    await vi.advanceTimersByTimeAsync(6_000);
    expect(await late).toMatch(/deadline/);
    stop.abort();
    expect(await stopped).toMatch(/stopping/);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await patient).toBe('sent');
  });
});
