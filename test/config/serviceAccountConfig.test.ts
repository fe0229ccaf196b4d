// Which credential a target uses: exactly one of an API key or a service account, its own
// overriding both defaults; anything else is a config error naming the target.
import { describe, expect, it } from 'vitest';
import { atlasAuthOf, parseConfig } from '../../src/config/file.js';

const target = { name: 'prod', projectId: '8358217d3abb5c76c3434648', instance: 'spinstance', owners: ['U012ABCDEF'] };

describe('service account config', () => {
  it('inherits the one default that is set', () => {
    const config = parseConfig({ atlas: { serviceAccountSecret: 'spconn/atlas-sa' }, targets: [target] }, 'f');
    expect(atlasAuthOf(config, config.targets[0]!)).toEqual({ kind: 'serviceAccount', secretId: 'spconn/atlas-sa' });
  });

  it("lets a target's own credential of either kind override both defaults", () => {
    const config = parseConfig(
      {
        atlas: { apiKeySecret: 'spconn/key', serviceAccountSecret: 'spconn/sa' },
        targets: [
          { ...target, name: 'a', serviceAccountSecret: 'spconn/sa-a' },
          { ...target, name: 'b', apiKeySecret: 'spconn/key-b' },
        ],
      },
      'f',
    );
    expect(atlasAuthOf(config, config.targets[0]!)).toEqual({ kind: 'serviceAccount', secretId: 'spconn/sa-a' });
    expect(atlasAuthOf(config, config.targets[1]!)).toEqual({ kind: 'apiKey', secretId: 'spconn/key-b' });
  });

  it('refuses a target with both, naming it', () => {
    expect(() => parseConfig({ targets: [{ ...target, apiKeySecret: 'k', serviceAccountSecret: 's' }] }, 'f')).toThrow(
      /targets\.0\.serviceAccountSecret: target "prod" has both an apiKeySecret and a serviceAccountSecret/,
    );
  });

  it('refuses a target that would inherit both defaults, naming it', () => {
    expect(() => parseConfig({ atlas: { apiKeySecret: 'k', serviceAccountSecret: 's' }, targets: [target] }, 'f')).toThrow(/target "prod" \(inheriting/);
  });

  it('refuses a target with neither, naming it', () => {
    expect(() => parseConfig({ targets: [target] }, 'f')).toThrow(/targets\.0\.apiKeySecret: target "prod" has no apiKeySecret or serviceAccountSecret/);
  });
});
