// A rotation's PATCH, without a server: a secret's siblings travel with it from Atlas's definition,
// a write-only sibling that is not a reference refuses it; and the config keys it reads.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/file.js';
import { planRotation } from '../../src/rotation/plan.js';

const kafka = {
  name: 'events',
  type: 'Kafka',
  bootstrapServers: 'b-1:9092',
  security: { protocol: 'SASL_SSL' },
  authentication: { mechanism: 'SCRAM-512', username: 'svc' },
  networking: { access: { type: 'PUBLIC' } },
};

describe('planRotation', () => {
  it('sends authentication whole, its secret as the reference, and nothing else but name and type', () => {
    const plan = planRotation(kafka, [{ fieldPath: 'authentication.password', reference: 'secretsmanager:k#pw' }]);
    expect(plan).toEqual({
      ok: true,
      body: { name: 'events', type: 'Kafka', authentication: { mechanism: 'SCRAM-512', username: 'svc', password: 'secretsmanager:k#pw' } },
      refs: ['secretsmanager:k#pw'],
      fields: [{ fieldPath: 'authentication.password', reference: 'secretsmanager:k#pw' }],
      otherSecrets: [],
    });
  });

  it('refuses when the mechanism needs a write-only secret that is not a reference', () => {
    const oidc = { ...kafka, authentication: { mechanism: 'OAUTHBEARER', clientId: 'c', tokenEndpointUrl: 'https://idp/token' } };
    const plan = planRotation(oidc, [{ fieldPath: 'authentication.username', reference: 'secretsmanager:k#user' }]);
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.error).toMatch(/its clientSecret is not a remembered reference/);
  });

  it('sends every HTTPS header, the ones not referenced masked as secrets', () => {
    const https = { name: 'api', type: 'Https', url: 'https://x', headers: { Authorization: 'Bearer old', 'X-Other': 'CANARY-other' } };
    const plan = planRotation(https, [{ fieldPath: 'headers.Authorization', reference: 'secretsmanager:t#token' }]);
    expect(plan.ok && plan.body).toEqual({ name: 'api', type: 'Https', headers: { Authorization: 'secretsmanager:t#token', 'X-Other': 'CANARY-other' } });
    expect(plan.ok && plan.otherSecrets).toEqual(['CANARY-other']);
  });
});

describe('rotation config', () => {
  const target = { name: 'prod', projectId: 'a'.repeat(24), instance: 'i', owners: ['U0OWNER001'] };
  it('is off and needs approval by default; watchEvery is a duration of at least 10 s; rotation is approve or auto', () => {
    const config = parseConfig({ atlas: { apiKeySecret: 'x' }, targets: [target] }, 'f');
    expect(config.rotation.watchEvery).toBeUndefined();
    expect(config.targets[0]!.rotation).toBe('approve');
    expect(parseConfig({ atlas: { apiKeySecret: 'x' }, rotation: { watchEvery: '15m' }, targets: [{ ...target, rotation: 'auto' }] }, 'f').rotation.watchEvery).toBe(900_000);
    expect(() => parseConfig({ atlas: { apiKeySecret: 'x' }, rotation: { watchEvery: '5s' }, targets: [target] }, 'f')).toThrow(/rotation\.watchEvery/);
    expect(() => parseConfig({ atlas: { apiKeySecret: 'x' }, targets: [{ ...target, rotation: 'sometimes' }] }, 'f')).toThrow(/targets\.0\.rotation/);
  });
});
