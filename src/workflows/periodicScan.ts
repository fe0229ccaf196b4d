// A scan that runs every period and on demand (tests, the playground), one at a time: a scan asked
// for while one runs gets that one. Stopping ends the period and waits for the scan in flight.
export class PeriodicScan<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T[]> | undefined;
  private ended = false;

  constructor(private readonly run: () => Promise<T[]>) {}

  /** Whether `stop` was called: a long scan checks it between steps. */
  get stopped(): boolean {
    return this.ended;
  }

  /** Scans every `every` ms; false when no period is set or it already runs. */
  start(every: number | undefined): boolean {
    if (every === undefined || this.timer) return false;
    this.timer = setInterval(() => void this.scan(), every);
    this.timer.unref();
    return true;
  }

  scan(): Promise<T[]> {
    if (this.ended) return Promise.resolve([]);
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
