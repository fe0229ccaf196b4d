// Removes secrets from text that came back from outside (Atlas's error `detail`, a network error)
// before that text reaches a person, a log line or the store. An echo rarely quotes a value as it
// was sent: a JSON error body escapes it, a framework lower-cases it, a proxy URL- or HTML-encodes
// it, a message cuts a long one short. So the scrubber matches a secret one character at a time,
// letting every character take any of the forms below, and masks whatever matches.
//
// What counts as an echo of a secret (and why):
// - the value itself, in any letter case (header names and values get lower-cased on the way);
// - each character as JSON writes it (`\"`, `\\`, `\/`, `\u00e9`), as a URL writes it (`%2F`, `+`
//   for a space), as HTML writes it (`&quot;`, `&#39;`, `&#x27;`, `&#039;`), and any two of these
//   in a row (JSON inside JSON — a body quoted in a `detail` — JSON inside HTML, …). Characters
//   may mix forms, as they do when only some of them needed escaping;
// - base64 and base64url of the value, also when it sits inside a longer encoded text (e.g. a
//   whole header block encoded at once): the characters that depend only on the secret, for each
//   of the three ways it can line up with base64's groups of three bytes;
// - a truncated echo: the first 8 or more characters of a secret of 16 or more. Atlas cuts long
//   values, not short ones; a shorter prefix is too common in ordinary words to mask without
//   mangling messages, and with at most 7 of at least 16 characters shown, 9 or more stay hidden.
//   The card itself shows the last 2 characters, so a secret's tail is not treated as an echo.
// Not covered: hashes, hex dumps, encodings nested three deep. Anything that matches is masked,
// even if it was only a coincidence: a message with a word masked is the cheaper mistake.
import { Buffer } from 'node:buffer';

export const MASK = '••••';

/** Secrets at least this long also count as echoed when only their start appears. */
const TRUNCATION_MIN_SECRET = 16;
/** The shortest start of such a secret that counts as an echo of it. */
const TRUNCATION_MIN_PREFIX = 8;
/** Base64 runs shorter than this are too likely to occur by chance (and hide at most 4 bytes). */
const MIN_BASE64_RUN = 6;
const MAX_CAUSE_DEPTH = 8;

/** HTML's named entities for ASCII punctuation (HTML5 names, and the XML ones). */
const HTML_NAMES: Record<string, readonly string[]> = {
  '!': ['excl'],
  '"': ['quot'],
  '#': ['num'],
  $: ['dollar'],
  '%': ['percnt'],
  '&': ['amp'],
  "'": ['apos'],
  '(': ['lpar'],
  ')': ['rpar'],
  '*': ['ast', 'midast'],
  '+': ['plus'],
  ',': ['comma'],
  '.': ['period'],
  '/': ['sol'],
  ':': ['colon'],
  ';': ['semi'],
  '<': ['lt'],
  '=': ['equals'],
  '>': ['gt'],
  '?': ['quest'],
  '@': ['commat'],
  '[': ['lsqb', 'lbrack'],
  '\\': ['bsol'],
  ']': ['rsqb', 'rbrack'],
  '^': ['hat'],
  _: ['lowbar', 'underbar'],
  '`': ['grave', 'diacriticalgrave'],
  '{': ['lcub', 'lbrace'],
  '|': ['verbar', 'vert', 'verticalline'],
  '}': ['rcub', 'rbrace'],
  ' ': ['nbsp'],
};

type Encoder = (char: string) => readonly string[];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** How one character (a code point) can be written by each kind of escaping. */
const ENCODERS: readonly Encoder[] = [
  // JSON as JSON.stringify writes it, with \uXXXX for every UTF-16 unit (Jackson, Gson's HTML-safe
  // mode), and the escaped solidus some encoders write.
  (c) => [JSON.stringify(c).slice(1, -1), [...Array(c.length).keys()].map((i) => `\\u${hex(c.charCodeAt(i), 4)}`).join(''), ...(c === '/' ? ['\\/'] : [])],
  // URLs: percent-encoded UTF-8 (encodeURIComponent and its stricter RFC 3986 form), and HTML
  // form encoding's `+` for a space.
  (c) => [[...Buffer.from(c, 'utf8')].map((b) => `%${hex(b, 2)}`).join(''), ...(c === ' ' ? ['+'] : [])],
  // HTML: named, decimal (also PHP's zero-padded `&#039;`) and hexadecimal references.
  (c) => {
    const cp = c.codePointAt(0)!;
    return [...(HTML_NAMES[c] ?? []).map((n) => `&${n};`), `&#${cp};`, `&#${String(cp).padStart(3, '0')};`, `&#x${cp.toString(16)};`];
  },
];

const isAsciiAlnum = (c: string) => /^[0-9A-Za-z]$/.test(c);

/** Lower-cases one code point at a time, keeping the text's length so indices still match. */
function fold(text: string): string {
  let out = '';
  for (const c of text) {
    const lower = c.toLowerCase();
    out += lower.length === c.length ? lower : c;
  }
  return out;
}

/**
 * `text` escaped once more by `encoder`: each character that is not a letter or digit takes one of
 * the encoder's forms, or stays as it is (an encoder leaves alone what it need not escape).
 */
function encodeEach(text: string, encoder: Encoder): string[] {
  let variants = [''];
  for (const c of text) {
    const forms = isAsciiAlnum(c) ? [c] : [...encoder(c), c];
    // Fully escaped variants come first, so the cap on the fan-out only drops odd mixtures.
    variants = variants.flatMap((v) => forms.map((f) => v + f)).slice(0, 64);
  }
  return variants;
}

/** Every way one character of a secret may be written in an echo: itself, and up to two escapings. */
function charForms(c: string): string[] {
  if (isAsciiAlnum(c)) return [fold(c)];
  const once = new Set<string>([c, ...ENCODERS.flatMap((e) => e(c))]);
  const twice = new Set<string>(once);
  for (const form of once) {
    if (form === c) continue;
    for (const encoder of ENCODERS) for (const v of encodeEach(form, encoder)) twice.add(v);
  }
  // Longest first, so a match takes a whole escape rather than its first character.
  return [...new Set([...twice].map(fold))].sort((a, b) => b.length - a.length);
}

/** The runs of base64 (and base64url) text that only the secret's bytes determine, at each alignment. */
function base64Runs(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const runs = new Set<string>();
  const whole = bytes.toString('base64');
  runs.add(whole);
  for (let lead = 0; lead < 3; lead++) {
    const encoded = Buffer.concat([Buffer.alloc(lead), bytes]).toString('base64').replace(/=+$/, '');
    // Characters mixing the zero bytes in front (lead 1: 2 of them, lead 2: 3) or unknown bytes after.
    const start = [0, 2, 3][lead]!;
    const end = encoded.length - ((lead + bytes.length) % 3 === 0 ? 0 : 1);
    runs.add(encoded.slice(start, end));
  }
  const all = [...runs].flatMap((r) => [r, r.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')]);
  return [...new Set(all)].filter((r) => r.length >= MIN_BASE64_RUN);
}

interface Pattern {
  /** For each character of the secret, the folded forms it may take. */
  chars: string[][];
  /** How many leading characters must match for a (truncated) echo to count. */
  minChars: number;
}

function patternOf(secret: string, truncatable: boolean): Pattern {
  const chars = [...secret].map(charForms);
  const minChars = truncatable && chars.length >= TRUNCATION_MIN_SECRET ? TRUNCATION_MIN_PREFIX : chars.length;
  return { chars, minChars };
}

/**
 * The patterns of one secret, kept for the secrets used most recently: a scrubber is made for every
 * Atlas error answer (a 404 on a name check is one), and building the patterns of the API key's
 * every character in every escaping was 7 % of what the app allocated under load. The values are
 * in the process's memory anyway, where the Atlas client holds them.
 */
const patternCache = new Map<string, Pattern[]>();
const PATTERN_CACHE_SIZE = 256;

function patternsOf(secret: string): Pattern[] {
  let patterns = patternCache.get(secret);
  if (patterns) {
    // Most recently used last, so the first key is the one to drop.
    patternCache.delete(secret);
  } else {
    patterns = [patternOf(secret, true), ...base64Runs(secret).map((run) => patternOf(run, false))];
    if (patternCache.size >= PATTERN_CACHE_SIZE) patternCache.delete(patternCache.keys().next().value!);
  }
  patternCache.set(secret, patterns);
  return patterns;
}

export class SecretScrubber {
  /** The characters an echo can start with: a position holding none of them is passed over at once. */
  private readonly starts: Set<string>;

  private constructor(private readonly patterns: readonly Pattern[]) {
    this.starts = new Set(patterns.flatMap((p) => (p.chars[0] ?? []).map((form) => form[0]!)));
  }

  /** A scrubber for these values; empty ones are ignored. */
  static for(secrets: Iterable<string>): SecretScrubber {
    const unique = [...new Set([...secrets].filter((s) => s.length > 0))];
    return new SecretScrubber(unique.flatMap(patternsOf));
  }

  /** `text` with every echo of a secret replaced by ••••. */
  scrub(text: string): string {
    if (this.patterns.length === 0 || text === '') return text;
    const folded = fold(text);
    let out = '';
    let copied = 0;
    let at = 0;
    while (at < text.length) {
      if (!this.starts.has(folded[at]!)) {
        at += 1;
        continue;
      }
      let end = -1;
      for (const pattern of this.patterns) end = Math.max(end, matchEnd(pattern, folded, at));
      if (end > at) {
        out += text.slice(copied, at) + MASK;
        at = end;
        copied = end;
      } else {
        at += 1;
      }
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  /**
   * A copy of an error (and its causes) with every string scrubbed: message, stack and own fields.
   * pino's error serializer logs all three, and the causes' messages and stacks with them.
   */
  scrubError(error: unknown, depth = 0): unknown {
    if (typeof error === 'string') return this.scrub(error);
    if (error === null || typeof error !== 'object') return error;
    if (!(error instanceof Error)) return this.scrub(safeJson(error));
    if (depth >= MAX_CAUSE_DEPTH) return new Error('(further causes left out)');
    const cause = 'cause' in error ? { cause: this.scrubError(error.cause, depth + 1) } : undefined;
    const copy = new Error(this.scrub(error.message), cause) as Error & Record<string, unknown>;
    copy.name = this.scrub(error.name);
    copy.stack = error.stack === undefined ? undefined : this.scrub(error.stack);
    for (const [key, value] of Object.entries(error)) {
      if (key === 'cause' || key === 'message' || key === 'stack' || key === 'name') continue;
      if (typeof value === 'string') copy[key] = this.scrub(value);
      else if (typeof value === 'number' || typeof value === 'boolean') copy[key] = value;
    }
    if (error instanceof AggregateError) copy.errors = error.errors.map((e: unknown) => this.scrubError(e, depth + 1));
    return copy;
  }
}

/**
 * Where the echo of `pattern` that starts at `at` ends (the longest one), or -1. Characters are
 * matched one at a time, keeping every position a form could end at, so forms that are prefixes
 * of one another (`\\` and `\\\\`) cannot lead the match astray.
 */
function matchEnd(pattern: Pattern, text: string, at: number): number {
  let frontier = [at];
  let end = -1;
  for (let i = 0; i < pattern.chars.length && frontier.length > 0; i++) {
    const next = new Set<number>();
    for (const position of frontier) {
      for (const form of pattern.chars[i]!) if (text.startsWith(form, position)) next.add(position + form.length);
    }
    frontier = [...next];
    if (frontier.length > 0 && i + 1 >= pattern.minChars) end = Math.max(...frontier);
  }
  return end;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
