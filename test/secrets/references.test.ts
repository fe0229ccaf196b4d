// The reference parser, the body paths and substitution, and how a reference shows on the card.
import { describe, expect, it } from 'vitest';
import { maskSecret } from '../../src/connections/types.js';
import { isSecretReference, parseSecretReference, referencePaths, referencesIn, substituteReferences } from '../../src/secrets/references.js';

describe('parseSecretReference', () => {
  it('reads a name or ARN and an optional JSON key', () => {
    expect(parseSecretReference('secretsmanager:team/api#token')).toEqual({ ok: true, ref: { raw: 'secretsmanager:team/api#token', secretId: 'team/api', key: 'token' } });
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:team/api-AbCdEf';
    expect(parseSecretReference(`secretsmanager:${arn}`)).toEqual({ ok: true, ref: { raw: `secretsmanager:${arn}`, secretId: arn } });
  });

  it('names what is wrong, and the reference', () => {
    expect(parseSecretReference('secretsmanager:')).toEqual({ ok: false, error: 'secretsmanager:: name the secret after "secretsmanager:" (its name or ARN).' });
    expect(parseSecretReference('secretsmanager:a b')).toMatchObject({ ok: false, error: expect.stringMatching(/no spaces/) });
    expect(parseSecretReference('secretsmanager:a#')).toMatchObject({ ok: false, error: expect.stringMatching(/name the JSON key/) });
  });

  it('only treats the prefix as a reference', () => {
    expect(isSecretReference('  secretsmanager:x')).toBe(true);
    expect(isSecretReference('Bearer secretsmanager:x')).toBe(false);
    expect(referencesIn(['plain', 'secretsmanager:a#k', 'secretsmanager:a#k', 'secretsmanager:'])).toEqual([{ raw: 'secretsmanager:a#k', secretId: 'a', key: 'k' }]);
  });
});

describe('references in an Atlas body', () => {
  const body = {
    name: 'events',
    type: 'Kafka',
    authentication: { mechanism: 'PLAIN', username: 'u', password: 'secretsmanager:kafka#pw' },
    headers: { 'X-A': 'secretsmanager:api', 'X-B': 'secretsmanager:api' },
  };

  it('finds every field holding a reference, by path', () => {
    expect(referencePaths(body, ['secretsmanager:kafka#pw', 'secretsmanager:api'])).toEqual([
      { path: ['authentication', 'password'], ref: 'secretsmanager:kafka#pw' },
      { path: ['headers', 'X-A'], ref: 'secretsmanager:api' },
      { path: ['headers', 'X-B'], ref: 'secretsmanager:api' },
    ]);
  });

  it('puts the values in place without touching the stored body', () => {
    const out = substituteReferences(body, new Map([['secretsmanager:kafka#pw', 'v1'], ['secretsmanager:api', 'v2']]));
    expect(out).toEqual({ ...body, authentication: { ...body.authentication, password: 'v1' }, headers: { 'X-A': 'v2', 'X-B': 'v2' } });
    expect(body.authentication.password).toBe('secretsmanager:kafka#pw');
  });
});

describe('the card', () => {
  it('shows a reference as where the value comes from, escaped, and still masks values', () => {
    expect(maskSecret('secretsmanager:a<b>&c#key')).toBe('from secretsmanager:a&lt;b&gt;&amp;c#key');
    expect(maskSecret('hunter2-password')).toBe('••••rd');
  });
});
