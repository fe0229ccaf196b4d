import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const schemaDir = new URL('./fixtures/manifest-schema/', import.meta.url);
const load = (name: string) => JSON.parse(readFileSync(new URL(name, schemaDir), 'utf8')) as Record<string, unknown>;

describe('manifest.yml', () => {
  const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8')) as Record<string, unknown>;

  it("validates against Slack's manifest schema", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    // The top schema points at the versioned ones by URL: register the local copies under those URLs.
    ajv.addSchema(load('manifest.schema.1.0.0.json'), 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.1.0.0.json');
    ajv.addSchema(load('manifest.schema.2.0.0.json'), 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.2.0.0.json');
    const validate = ajv.compile(load('manifest.schema.json'));
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('declares /spconn and interactivity on the same request URL', () => {
    const text = JSON.stringify(manifest);
    expect(text).toContain('"command":"/spconn"');
    expect(text).toContain('"is_enabled":true');
  });

  it('declares the Home tab and its app_home_opened event on the same request URL', () => {
    const features = manifest.features as { app_home?: Record<string, unknown> };
    const settings = manifest.settings as { event_subscriptions?: { request_url?: string; bot_events?: string[] }; interactivity: { request_url: string } };
    expect(features.app_home?.home_tab_enabled).toBe(true);
    expect(settings.event_subscriptions?.bot_events).toEqual(['app_home_opened']);
    expect(settings.event_subscriptions?.request_url).toBe(settings.interactivity.request_url);
  });
});
