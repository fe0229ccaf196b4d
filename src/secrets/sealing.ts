// Secrets kept in the store between a modal's submission and the request's end are sealed with
// AES-256-GCM; approvals are bound to a keyed digest of the exact Atlas call.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { SpconnError } from '../errors.js';

const VERSION = 'v1';

export class Sealer {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new SpconnError('ENCRYPTION_FAILED', 'The encryption key must be 32 bytes (base64 of 32 random bytes).');
    this.key = key;
  }

  static fromBase64(text: string): Sealer {
    return new Sealer(Buffer.from(text.trim(), 'base64'));
  }

  /** `associatedData` binds the ciphertext to its row, so a sealed value cannot be moved to another request. */
  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string, associatedData: string): string {
    const [version, payload] = sealed.split(':', 2);
    if (version !== VERSION || !payload) throw new SpconnError('ENCRYPTION_FAILED', 'Stored secret has an unknown format.');
    const raw = Buffer.from(payload, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      decipher.setAAD(Buffer.from(associatedData));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new SpconnError(
        'ENCRYPTION_FAILED',
        'A stored secret could not be decrypted: the encryption key changed or the data was altered.',
        { cause },
      );
    }
  }

  /** Keyed digest: shows on the card without letting anyone brute-force the secrets it covers. */
  digest(canonical: string): string {
    return createHmac('sha256', this.key).update(canonical).digest('hex');
  }
}

/** Deterministic JSON (sorted keys) so the same call always has the same digest. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
