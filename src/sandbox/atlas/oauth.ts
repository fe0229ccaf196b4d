// Atlas service accounts as the emulator plays them: `POST /api/oauth/token` (Basic auth with the
// client ID and secret, form body `grant_type=client_credentials`) mints a bearer token that
// expires; at most `limit` (Atlas: 100) active tokens per service account, past that 403
// access_denied "Access Token limit reached"; `POST /api/oauth/revoke` revokes one. Every other
// endpoint accepts `Authorization: Bearer <token>` beside Digest.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from './envelope.js';

export interface ServiceAccount {
  clientId: string;
  clientSecret: string;
}

interface IssuedToken {
  clientId: string;
  expiresAt: number;
  revoked: boolean;
}

export type BearerVerdict = { ok: true; clientId: string } | { ok: false; reason: string };

const oauthError = (status: number, error: string, description: string): Reply => ({
  status,
  body: { error, error_description: description },
  headers: { 'Cache-Control': 'no-store' },
});

export class TokenIssuer {
  private readonly accounts = new Map<string, string>();
  private readonly tokens = new Map<string, IssuedToken>();
  /** Tokens minted, per client ID. */
  private readonly mintedBy = new Map<string, number>();
  /** Every token minted, in order (tests look for them in logs and databases). */
  readonly issued: string[] = [];
  /** While true, every bearer token is answered 401, newly minted ones too (tests: a client must not loop). */
  refuseBearers = false;
  /** The next this-many token requests are answered 503 (a passing outage of the token endpoint). */
  unavailable = 0;

  constructor(
    /** Lifetime of a token in seconds (Atlas: 3600). */
    public lifetimeS: number,
    /** Active tokens per service account (Atlas: 100). */
    public limit: number,
    private readonly now: () => number,
  ) {}

  addAccount(account: ServiceAccount): void {
    this.accounts.set(account.clientId, account.clientSecret);
  }

  removeAccount(clientId: string): void {
    this.accounts.delete(clientId);
  }

  minted(clientId?: string): number {
    if (clientId !== undefined) return this.mintedBy.get(clientId) ?? 0;
    return [...this.mintedBy.values()].reduce((a, b) => a + b, 0);
  }

  active(clientId: string): number {
    const now = this.now();
    return [...this.tokens.values()].filter((t) => t.clientId === clientId && !t.revoked && t.expiresAt > now).length;
  }

  /** Ends a token at once, as if it had expired (tests: a 401 on a token the app still thinks good). */
  expire(token: string): void {
    const issued = this.tokens.get(token);
    if (issued) issued.expiresAt = this.now();
  }

  /** Handles `/api/oauth/token` and `/api/oauth/revoke`; `clientId` is set once Basic auth passed. */
  handle(method: string, path: string, headers: IncomingHttpHeaders, raw: string): { reply: Reply; clientId?: string; minted?: boolean } {
    if (this.unavailable > 0) {
      this.unavailable -= 1;
      return { reply: oauthError(503, 'temporarily_unavailable', 'The service is temporarily unavailable.') };
    }
    if (method !== 'POST') return { reply: { ...oauthError(405, 'invalid_request', 'Use POST.'), headers: { Allow: 'POST' } } };
    const clientId = this.basicClient(headers.authorization);
    if (clientId === undefined) {
      return { reply: { ...oauthError(401, 'invalid_client', 'Invalid client credentials.'), headers: { 'WWW-Authenticate': 'Basic realm="oauth"' } } };
    }
    const contentType = String(headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded') {
      return { reply: oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.'), clientId };
    }
    const form = new URLSearchParams(raw);
    if (path === '/api/oauth/revoke') {
      const token = form.get('token');
      const issued = token === null ? undefined : this.tokens.get(token);
      // RFC 7009: an unknown token is not an error.
      if (issued && issued.clientId === clientId) issued.revoked = true;
      return { reply: { status: 200, body: {} }, clientId };
    }
    if (path !== '/api/oauth/token') return { reply: oauthError(404, 'invalid_request', `No such endpoint ${path}.`), clientId };
    if (form.get('grant_type') !== 'client_credentials') {
      return { reply: oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials.'), clientId };
    }
    if (this.active(clientId) >= this.limit) return { reply: oauthError(403, 'access_denied', 'Access Token limit reached'), clientId };
    const token = `sa_${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { clientId, expiresAt: this.now() + this.lifetimeS * 1000, revoked: false });
    this.mintedBy.set(clientId, (this.mintedBy.get(clientId) ?? 0) + 1);
    this.issued.push(token);
    return { reply: { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: this.lifetimeS }, headers: { 'Cache-Control': 'no-store' } }, clientId, minted: true };
  }

  /** Checks `Authorization: Bearer …`; undefined when the request carries no bearer token at all. */
  verify(header: string | undefined): BearerVerdict | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
    if (!match) return undefined;
    const issued = this.tokens.get(match[1]!);
    if (!issued) return { ok: false, reason: 'unknown token' };
    if (this.refuseBearers) return { ok: false, reason: 'refused by the test' };
    if (issued.revoked) return { ok: false, reason: 'revoked token' };
    if (issued.expiresAt <= this.now()) return { ok: false, reason: 'expired token' };
    if (!this.accounts.has(issued.clientId)) return { ok: false, reason: 'deleted service account' };
    return { ok: true, clientId: issued.clientId };
  }

  private basicClient(header: string | undefined): string | undefined {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const clientId = decoded.slice(0, colon);
    const secret = this.accounts.get(clientId);
    return secret !== undefined && secret === decoded.slice(colon + 1) ? clientId : undefined;
  }
}
