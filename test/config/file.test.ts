import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/file.js';

const target = { name: 'prod', projectId: '8358217d3abb5c76c3434648', instance: 'spinstance', owners: ['U012ABCDEF'] };

describe('config file', () => {
  it('applies defaults', () => {
    const config = parseConfig({ atlas: { apiKeySecret: 'spconn/atlas' }, targets: [target] }, 'test');
    expect(config.atlas.baseUrl).toBe('https://cloud.mongodb.com');
    expect(config.approvals.expireAfter).toBe(24 * 3_600_000);
    expect(config.targets[0]?.allowSelfApproval).toBe(false);
  });

  it('names the bad key and the reason', () => {
    expect(() => parseConfig({ atlas: { apiKeySecret: 'x' }, targets: [{ ...target, projectId: 'nope' }] }, 'spconn.yaml')).toThrow(
      /targets\.0\.projectId: an Atlas project \(group\) ID/,
    );
    expect(() => parseConfig({ atlas: { apiKeySecret: 'x' }, approvals: { expireAfter: 'soon' }, targets: [target] }, 'f')).toThrow(
      /approvals\.expireAfter/,
    );
    expect(() => parseConfig({ atlas: { apiKeySecret: 'x', typo: 1 }, targets: [target] }, 'f')).toThrow(/typo/);
  });

  it('requires an API key secret for every target', () => {
    expect(() => parseConfig({ targets: [target] }, 'f')).toThrow(/targets\.0\.apiKeySecret/);
  });

  it('refuses a target nobody could approve', () => {
    expect(() => parseConfig({ atlas: { apiKeySecret: 'x' }, targets: [{ ...target, owners: [] }] }, 'f')).toThrow(/targets\.0\.owners/);
  });

  it('reads the shipped example file', async () => {
    const config = await loadConfigFile(new URL('../../spconn.config.example.yaml', import.meta.url).pathname);
    expect(config.targets.length).toBeGreaterThan(0);
  });

  it('reports YAML syntax errors with the file name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spconn-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'targets: [\n');
    await expect(loadConfigFile(file)).rejects.toThrow(/bad\.yaml is not valid YAML/);
  });
});
