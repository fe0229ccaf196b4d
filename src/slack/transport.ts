// The HTTP transport of spconn's Slack Web API client: node:http(s) over kept-alive sockets,
// handed to @slack/web-api as its `fetch`. Node 20's built-in fetch (undici's WHATWG layer) cost
// about 0.8 ms of CPU per Slack call on the bench machine, more than the rest of the
// `/spconn create` ack path; this costs about a fifth of that (bench/results/README.md).
// web-api keeps everything else: retries, rate limits, error types, the request body.
import http from 'node:http';
import https from 'node:https';
import type { FetchFunction } from '@slack/web-api';

type FetchInit = NonNullable<Parameters<FetchFunction>[1]>;
type FetchResult = Awaited<ReturnType<FetchFunction>>;

export interface SlackTransportOptions {
  /** A certificate to trust besides Node's list (tests; operators set NODE_EXTRA_CA_CERTS). */
  ca?: string;
}

export function slackTransport(options: SlackTransportOptions = {}): FetchFunction & { close(): void } {
  const agentOptions = { keepAlive: true, maxFreeSockets: 64 };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent({ ...agentOptions, ...(options.ca ? { ca: options.ca } : {}) }) };

  const send = (url: string | URL, init: FetchInit = {}): Promise<FetchResult> => {
    const target = typeof url === 'string' ? new URL(url) : url;
    const body = init.body;
    // Only file uploads send FormData (spconn uploads none); leave them to the built-in fetch.
    if ((body !== undefined && typeof body !== 'string') || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
      return globalThis.fetch(target, init);
    }
    const headers: Record<string, string | number> = { ...init.headers };
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    const secure = target.protocol === 'https:';
    const request = secure ? https.request : http.request;
    const attempt = (): Promise<FetchResult> =>
      new Promise<FetchResult>((resolve, reject) => {
        let answered = false;
        const req = request(target, { method: init.method ?? 'GET', headers, agent: secure ? agents.https : agents.http, ...(init.signal ? { signal: init.signal } : {}) }, (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => resolve(response(target.href, res, Buffer.concat(chunks))));
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          // A kept-alive socket the server closed while it sat idle fails the next request before
          // any answer: send it again on another socket (the case Node documents for req.reusedSocket).
          if (req.reusedSocket && !answered && err.code === 'ECONNRESET' && !init.signal?.aborted) resolve(attempt());
          else reject(err);
        });
        req.end(body);
      });
    return attempt();
  };
  return Object.assign(send, {
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
}

function response(url: string, res: http.IncomingMessage, body: Buffer): FetchResult {
  const status = res.statusCode ?? 0;
  const header = (name: string): string | null => {
    const value = res.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: res.statusMessage ?? '',
    url,
    headers: {
      get: header,
      entries: () => Object.keys(res.headers).map((name): [string, string] => [name, header(name) ?? '']),
    },
    text: () => Promise.resolve(body.toString('utf8')),
    json: () => Promise.resolve(JSON.parse(body.toString('utf8')) as unknown),
    arrayBuffer: () => Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer),
  };
}
