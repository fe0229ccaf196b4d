// The app's HTTP port: Slack's request URL (HTTP mode), and health, readiness and metrics for operators.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpServerOptions {
  /** Readiness asks the store to answer. */
  store: { ping(): Promise<void> };
  metrics: Metrics;
  logger: Logger;
  /** True once the app has begun to stop: not ready any more. */
  isStopping: () => boolean;
  /** POST /slack/events; absent in Socket Mode, where Slack's deliveries come over the socket. */
  slackEvents?: RequestHandler;
}

export class HttpServer {
  private readonly server: Server;

  constructor(private readonly options: HttpServerOptions) {
    this.server = createServer((req, res) => this.route(req, res));
    // Behind a load balancer, an idle connection must outlive the balancer's idle timeout (AWS ALB:
    // 60 s), or a request sent as Node closes the connection fails ("other side closed", a 502).
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
  }

  /** Binds the port; resolves with the port bound (useful with 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** Stops taking connections, closes idle ones, and resolves when the last one has closed. */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const { store, metrics, logger } = this.options;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method === 'GET' && path === '/readyz') {
      // Ready: config loaded (we are running) and the store answers; not ready while stopping.
      if (this.options.isStopping()) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('stopping');
        return;
      }
      store.ping().then(
        () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ready'),
        (err: unknown) => {
          logger.warn({ err }, 'readiness check: store unreachable');
          res.writeHead(503, { 'content-type': 'text/plain' }).end('store unreachable');
        },
      );
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: unknown) => {
          logger.warn({ err }, 'metrics could not be collected');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable');
        },
      );
      return;
    }
    if (path === '/slack/events' && this.options.slackEvents) {
      this.options.slackEvents(req, res);
      return;
    }
    res.writeHead(404).end();
  }
}
