// HTTP Digest done right under concurrency: digest-fetch keeps one nonce and one `nc` counter per
// client, so overlapping calls on one client reuse counters and earn extra 401 round trips. Each
// in-flight call borrows its own client here; a returned client keeps its nonce, so once warm a
// call is one HTTP request.
//
// At most MAX_CLIENTS calls are in flight per key; later ones wait for a client to come back. A
// burst of hundreds of calls at once (setups that one shared poll moved on together) would
// otherwise make hundreds of new clients, each paying a 401 challenge round trip first. A call
// whose deadline passes while it waits fails as a timeout, as it would on the wire.
import DigestClient from 'digest-fetch';

const MAX_CLIENTS = 32;

export class DigestPool {
  private readonly idle: DigestClient[] = [];
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly publicKey: string,
    private readonly privateKey: string,
  ) {}

  async fetch(url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<Response> {
    await this.turn(init.signal);
    const client = this.idle.pop() ?? new DigestClient(this.publicKey, this.privateKey, { algorithm: 'MD5' });
    try {
      // digest-fetch adds Authorization to the headers object it is given: hand it a fresh copy each time.
      const response = await client.fetch(url, { ...init, headers: { ...init.headers } });
      return response as Response;
    } finally {
      this.idle.push(client);
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  /** Resolves when fewer than MAX_CLIENTS calls are in flight (and counts this one in). */
  private turn(signal: AbortSignal | undefined): Promise<void> {
    if (this.inFlight < MAX_CLIENTS) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', abandon);
        this.inFlight++;
        resolve();
      };
      const abandon = () => {
        const at = this.waiting.indexOf(go);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal?.aborted) return abandon();
      signal?.addEventListener('abort', abandon, { once: true });
      this.waiting.push(go);
    });
  }
}
