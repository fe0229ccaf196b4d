// HTTP Digest done right under concurrency: digest-fetch keeps one nonce and one `nc` counter per
// client, so overlapping calls on one client reuse counters and earn extra 401 round trips. Each
// in-flight call borrows its own client here; a returned client keeps its nonce, so once warm a
// call is one HTTP request.
import DigestClient from 'digest-fetch';

const MAX_IDLE = 32;

export class DigestPool {
  private readonly idle: DigestClient[] = [];

  constructor(
    private readonly publicKey: string,
    private readonly privateKey: string,
  ) {}

  async fetch(url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<Response> {
    const client = this.idle.pop() ?? new DigestClient(this.publicKey, this.privateKey, { algorithm: 'MD5' });
    try {
      // digest-fetch adds Authorization to the headers object it is given: hand it a fresh copy each time.
      const response = await client.fetch(url, { ...init, headers: { ...init.headers } });
      return response as Response;
    } finally {
      if (this.idle.length < MAX_IDLE) this.idle.push(client);
    }
  }
}
