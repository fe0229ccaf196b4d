// The server side of HTTP Digest (RFC 7616, MD5, qop=auth) as Atlas answers it: a challenge with
// realm "MMS Public API", nonces that go stale, and nonce counts that must only grow.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const REALM = 'MMS Public API';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export type DigestVerdict = { ok: true; publicKey: string } | { ok: false; stale: boolean; reason: string };

export class DigestVerifier {
  private readonly nonces = new Map<string, { created: number; lastNc: number }>();

  constructor(
    private readonly keys: Map<string, string>,
    private readonly nonceTtlMs: number,
  ) {}

  challenge(stale = false): string {
    const nonce = randomBytes(16).toString('base64url');
    this.nonces.set(nonce, { created: Date.now(), lastNc: 0 });
    return `Digest realm="${REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale ? 'true' : 'false'}`;
  }

  verify(header: string | undefined, method: string, requestUri: string): DigestVerdict {
    if (!header?.startsWith('Digest ')) return { ok: false, stale: false, reason: 'no Digest credentials' };
    const p: Record<string, string> = {};
    for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
    const privateKey = p.username ? this.keys.get(p.username) : undefined;
    if (!privateKey || !p.nonce || !p.response || !p.cnonce || !p.nc) return { ok: false, stale: false, reason: 'unknown key or incomplete credentials' };
    if (p.realm !== REALM || (p.algorithm && p.algorithm.toUpperCase() !== 'MD5') || p.qop !== 'auth') {
      return { ok: false, stale: false, reason: 'wrong realm, algorithm or qop' };
    }
    if (p.uri !== requestUri) return { ok: false, stale: false, reason: 'uri does not match the request' };
    const nonce = this.nonces.get(p.nonce);
    if (!nonce) return { ok: false, stale: true, reason: 'unknown nonce' };
    if (Date.now() - nonce.created > this.nonceTtlMs) {
      this.nonces.delete(p.nonce);
      return { ok: false, stale: true, reason: 'stale nonce' };
    }
    const nc = Number.parseInt(p.nc, 16);
    if (!/^[0-9a-f]{8}$/i.test(p.nc) || nc === 0 || nc <= nonce.lastNc) return { ok: false, stale: false, reason: `nonce count ${p.nc} replayed or zero` };
    const ha1 = md5(`${p.username}:${REALM}:${privateKey}`);
    const ha2 = md5(`${method}:${p.uri}`);
    const expected = Buffer.from(md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`));
    const given = Buffer.from(p.response);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, stale: false, reason: 'wrong response hash' };
    nonce.lastNc = nc;
    return { ok: true, publicKey: p.username! };
  }
}
