// The work a process has in flight (decisions being stored, requests being run), so that a
// shutdown can wait for it to finish and tests can wait for the app to go quiet.
import type { Logger } from '../log.js';

export class WorkInFlight {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly logger: Logger) {}

  /** Runs `operation`, passing its result or error through; `idle()` waits for it. */
  run<T>(operation: () => Promise<T>): Promise<T> {
    const work = operation();
    this.hold(work.then(() => undefined, () => undefined));
    return work;
  }

  /** Starts background work nobody awaits; an error it throws is logged, never lost. */
  spawn(what: string, work: () => Promise<void>): void {
    this.hold(work().catch((err: unknown) => this.logger.error({ err }, `${what} failed unexpectedly`)));
  }

  /** Resolves once nothing is in flight (work started meanwhile is waited for too). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private hold(settled: Promise<unknown>): void {
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
  }
}
