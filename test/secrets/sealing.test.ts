import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, Sealer } from '../../src/secrets/sealing.js';

describe('sealing', () => {
  const sealer = new Sealer(randomBytes(32));

  it('round-trips and hides the plaintext', () => {
    const sealed = sealer.seal('CANARY-secret-value', 'req1');
    expect(sealed).not.toContain('CANARY');
    expect(sealer.open(sealed, 'req1')).toBe('CANARY-secret-value');
  });

  it('refuses a value moved to another request or opened with another key', () => {
    const sealed = sealer.seal('x', 'req1');
    expect(() => sealer.open(sealed, 'req2')).toThrow(/could not be decrypted/);
    expect(() => new Sealer(randomBytes(32)).open(sealed, 'req1')).toThrow(/could not be decrypted/);
  });

  it('gives the same digest for the same call whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, 2] }, b: 1 }));
    expect(sealer.digest(canonicalJson({ a: 1 }))).not.toBe(sealer.digest(canonicalJson({ a: 2 })));
  });
});
