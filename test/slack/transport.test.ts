// spconn's Slack transport under @slack/web-api's WebClient, against local servers: what the
// client sends, what it reads back (results, Slack errors, HTTP errors, rate limits, timeouts),
// that one socket carries consecutive calls, and TLS, which is how it talks to slack.com.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, LogLevel, WebClient, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { slackTransport } from '../../src/slack/transport.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Answer = (seen: Seen, res: http.ServerResponse) => void;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function serve(answer: Answer, tls?: { key: string; cert: string }) {
  const seen: Seen[] = [];
  let connections = 0;
  let decide: (req: http.IncomingMessage) => 'answer' | 'reset' = () => 'answer';
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (decide(req) === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      answer(s, res);
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  server.on(tls ? 'secureConnection' : 'connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/api/`,
    seen,
    connections: () => connections,
    /** Decides per request whether to answer or reset the connection unanswered. */
    onRequest: (fn: typeof decide) => (decide = fn),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

function client(apiUrl: string, options: ConstructorParameters<typeof WebClient>[1] = {}) {
  const transport = slackTransport();
  cleanups.push(() => transport.close());
  return new WebClient('fake-bot-token-for-transport-tests', { slackApiUrl: apiUrl, fetch: transport, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR, ...options });
}

describe('the Slack transport', () => {
  it('sends what web-api builds and returns Slack\'s answer, over one kept-alive socket', async () => {
    const slack = await serve((seen, res) => json(res, 200, { ok: true, view: { id: 'V123', hash: 'h1' } }, { 'x-oauth-scopes': 'commands,chat:write' }));
    const web = client(slack.url);
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Ünïcode ✓' }, blocks: [] };
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await web.views.open({ trigger_id: `trigger-${i}`, view }));

    expect(results.map((r) => r.view?.id)).toEqual(['V123', 'V123', 'V123']);
    expect(results[0]!.response_metadata?.scopes).toEqual(['commands', 'chat:write']);
    expect(slack.connections()).toBe(1);
    const first = slack.seen[0]!;
    expect(first.method).toBe('POST');
    expect(first.url).toBe('/api/views.open');
    expect(first.headers.authorization).toBe('Bearer fake-bot-token-for-transport-tests');
    expect(first.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Number(first.headers['content-length'])).toBe(Buffer.byteLength(first.body));
    const form = new URLSearchParams(first.body);
    expect(form.get('trigger_id')).toBe('trigger-0');
    expect(JSON.parse(form.get('view')!)).toEqual(view);
  });

  it('turns Slack\'s error answers into web-api\'s errors', async () => {
    const slack = await serve((seen, res) => {
      if (seen.url.endsWith('/views.open')) json(res, 200, { ok: false, error: 'expired_trigger_id' });
      else if (seen.url.endsWith('/chat.postMessage')) json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '7' });
      else res.writeHead(503, 'Service Unavailable', { 'content-type': 'text/plain' }).end('down for maintenance');
    });
    const web = client(slack.url, { rejectRateLimitedCalls: true });

    const platform = (await web.views.open({ trigger_id: 't', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } }).catch((e: unknown) => e)) as WebAPIPlatformError;
    expect(platform.code).toBe(ErrorCode.PlatformError);
    expect(platform.data.error).toBe('expired_trigger_id');

    const limited = (await web.chat.postMessage({ channel: 'C1', text: 'hi' }).catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(limited.code).toBe(ErrorCode.RateLimitedError);
    expect(limited.retryAfter).toBe(7);

    const down = (await web.auth.test().catch((e: unknown) => e)) as WebAPIHTTPError;
    expect(down.code).toBe(ErrorCode.HTTPError);
    expect(down.statusCode).toBe(503);
    expect(down.statusMessage).toBe('Service Unavailable');
    expect(down.body).toBe('down for maintenance');
  });

  it('sends again on a new socket when Slack closed the kept-alive one while it sat idle', async () => {
    // Slack's side closes an idle connection just as the next call goes out on it: the call must
    // not fail (views.open has no retry of its own, and its trigger would be spent).
    const perSocket = new WeakMap<object, number>();
    const slack = await serve((seen, res) => json(res, 200, { ok: true, user_id: 'UBOT' }));
    const web = client(slack.url);
    await web.auth.test();
    slack.onRequest((req) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      return n === 1 && slack.connections() === 1 ? 'reset' : 'answer';
    });
    const answer = await web.auth.test();
    expect(answer.user_id).toBe('UBOT');
    expect(slack.connections()).toBe(2);
    expect(slack.seen).toHaveLength(2);
  });

  it('gives up at web-api\'s timeout when Slack does not answer', async () => {
    const slack = await serve(() => undefined);
    const web = client(slack.url, { timeout: 200 });
    const started = Date.now();
    const err = (await web.auth.test().catch((e: unknown) => e)) as { code?: string; original?: Error };
    expect(err.code).toBe(ErrorCode.RequestError);
    expect(err.original?.name).toMatch(/Abort|Timeout/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('speaks TLS, as it does to slack.com', async (context) => {
    let dir: string;
    try {
      dir = mkdtempSync(join(tmpdir(), 'spconn-tls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    } catch {
      context.skip('openssl is not installed here; .ci/apt-packages installs it');
      return;
    }
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const slack = await serve((seen, res) => json(res, 200, { ok: true, user_id: 'UBOT' }), { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert });

    // Node trusts only its own CA list: a self-signed peer is refused...
    await expect(client(slack.url).auth.test()).rejects.toMatchObject({ code: ErrorCode.RequestError });
    // ...and accepted once its certificate is trusted (operators do it with NODE_EXTRA_CA_CERTS, which Node applies here too).
    const trusted = slackTransport({ ca: cert });
    cleanups.push(() => trusted.close());
    const answer = await new WebClient('fake-bot-token-for-transport-tests', { slackApiUrl: slack.url, fetch: trusted, retryConfig: { retries: 0 } }).auth.test();
    expect(answer.user_id).toBe('UBOT');
  });
});
