// Atlas service accounts (OAuth 2 client credentials): the secret's shape, and the token source that
// mints an access token at `POST /api/oauth/token`, reuses it until shortly before it expires, mints
// once for any number of concurrent callers, and once more after Atlas refuses it (401). With a
// shared store (PostgreSQL) every replica uses the one token it holds, sealed. Atlas allows 100
// active tokens per service account and answers 403 access_denied past that.
import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SecretCache } from '../secrets/apiKeys.js';
import { SecretScrubber } from '../secrets/scrub.js';
import { AtlasApiError } from './errors.js';

export const serviceAccountSecretSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});
export type ServiceAccountCredentials = z.infer<typeof serviceAccountSecretSchema>;

/** Parses a secret value as a service account without ever echoing the value in an error. */
export function parseServiceAccount(secretId: string, value: string): ServiceAccountCredentials {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new SpconnError('SECRET_MALFORMED', `Secret ${secretId} is not JSON; expected {"clientId": "...", "clientSecret": "..."}.`);
  }
  const parsed = serviceAccountSecretSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(value)').join(', ');
    throw new SpconnError(
      'SECRET_MALFORMED',
      `Secret ${secretId} is not an Atlas service account: missing or empty ${fields}; expected {"clientId": "...", "clientSecret": "..."}.`,
    );
  }
  return parsed.data;
}

/** The token endpoint's answer (RFC 6749 §5.1), as Atlas sends it. */
const tokenReplySchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'Bearer'),
  expires_in: z.number().positive(),
});

/** The token endpoint's error (RFC 6749 §5.2); Atlas's own envelope fields are read too. */
const tokenErrorSchema = z.looseObject({
  error: z.union([z.string(), z.number()]).optional(),
  error_description: z.string().optional(),
  errorCode: z.string().optional(),
  detail: z.string().optional(),
});

export interface MintedToken {
  token: string;
  mintedAt: number;
  expiresAt: number;
}

/** Whether a token is still good at `now`: not within a tenth of its life (at most 5 minutes) of expiring. */
export function isFresh(token: MintedToken, now: number): boolean {
  const margin = Math.min(5 * 60_000, (token.expiresAt - token.mintedAt) / 10);
  return now < token.expiresAt - margin;
}

/**
 * Where replicas share one token per service account (the PostgreSQL store). `obtain` returns the
 * stored token when it is usable (fresh and not the one refused), else runs `mint` while every
 * other replica waits for the same account, and stores what it minted.
 */
export interface SharedTokens {
  /** `waitMs`: the longest a replica waits for another's mint (the store's lock) before giving up. */
  obtain(account: string, opts: { refused?: string; usable: (token: MintedToken) => boolean; waitMs: number }, mint: () => Promise<MintedToken>): Promise<MintedToken>;
}

/**
 * The token endpoint did not answer, or answered 429 or 5xx: not spconn's error to explain, so the
 * client retries the call with back-off as it does for Atlas's other endpoints. Its message names
 * no secret.
 */
export class TokenEndpointUnavailable extends Error {
  constructor(reason: string) {
    super(`Atlas's token endpoint did not give a token (${reason})`);
    this.name = 'TokenEndpointUnavailable';
  }
}

export interface TokenSourceOptions {
  baseUrl: string;
  /** The Secrets Manager secret holding `{"clientId", "clientSecret"}`. */
  secretId: string;
  secrets: SecretCache;
  logger: Logger;
  /** The deadline of one token request. */
  timeoutMs: number;
  shared?: SharedTokens;
  now?: () => number;
  /** Called once per token this process minted (the metric). */
  onMinted?: () => void;
}

export class TokenSource {
  private current: MintedToken | undefined;
  private inflight: Promise<MintedToken> | undefined;
  private clientSecret: string | undefined;
  /** Tokens this process minted (for the bench and tests). */
  minted = 0;

  constructor(private readonly options: TokenSourceOptions) {}

  /**
   * A token to send. `refused` is a token Atlas answered 401 to: if it is still the current one a
   * new one is obtained (once, however many callers saw the 401); otherwise the newer one is returned.
   */
  async token(refused?: string): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    const current = this.current;
    if (current && current.token !== refused && isFresh(current, now)) return current.token;
    this.inflight ??= this.obtain(refused)
      .catch((error: unknown) => {
        // A refused token is not sent again, even when no new one could be had.
        if (refused !== undefined && this.current?.token === refused) this.current = undefined;
        throw error;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return (await this.inflight).token;
  }

  /** What must never be shown: the client secret and the current token. */
  secretValues(): string[] {
    return [this.clientSecret, this.current?.token].filter((v): v is string => v !== undefined);
  }

  private async obtain(refused: string | undefined): Promise<MintedToken> {
    const { secrets, secretId, shared, baseUrl } = this.options;
    const { value: account, generation } = await secrets.getParsed(secretId, (value) => parseServiceAccount(secretId, value));
    this.clientSecret = account.clientSecret;
    const mint = () => this.mint(account, generation);
    const now = this.options.now ?? Date.now;
    const usable = (t: MintedToken) => t.token !== refused && isFresh(t, now());
    // A replica waits for another's mint at most as long as that mint may take, and a little more.
    const waitMs = this.options.timeoutMs + 5_000;
    const token = shared ? await shared.obtain(`${new URL(baseUrl).origin}|${account.clientId}`, { refused, usable, waitMs }, mint) : await mint();
    this.current = token;
    return token;
  }

  private async mint(account: ServiceAccountCredentials, generation: number): Promise<MintedToken> {
    const { baseUrl, secretId, timeoutMs, logger } = this.options;
    const operation = `get an access token for the service account in secret ${secretId}`;
    const scrubber = SecretScrubber.for([account.clientSecret]);
    const basic = Buffer.from(`${account.clientId}:${account.clientSecret}`, 'utf8').toString('base64');
    const startedAt = (this.options.now ?? Date.now)();
    let response: Response;
    let text: string;
    try {
      response = await fetch(new URL('/api/oauth/token', baseUrl), {
        method: 'POST',
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      const reason = cause instanceof Error && cause.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'network error';
      logger.warn({ secretId, err: scrubber.scrubError(cause) }, 'the Atlas token endpoint did not answer');
      throw new TokenEndpointUnavailable(reason);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.ok) {
      const parsed = tokenReplySchema.safeParse(json);
      if (!parsed.success) {
        logger.error({ secretId, issues: parsed.error.issues.map((i) => ({ path: i.path, code: i.code })) }, 'unexpected reply from the Atlas token endpoint');
        throw new AtlasApiError(response.status, 'UNEXPECTED_RESPONSE', 'Atlas answered in an unexpected shape.', operation);
      }
      this.minted += 1;
      this.options.onMinted?.();
      const token: MintedToken = { token: parsed.data.access_token, mintedAt: startedAt, expiresAt: startedAt + parsed.data.expires_in * 1000 };
      logger.info({ secretId, expiresInS: parsed.data.expires_in }, 'minted an Atlas access token for a service account');
      return token;
    }

    const failure = tokenErrorSchema.safeParse(json);
    const body = failure.success ? failure.data : {};
    const code = typeof body.error === 'string' ? body.error : body.errorCode;
    const description = body.error_description ?? body.detail;
    logger.warn({ secretId, status: response.status, error: code === undefined ? undefined : scrubber.scrub(code) }, 'the Atlas token endpoint refused a token');
    if (response.status === 403 && (code === 'access_denied' || /token limit/i.test(description ?? ''))) {
      throw new SpconnError(
        'ATLAS_TOKEN_LIMIT',
        `Atlas refused spconn a new access token for the service account in secret ${secretId}: it already has 100 active tokens, Atlas's limit ("Access Token limit reached"). ` +
          'Something else is minting tokens with this service account, or spconn replicas are not sharing one database. ' +
          'An operator can revoke tokens (POST /api/oauth/revoke) or wait for them to expire (within an hour), then try again.',
      );
    }
    if (response.status === 400 || response.status === 401) {
      // The client secret may have been rotated or have expired: read it again next time.
      this.options.secrets.invalidate(secretId, generation);
      throw new SpconnError(
        'ATLAS_TOKEN_REFUSED',
        `Atlas refused the service account in secret ${secretId} (${response.status}${code ? `, ${scrubber.scrub(code)}` : ''}): its client ID or secret is wrong, expired or deleted. An operator should check the secret in Secrets Manager and the service account in Atlas.`,
      );
    }
    if (response.status === 429 || response.status >= 500) throw new TokenEndpointUnavailable(`HTTP ${response.status}`);
    throw new AtlasApiError(response.status, code === undefined ? undefined : scrubber.scrub(code), description === undefined ? undefined : scrubber.scrub(description), operation);
  }
}
