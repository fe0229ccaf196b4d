// What every emulator shares: a node:http server on 127.0.0.1 with a free port, a body reader,
// a way for tests to wait for a condition without sleeping, and timers that stop with the server.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => Promise<void> | void;

export class EmulatorServer {
  private readonly events = new EventEmitter();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    this.events.setMaxListeners(0);
  }

  static async start(name: string, handler: Handler): Promise<EmulatorServer> {
    const ref: { emulator?: EmulatorServer } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        Promise.resolve(handler(req, Buffer.concat(chunks).toString('utf8'), res))
          .catch((err: unknown) => {
            if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`${name} emulator error: ${String(err)}`);
          })
          .finally(() => ref.emulator?.changed());
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    ref.emulator = new EmulatorServer(server, (server.address() as AddressInfo).port);
    return ref.emulator;
  }

  /** Takes over HTTP upgrades (WebSockets); without a handler they are refused. */
  onUpgrade(handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void {
    this.server.on('upgrade', handler);
  }

  /** Tells waiters that state may have changed. */
  changed(): void {
    this.events.emit('changed');
  }

  /** Calls `listener` whenever state may have changed (after every request, and on test controls); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }

  /** Resolves once `predicate` holds, re-checked after every request; rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waitFor: ${what} did not hold within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off('changed', onChange);
      };
      this.events.on('changed', onChange);
    });
  }

  /** A delay that is cancelled (resolved early) when the server stops. */
  private readonly holds = new Set<() => void>();

  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Waits for a test's gate to open; cut short when the server stops. */
  held(gate: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.holds.delete(done);
        resolve();
      };
      this.holds.add(done);
      gate.then(done, done);
    });
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const release of [...this.holds]) release();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
