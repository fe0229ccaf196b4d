// HTTPS connections: a URL plus request headers that Atlas sends on
// every call, so credentials live in the connection rather than in a pipeline's $https stage.
import { z } from 'zod';
import { escapeMrkdwn, textInput } from '../modals/blocks.js';
import { textState, textValue, type ViewStateValues } from '../modals/viewState.js';
import { field, maskSecret, type ConnectionType, type FieldErrors } from './types.js';

export const HTTPS_BLOCKS = {
  url: 'https_url',
  headers: 'https_headers',
} as const;
export const HTTPS_ACTIONS = { url: 'url', headers: 'headers' } as const;

const MAX_URL = 2048;
const MAX_HEADERS = 20;
const MAX_HEADER_VALUE = 4096;
/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization']);

const headersSchema = z.record(z.string(), z.string());
export const httpsFormSchema = z.object({
  url: z.string(),
  /** Absent only in an edit whose headers were left empty: Atlas keeps the ones it has. */
  headers: headersSchema.optional(),
});
export type HttpsForm = z.infer<typeof httpsFormSchema>;

export function parseHttpsUrl(input: string): { ok: true; url: string } | { ok: false; error: string } {
  if (input === '') return { ok: false, error: 'Enter the URL Atlas should call, starting with https://.' };
  if (input.length > MAX_URL) return { ok: false, error: `The URL is ${input.length} characters; at most ${MAX_URL} are allowed.` };
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(input)) return { ok: false, error: 'The URL contains spaces or control characters; remove them.' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, error: 'This is not an absolute URL. Write it in full, e.g. https://api.example.com/v1/events.' };
  }
  if (url.protocol !== 'https:') {
    return { ok: false, error: `Atlas HTTPS connections need an https:// URL; this one starts with ${url.protocol}//.` };
  }
  if (!url.hostname) return { ok: false, error: 'The URL has no host name.' };
  if (url.username || url.password) {
    return { ok: false, error: 'Do not put credentials in the URL; put them in a header (e.g. Authorization: Bearer …) instead.' };
  }
  return { ok: true, url: input };
}

/** Parses "Name: value" lines. Values are secrets: errors name the line and header, never the value. */
export function parseHeaders(input: string): { ok: true; headers: Record<string, string> } | { ok: false; error: string } {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  const lines = input.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length > MAX_HEADERS) return { ok: false, error: `At most ${MAX_HEADERS} headers; there are ${lines.length}.` };
  for (const [i, line] of lines.entries()) {
    const where = `Line ${i + 1}`;
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, error: `${where} is not "Name: value" (e.g. "Authorization: Bearer …").` };
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (!HEADER_NAME.test(name)) {
      return { ok: false, error: `${where}: "${name.slice(0, 40)}" is not a valid header name (letters, digits and - only, no spaces).` };
    }
    const lower = name.toLowerCase();
    if (seen.has(lower)) return { ok: false, error: `${where}: header ${name} appears twice.` };
    seen.add(lower);
    if (value === '') return { ok: false, error: `${where}: header ${name} has no value.` };
    if (value.length > MAX_HEADER_VALUE) return { ok: false, error: `${where}: the value of ${name} is longer than ${MAX_HEADER_VALUE} characters.` };
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
      return { ok: false, error: `${where}: the value of ${name} contains control characters.` };
    }
    if (AUTH_HEADERS.has(lower)) {
      const scheme = value.split(/\s+/, 1)[0]?.toLowerCase();
      if (scheme === 'digest') {
        return { ok: false, error: `${where}: Atlas HTTPS connections do not support Digest authentication. Use an API key header or a Bearer token.` };
      }
      if (scheme === 'oauth') {
        return { ok: false, error: `${where}: Atlas HTTPS connections do not support OAuth. Use an API key header or a Bearer token.` };
      }
    }
    headers[name] = value;
  }
  return { ok: true, headers };
}

function maskedHeaders(headers: Record<string, string>): string {
  const entries = Object.entries(headers);
  if (entries.length === 0) return '_none_';
  return entries.map(([k, v]) => `\`${escapeMrkdwn(k)}: ${maskSecret(v)}\``).join('\n');
}

export const httpsConnection: ConnectionType<HttpsForm> = {
  id: 'https',
  label: 'HTTPS',
  atlasType: 'Https',
  notes:
    'Put API keys or Bearer tokens in the headers: they stay in the connection and out of your pipelines. Atlas does not support Digest or OAuth here.',
  formBlocks: () => [
    textInput({
      blockId: HTTPS_BLOCKS.url,
      actionId: HTTPS_ACTIONS.url,
      label: 'URL',
      placeholder: 'https://api.example.com/v1/events',
      maxLength: MAX_URL,
    }),
    textInput({
      blockId: HTTPS_BLOCKS.headers,
      actionId: HTTPS_ACTIONS.headers,
      label: 'Headers',
      hint: 'One "Name: value" per line, e.g. "Authorization: Bearer …". Values are secrets: masked on the card, encrypted at rest.',
      placeholder: 'Authorization: Bearer …',
      multiline: true,
      optional: true,
      maxLength: 3000,
    }),
  ],
  parseForm(values: ViewStateValues, editing) {
    const errors: FieldErrors = {};
    const url = parseHttpsUrl(textValue(values, HTTPS_BLOCKS.url, HTTPS_ACTIONS.url));
    if (!url.ok) errors[HTTPS_BLOCKS.url] = url.error;
    const typed = values[HTTPS_BLOCKS.headers]?.[HTTPS_ACTIONS.headers]?.value ?? '';
    // Header values are secrets, so an edit form starts without them: left empty, they are kept.
    if (editing && typed.trim() === '') return url.ok ? { ok: true, value: { url: url.url } } : { ok: false, errors };
    const headers = parseHeaders(typed);
    if (!headers.ok) errors[HTTPS_BLOCKS.headers] = headers.error;
    if (!url.ok || !headers.ok) return { ok: false, errors };
    return { ok: true, value: { url: url.url, headers: headers.headers } };
  },
  atlasBody: (name, form) => ({ name, type: 'Https', url: form.url, ...(form.headers ? { headers: form.headers } : {}) }),
  secretValues: (form) => Object.values(form.headers ?? {}),
  summary: (form) => [
    ['URL', escapeMrkdwn(form.url)],
    ['Headers', form.headers ? maskedHeaders(form.headers) : '_unchanged_'],
  ],
  // Header values are secrets: the edit form gets the URL only, and the headers "leave empty to keep".
  formFromConnection: (connection): ViewStateValues => {
    const url = field(connection, 'url');
    return url === undefined ? {} : { [HTTPS_BLOCKS.url]: { [HTTPS_ACTIONS.url]: textState(url) } };
  },
  describe: (connection) => {
    // Atlas returns HTTPS header values on a GET: they are secrets all the same.
    const headers = headersSchema.safeParse(connection.headers);
    return [
      ['URL', escapeMrkdwn(field(connection, 'url') ?? '?')],
      ['Headers', maskedHeaders(headers.success ? headers.data : {})],
    ];
  },
};
