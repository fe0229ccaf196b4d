import { describe, expect, it } from 'vitest';
import { HTTPS_ACTIONS, HTTPS_BLOCKS, httpsConnection, parseHeaders, parseHttpsUrl } from '../../src/connections/https.js';
import type { ViewStateValues } from '../../src/modals/viewState.js';

function values(url: string | null, headers: string | null): ViewStateValues {
  return {
    [HTTPS_BLOCKS.url]: { [HTTPS_ACTIONS.url]: { type: 'plain_text_input', value: url } },
    [HTTPS_BLOCKS.headers]: { [HTTPS_ACTIONS.headers]: { type: 'plain_text_input', value: headers } },
  };
}

describe('HTTPS connection form', () => {
  it('accepts an https URL and API-key headers and builds the Atlas body', () => {
    const form = httpsConnection.parseForm(values('https://api.example.com/v1/events', 'Authorization: Bearer abc123xyz\nX-Api-Key: k-9'));
    expect(form).toEqual({ ok: true, value: { url: 'https://api.example.com/v1/events', headers: { Authorization: 'Bearer abc123xyz', 'X-Api-Key': 'k-9' } } });
    if (!form.ok) return;
    expect(httpsConnection.atlasBody('orders', form.value)).toEqual({
      name: 'orders',
      type: 'Https',
      url: 'https://api.example.com/v1/events',
      headers: { Authorization: 'Bearer abc123xyz', 'X-Api-Key': 'k-9' },
    });
  });

  it.each([
    ['http://api.example.com', 'https://'],
    ['javascript:alert(1)', 'https://'],
    ['api.example.com/x', 'not an absolute URL'],
    ['', 'Enter the URL'],
    ['https://user:pw@api.example.com', 'credentials in the URL'],
    ['https://api.example.com/a b', 'spaces'],
  ])('refuses the URL %j', (url, message) => {
    const result = parseHttpsUrl(url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it('refuses Digest and OAuth schemes, saying Atlas does not support them', () => {
    for (const [value, scheme] of [
      ['Digest username="a"', 'Digest'],
      ['OAuth oauth_token="t"', 'OAuth'],
    ]) {
      const result = parseHeaders(`Authorization: ${value}`);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(new RegExp(`Atlas HTTPS connections do not support ${scheme}`));
    }
  });

  it('names the bad line without echoing a header value', () => {
    const secret = 'sk-live-SECRET-VALUE';
    const bad = parseHeaders(`X-Ok: fine\nBad Name: ${secret}`);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error).toContain('Line 2');
      expect(bad.error).not.toContain(secret);
    }
    const dup = parseHeaders('X-A: 1\nx-a: 2');
    expect(dup.ok).toBe(false);
  });

  it('masks header values on the card to at most their last two characters', () => {
    const summary = httpsConnection.summary({ url: 'https://x.example', headers: { Authorization: 'Bearer abcdefgh42' } });
    const text = summary.map(([, t]) => t).join('\n');
    expect(text).toContain('••••42');
    expect(text).not.toContain('abcdefgh');
  });

  it('reports URL and header errors together, keyed by block id', () => {
    const form = httpsConnection.parseForm(values('http://x', 'nocolon'));
    expect(form.ok).toBe(false);
    if (!form.ok) expect(Object.keys(form.errors).sort()).toEqual([HTTPS_BLOCKS.headers, HTTPS_BLOCKS.url].sort());
  });
});
