// How an Atlas call carries its credentials, chosen per target: Digest with an API key (through the
// Digest pool) or a service account's OAuth bearer token (from a token source). The client asks for
// a session, sends with it, and after a 401 asks once more naming the session that was refused.
import { parseAtlasApiKey, type SecretCache } from '../secrets/apiKeys.js';
import { DigestPool } from './digestPool.js';
import type { TokenSource } from './serviceAccount.js';

export interface AtlasRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Credentials good for one attempt: send with them, or name them as refused to get new ones. */
export interface AuthSession {
  fetch(url: string, init: AtlasRequestInit): Promise<Response>;
}

export interface AtlasAuth {
  /**
   * Credentials for a call. `refused` is a session Atlas answered 401 to: the strategy refreshes
   * what it holds if that session is still the current one (once for all concurrent callers), or
   * hands out the newer one another caller already got.
   */
  session(refused?: AuthSession): Promise<AuthSession>;
  /** Values that must never appear in an error or a log line (private key, client secret, token). */
  secretValues(): string[];
}

interface DigestSession extends AuthSession {
  generation: number;
  privateKey: string;
}

/** Programmatic API key, HTTP Digest, the key read from Secrets Manager and read again after a 401. */
export class DigestAuth implements AtlasAuth {
  private current: DigestSession | undefined;

  constructor(
    private readonly secrets: SecretCache,
    private readonly apiKeySecret: string,
  ) {}

  async session(refused?: AuthSession): Promise<AuthSession> {
    const { secrets, apiKeySecret } = this;
    if (refused !== undefined && isDigestSession(refused)) secrets.invalidate(apiKeySecret, refused.generation);
    // A malformed key is not kept: once an operator fixes it, the next call reads it again.
    const { value: key, generation } = await secrets.getParsed(apiKeySecret, (value) => parseAtlasApiKey(apiKeySecret, value));
    if (this.current?.generation !== generation) {
      const pool = new DigestPool(key.publicKey, key.privateKey);
      this.current = { generation, privateKey: key.privateKey, fetch: (url, init) => pool.fetch(url, init) };
    }
    return this.current;
  }

  secretValues(): string[] {
    return this.current ? [this.current.privateKey] : [];
  }
}

function isDigestSession(session: AuthSession): session is DigestSession {
  return 'generation' in session;
}

interface BearerSession extends AuthSession {
  token: string;
}

/** A service account: `Authorization: Bearer <token>`, the token from a (possibly shared) token source. */
export class BearerAuth implements AtlasAuth {
  private last: string | undefined;

  constructor(private readonly tokens: TokenSource) {}

  async session(refused?: AuthSession): Promise<AuthSession> {
    const refusedToken = refused !== undefined && 'token' in refused ? (refused as BearerSession).token : undefined;
    const token = await this.tokens.token(refusedToken);
    this.last = token;
    const session: BearerSession = {
      token,
      fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } }),
    };
    return session;
  }

  secretValues(): string[] {
    return [...this.tokens.secretValues(), ...(this.last ? [this.last] : [])];
  }
}
