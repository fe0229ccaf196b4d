// The scrubber: every form an echo of a secret can take is masked, and the text around it is kept.
import { describe, expect, it } from 'vitest';
import { MASK, SecretScrubber } from '../../src/secrets/scrub.js';

// Every kind of character an escaping treats specially, around a core that no escaping changes.
const CORE = 'CanaryQx7Vb9Lm2';
const canary = `Tok"${CORE}/ \\+<&>'Zr4-é`;

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const json = (s: string) => JSON.stringify(s).slice(1, -1);

/** What an echo of `canary` may look like, each as some server or library writes it. */
const ECHOES: Record<string, string> = {
  exact: canary,
  'lower-cased': canary.toLowerCase(),
  'upper-cased': canary.toUpperCase(),
  'JSON-escaped': json(canary),
  'JSON-escaped twice (a body quoted in a detail)': json(json(canary)),
  'JSON with \\u escapes (Gson, Jackson ESCAPE_NON_ASCII)': json(canary).replace(/[<>&'=é]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  'JSON with an escaped solidus': json(canary).replace(/\//g, '\\/'),
  encodeURIComponent: encodeURIComponent(canary),
  'encodeURIComponent, lower-case hex': encodeURIComponent(canary).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  'form encoding (+ for space)': new URLSearchParams({ v: canary }).toString().slice(2),
  base64: Buffer.from(canary).toString('base64'),
  base64url: Buffer.from(canary).toString('base64url'),
  'HTML entities': html(canary),
  'HTML numeric references': canary.replace(/[^0-9A-Za-z]/g, (c) => `&#${c.codePointAt(0)};`),
  'HTML-escaped JSON': html(json(canary)),
  'JSON-escaped, lower-cased': json(canary).toLowerCase(),
};

describe('SecretScrubber', () => {
  const scrubber = SecretScrubber.for([canary]);

  for (const [form, echo] of Object.entries(ECHOES)) {
    it(`masks an echo written as ${form}, keeping the words around it`, () => {
      const text = `Invalid header value [${echo}] for X-Api-Key.`;
      expect(scrubber.scrub(text)).toBe(`Invalid header value [${MASK}] for X-Api-Key.`);
    });
  }

  it('masks base64 of a secret inside a longer encoded text, whichever way it lines up', () => {
    for (const before of ['', 'a', 'ab', 'X-Api-Key: ']) {
      const encoded = Buffer.from(`${before}${canary}\n`).toString('base64');
      const scrubbed = scrubber.scrub(`headers=${encoded}`);
      expect(scrubbed).toContain(MASK);
      // What is left are the few characters that mix the secret's bytes with their neighbours'.
      expect(scrubbed.replace(MASK, '').length).toBeLessThanOrEqual(`headers=`.length + Math.ceil((before.length + 1) * 4 / 3) + 3);
    }
  });

  it('masks a long secret that the echo cut short, from its eighth character on', () => {
    const long = `sk_live_${'4f9Kq2Lm7Xz1Pw8R'.repeat(3)}`;
    const s = SecretScrubber.for([long]);
    expect(s.scrub(`value '${long.slice(0, 30)}...' is too long`)).toBe(`value '${MASK}...' is too long`);
    expect(s.scrub(`value '${json(long.slice(0, 8))}…'`)).toBe(`value '${MASK}…'`);
    // Seven characters are not an echo: they are too common to mask without mangling messages.
    expect(s.scrub(`sk_live is a prefix`)).toBe('sk_live is a prefix');
  });

  it('masks a short secret only when it appears whole', () => {
    const s = SecretScrubber.for(['hunter2']);
    expect(s.scrub('got HUNTER2 and hunter, not hunter3')).toBe(`got ${MASK} and hunter, not hunter3`);
  });

  it('masks every secret it is given, the longest echo first', () => {
    const s = SecretScrubber.for(['abc-123-xyz', 'abc-123', '']);
    expect(s.scrub('a=abc-123-xyz b=ABC-123 c=abc')).toBe(`a=${MASK} b=${MASK} c=abc`);
  });

  it('leaves text without a secret alone, and text with no secrets to look for', () => {
    const text = `Atlas could not create connection orders-api (INVALID_ATTRIBUTE): "url" must be https.`;
    expect(scrubber.scrub(text)).toBe(text);
    expect(SecretScrubber.for([]).scrub(text)).toBe(text);
  });

  it('copies an error chain with message, stack, fields and causes scrubbed', () => {
    const root = Object.assign(new Error(`connect failed for ${json(canary)}`), { code: 'ECONNRESET', host: canary.toLowerCase(), socket: { secret: canary } });
    const outer = new TypeError(`fetch failed: ${encodeURIComponent(canary)}`, { cause: root });
    const copy = scrubber.scrubError(outer) as Error & { cause: Error & Record<string, unknown> };
    expect(copy.name).toBe('TypeError');
    expect(copy.message).toBe(`fetch failed: ${MASK}`);
    expect(copy.stack).toContain(`fetch failed: ${MASK}`);
    expect(copy.cause.message).toBe(`connect failed for ${MASK}`);
    expect(copy.cause.code).toBe('ECONNRESET');
    expect(copy.cause.host).toBe(MASK);
    // Nested objects are left out rather than walked: the copy keeps what a log line needs.
    expect(copy.cause.socket).toBeUndefined();
    const everything = JSON.stringify({ message: copy.message, stack: copy.stack, cause: { ...copy.cause, message: copy.cause.message, stack: copy.cause.stack } });
    expect(everything.toLowerCase()).not.toContain(CORE.toLowerCase());
  });

  it('stays fast on a secret as long as a header value may be', () => {
    const long = 'x'.repeat(4095) + '"';
    const s = SecretScrubber.for([long]);
    const started = performance.now();
    const out = s.scrub(`${'y'.repeat(10_000)} ${json(long)} ${'x'.repeat(3000)}`);
    expect(out).toContain(` ${MASK} `);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
