// The server side of HTTP Digest (RFC 2617 / RFC 7616, MD5, qop=auth) as Atlas answers it: a
// challenge with realm "MMS Public API", nonces that go stale, and nonce counts that only grow.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const REALM = 'MMS Public API';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export type DigestVerdict = { ok: true; publicKey: string } | { ok: false; stale: boolean; reason: string };

interface IssuedNonce {
  issuedAt: number;
  /** Highest nonce count accepted so far; a request must send a higher one. */
  lastNc: number;
}

/** Parses `Digest k=v, k="v", …`; values may be quoted (with \-escapes) or bare tokens. */
export function parseDigestHeader(header: string): Record<string, string> | undefined {
  const match = /^Digest\s+(.*)$/is.exec(header.trim());
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of match[1]!.matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return params;
}

export class DigestVerifier {
  // Insertion order is issue order, so expired nonces are always at the front.
  private readonly nonces = new Map<string, IssuedNonce>();

  constructor(
    /** Public key → private key; shared with the emulator so that key rotation takes effect at once. */
    private readonly keys: ReadonlyMap<string, string>,
    private readonly nonceTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh WWW-Authenticate value, shaped exactly like Atlas's. */
  challenge(stale = false): string {
    this.forgetExpired();
    const nonce = randomBytes(24).toString('base64url');
    this.nonces.set(nonce, { issuedAt: this.now(), lastNc: 0 });
    return `Digest realm="${REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale ? 'true' : 'false'}`;
  }

  /** Checks an Authorization header against the request line's method and request-target. */
  verify(header: string | undefined, method: string, requestTarget: string): DigestVerdict {
    const refuse = (reason: string, stale = false): DigestVerdict => ({ ok: false, stale, reason });
    if (!header) return refuse('no credentials');
    const p = parseDigestHeader(header);
    if (!p) return refuse('not Digest credentials');
    const { username, realm, nonce, uri, response, qop, nc, cnonce, algorithm } = p;
    if (!username || !nonce || !uri || !response || !nc || !cnonce) return refuse('incomplete Digest credentials');
    if (realm !== REALM) return refuse(`wrong realm ${String(realm)}`);
    if (algorithm !== undefined && algorithm.toUpperCase() !== 'MD5') return refuse(`unsupported algorithm ${algorithm}`);
    if (qop !== 'auth') return refuse('qop must be auth');
    if (uri !== requestTarget) return refuse('uri does not match the request');
    if (!/^[0-9a-f]{8}$/i.test(nc)) return refuse('nc must be 8 hex digits');

    const privateKey = this.keys.get(username);
    if (privateKey === undefined) return refuse('unknown API key');
    const ha1 = md5(`${username}:${REALM}:${privateKey}`);
    const ha2 = md5(`${method}:${uri}`);
    const expected = Buffer.from(md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`));
    const given = Buffer.from(response.toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('wrong response hash');

    // Only now is the nonce judged: stale=true tells a client with the right key to retry with a new one.
    this.forgetExpired();
    const issued = this.nonces.get(nonce);
    if (!issued) return refuse('unknown or expired nonce', true);
    const count = Number.parseInt(nc, 16);
    if (count === 0) return refuse('nc 00000000 is not accepted');
    if (count <= issued.lastNc) return refuse(`nc ${nc} replayed (last accepted ${issued.lastNc.toString(16).padStart(8, '0')})`);
    issued.lastNc = count;
    return { ok: true, publicKey: username };
  }

  private forgetExpired(): void {
    const oldest = this.now() - this.nonceTtlMs;
    for (const [nonce, issued] of this.nonces) {
      if (issued.issuedAt > oldest) break;
      this.nonces.delete(nonce);
    }
  }
}
