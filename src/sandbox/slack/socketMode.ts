// Slack's Socket Mode, emulated: `apps.connections.open` (app-level token) hands out a one-time
// ws:// URL on the emulator's own port; the app connects, is greeted with `hello`, and is sent
// envelopes it acknowledges with `{envelope_id, payload}` — within 3 s, or Slack gives up.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

const ackSchema = z.object({ envelope_id: z.string(), payload: z.record(z.string(), z.unknown()).optional() });

interface Waiting {
  resolve(payload: Record<string, unknown> | undefined): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface SocketModeHubOptions {
  port: number;
  appId: string;
  /** Slack waits 3 s for an acknowledgement. */
  ackTimeoutMs?: number;
  /** Slack pings every few seconds; the client reconnects when pings stop. */
  pingEveryMs?: number;
  /** Told when a connection opens or closes or an ack arrives, so waiters look again. */
  onChange?: () => void;
}

export class SocketModeHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly ping: NodeJS.Timeout;

  constructor(private readonly options: SocketModeHubOptions) {
    this.ping = setInterval(() => {
      for (const socket of this.sockets) socket.ping();
    }, options.pingEveryMs ?? 10_000);
    this.ping.unref();
  }

  /** `apps.connections.open`: a URL that can be connected to once. */
  open(): { url: string } {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return { url: `ws://127.0.0.1:${this.options.port}/link/?ticket=${ticket}` };
  }

  /** Open connections (after `hello`). */
  get connections(): number {
    return this.sockets.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.options.onChange?.();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let parsed: z.infer<typeof ackSchema> | undefined;
      try {
        const result = ackSchema.safeParse(JSON.parse(data.toString()));
        if (result.success) parsed = result.data;
      } catch {
        // Not JSON: Slack ignores it too.
      }
      if (!parsed) return;
      const waiter = this.waiting.get(parsed.envelope_id);
      if (!waiter) return;
      this.waiting.delete(parsed.envelope_id);
      clearTimeout(waiter.timer);
      waiter.resolve(parsed.payload);
      this.options.onChange?.();
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'applink-emulator', approximate_connection_time: 18_060 },
        connection_info: { app_id: this.options.appId },
      }),
    );
    this.options.onChange?.();
  }

  /**
   * Sends a payload as Slack does and resolves with the app's acknowledgement payload (undefined
   * for an empty ack); rejects when no app is connected or no ack comes within the deadline.
   */
  deliver(type: EnvelopeType, payload: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const socket = [...this.sockets].at(-1);
    if (!socket) return Promise.reject(new Error('no Socket Mode connection is open'));
    const envelopeId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelopeId);
        reject(new Error(`the app did not acknowledge ${type} envelope ${envelopeId} within ${this.options.ackTimeoutMs ?? 3000} ms`));
      }, this.options.ackTimeoutMs ?? 3000);
      this.waiting.set(envelopeId, { resolve, reject, timer });
      socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true }));
    });
  }

  /** Sends any message, as it is, and expects no acknowledgement (for tests of what Slack should never send). */
  sendRaw(message: unknown): void {
    const socket = [...this.sockets].at(-1);
    if (!socket) throw new Error('no Socket Mode connection is open');
    socket.send(JSON.stringify(message));
  }

  /** Asks every connected client to reconnect, as Slack does before recycling a server. */
  refresh(): void {
    for (const socket of this.sockets) socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'applink-emulator' } }));
  }

  close(): void {
    clearInterval(this.ping);
    for (const waiter of this.waiting.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the Slack emulator stopped'));
    }
    this.waiting.clear();
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
  }
}
