// Paces Atlas calls per project: at most `calls` in any `windowMs`, shared by every request and
// workflow of the process, so a burst of setups queues here instead of tripping Atlas's limits.

export class ProjectPacer {
  private readonly sent = new Map<string, number[]>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly calls: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a call to `projectId` may go out; callers are served in order. */
  acquire(projectId: string): Promise<void> {
    const previous = this.queues.get(projectId) ?? Promise.resolve();
    const turn = previous.then(() => this.take(projectId));
    this.queues.set(projectId, turn);
    void turn.finally(() => {
      if (this.queues.get(projectId) === turn) this.queues.delete(projectId);
    });
    return turn;
  }

  private async take(projectId: string): Promise<void> {
    for (;;) {
      const now = this.now();
      const recent = (this.sent.get(projectId) ?? []).filter((t) => now - t < this.windowMs);
      if (recent.length < this.calls) {
        recent.push(now);
        this.sent.set(projectId, recent);
        return;
      }
      // Wait until the oldest call in the window leaves it.
      await new Promise((resolve) => setTimeout(resolve, this.windowMs - (now - recent[0]!) + 1).unref());
    }
  }
}
