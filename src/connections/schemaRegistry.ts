// Confluent Schema Registry connections: 1–10 registry URLs and either a username and password
// (`USER_INFO`, the password a secret) or the SASL credentials of the Kafka connection that uses
// the registry (`SASL_INHERIT`).
import { z } from 'zod';
import { escapeMrkdwn, option, plain, textInput, type AnyBlock } from '../modals/blocks.js';
import { rawTextValue, selectedValue, selectState, textState, textValue, type ViewStateValues } from '../modals/viewState.js';
import { field, maskSecret, type ConnectionType, type FieldErrors } from './types.js';

export const SR_BLOCKS = { urls: 'sr_urls', auth: 'sr_auth', username: 'sr_username', password: 'sr_password' } as const;
export const SR_ACTIONS = { urls: 'registry_urls', auth: 'registry_auth', username: 'registry_username', password: 'registry_password' } as const;

export const SR_AUTH_TYPES = ['USER_INFO', 'SASL_INHERIT'] as const;
const MAX_URLS = 10;
const MAX_URL = 2048;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export const schemaRegistryFormSchema = z.object({
  urls: z.array(z.string()).min(1).max(MAX_URLS),
  auth: z.discriminatedUnion('type', [
    z.object({ type: z.literal('USER_INFO'), username: z.string(), password: z.string() }),
    z.object({ type: z.literal('SASL_INHERIT') }),
  ]),
});
export type SchemaRegistryForm = z.infer<typeof schemaRegistryFormSchema>;

/** One URL per line (commas also separate): each an absolute http(s) URL, at most ten, no repeats. */
export function parseRegistryUrls(input: string): { ok: true; urls: string[] } | { ok: false; error: string } {
  const urls = input.split(/[\n,]/).map((u) => u.trim()).filter((u) => u !== '');
  if (urls.length === 0) return { ok: false, error: 'Enter at least one registry URL, e.g. https://psrc-abc12.us-east-2.aws.confluent.cloud.' };
  if (urls.length > MAX_URLS) return { ok: false, error: `At most ${MAX_URLS} registry URLs; there are ${urls.length}.` };
  const seen = new Set<string>();
  for (const [i, raw] of urls.entries()) {
    const where = `URL ${i + 1}`;
    if (raw.length > MAX_URL) return { ok: false, error: `${where} is longer than ${MAX_URL} characters.` };
    if (!/^[\x21-\x7e]+$/.test(raw)) return { ok: false, error: `${where} contains spaces or characters outside ASCII; write an internationalised host in its xn-- form.` };
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, error: `${where} is not an absolute URL; write it in full, e.g. https://registry.example.com:8081.` };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, error: `${where} must start with https:// or http://, not ${url.protocol}//.` };
    if (!url.hostname) return { ok: false, error: `${where} has no host name.` };
    if (url.username || url.password) return { ok: false, error: `${where} carries credentials; choose Username and password (USER_INFO) and enter them there instead.` };
    if (seen.has(raw)) return { ok: false, error: `${where} appears twice.` };
    seen.add(raw);
  }
  return { ok: true, urls };
}

export const schemaRegistryConnection: ConnectionType<SchemaRegistryForm> = {
  id: 'schemaregistry',
  label: 'Schema Registry',
  atlasType: 'SchemaRegistry',
  notes:
    'Confluent Schema Registry. With USER_INFO the password (or API secret) is a secret: masked on the card, encrypted while the request waits, never logged. SASL_INHERIT reuses the SASL credentials of the Kafka connection the pipeline reads with.',
  formBlocks: (): AnyBlock[] => [
    textInput({
      blockId: SR_BLOCKS.urls,
      actionId: SR_ACTIONS.urls,
      label: 'Registry URLs',
      hint: 'One to ten http(s) URLs, one per line.',
      placeholder: 'https://psrc-abc12.us-east-2.aws.confluent.cloud',
      multiline: true,
      maxLength: 3000,
    }),
    {
      type: 'input',
      block_id: SR_BLOCKS.auth,
      label: plain('Authentication'),
      element: {
        type: 'static_select',
        action_id: SR_ACTIONS.auth,
        options: [option('Username and password (USER_INFO)', 'USER_INFO'), option("The Kafka connection's SASL (SASL_INHERIT)", 'SASL_INHERIT')],
        initial_option: option('Username and password (USER_INFO)', 'USER_INFO'),
      },
    },
    textInput({ blockId: SR_BLOCKS.username, actionId: SR_ACTIONS.username, label: 'Username (or API key)', hint: 'Only with USER_INFO.', optional: true, maxLength: 256 }),
    textInput({
      blockId: SR_BLOCKS.password,
      actionId: SR_ACTIONS.password,
      label: 'Password (or API secret)',
      hint: 'Only with USER_INFO. Slack shows what you type here to you only; spconn masks it everywhere else.',
      optional: true,
      maxLength: 1024,
    }),
  ],
  parseForm(values: ViewStateValues, editing) {
    const errors: FieldErrors = {};
    const urls = parseRegistryUrls(values[SR_BLOCKS.urls]?.[SR_ACTIONS.urls]?.value ?? '');
    if (!urls.ok) errors[SR_BLOCKS.urls] = urls.error;
    const type = selectedValue(values, SR_BLOCKS.auth, SR_ACTIONS.auth);
    const username = textValue(values, SR_BLOCKS.username, SR_ACTIONS.username);
    const password = rawTextValue(values, SR_BLOCKS.password, SR_ACTIONS.password);
    if (type === 'USER_INFO') {
      if (username === '') errors[SR_BLOCKS.username] = 'Enter the registry username (for Confluent Cloud, the API key).';
      else if (username.length > 256 || CONTROL.test(username)) errors[SR_BLOCKS.username] = 'The username must be at most 256 characters, without control characters.';
      const kept = editing && password === '';
      if (kept) {
        // Atlas never returns the password; empty keeps it, but `schemaRegistryAuthentication`
        // travels as a whole, so a new username or a switch from SASL_INHERIT needs it again.
        if (field(editing, 'schemaRegistryAuthentication', 'type') !== 'USER_INFO' || username !== field(editing, 'schemaRegistryAuthentication', 'username')) {
          errors[SR_BLOCKS.password] = 'Enter the password again: changing the username or authentication sends the whole authentication to Atlas.';
        }
      } else if (password.trim() === '') errors[SR_BLOCKS.password] = 'Enter the registry password (for Confluent Cloud, the API secret).';
      else if (password.length > 1024 || CONTROL.test(password)) errors[SR_BLOCKS.password] = 'The password must be at most 1024 characters, without control characters or line breaks.';
    } else if (type === 'SASL_INHERIT') {
      if (username !== '') errors[SR_BLOCKS.username] = 'SASL_INHERIT takes the Kafka connection\'s credentials: clear the username, or choose USER_INFO.';
      if (password !== '') errors[SR_BLOCKS.password] = 'SASL_INHERIT takes the Kafka connection\'s credentials: clear the password, or choose USER_INFO.';
    } else {
      errors[SR_BLOCKS.auth] = `Choose one of ${SR_AUTH_TYPES.join(', ')}.`;
    }
    if (!urls.ok || Object.keys(errors).length > 0) return { ok: false, errors };
    const auth: SchemaRegistryForm['auth'] = type === 'USER_INFO' ? { type, username, password } : { type: 'SASL_INHERIT' };
    return { ok: true, value: { urls: urls.urls, auth } };
  },
  atlasBody: (name, form) => ({
    name,
    type: 'SchemaRegistry',
    provider: 'CONFLUENT',
    schemaRegistryUrls: form.urls,
    // An edit that keeps the password leaves it out (the form's password is then '').
    schemaRegistryAuthentication:
      form.auth.type === 'USER_INFO' ? { type: 'USER_INFO', username: form.auth.username, ...(form.auth.password ? { password: form.auth.password } : {}) } : { type: 'SASL_INHERIT' },
  }),
  secretValues: (form) => (form.auth.type === 'USER_INFO' && form.auth.password ? [form.auth.password] : []),
  summary: (form) => [
    ['Registry URLs', form.urls.map((u) => escapeMrkdwn(u)).join('\n')],
    ['Authentication', form.auth.type === 'USER_INFO' ? `USER_INFO · \`${escapeMrkdwn(form.auth.username)}\` · password ${form.auth.password ? maskSecret(form.auth.password) : '_kept_'}` : 'SASL_INHERIT (the Kafka connection\'s SASL credentials)'],
  ],
  // The edit form: URLs one per line, the authentication type and username; the password stays empty.
  formFromConnection: (connection) => {
    const values: ViewStateValues = {};
    const urls = z.array(z.string()).safeParse(connection.schemaRegistryUrls);
    const type = field(connection, 'schemaRegistryAuthentication', 'type');
    const username = field(connection, 'schemaRegistryAuthentication', 'username');
    if (urls.success && urls.data.length > 0) values[SR_BLOCKS.urls] = { [SR_ACTIONS.urls]: textState(urls.data.join('\n')) };
    if (type && (SR_AUTH_TYPES as readonly string[]).includes(type)) values[SR_BLOCKS.auth] = { [SR_ACTIONS.auth]: selectState(type) };
    if (username) values[SR_BLOCKS.username] = { [SR_ACTIONS.username]: textState(username) };
    return values;
  },
  describe: (connection) => {
    const urls = z.array(z.string()).safeParse(connection.schemaRegistryUrls);
    const type = field(connection, 'schemaRegistryAuthentication', 'type') ?? '?';
    const username = field(connection, 'schemaRegistryAuthentication', 'username');
    return [
      ['Registry URLs', urls.success && urls.data.length > 0 ? urls.data.map((u) => escapeMrkdwn(u)).join('\n') : '?'],
      ['Authentication', `${escapeMrkdwn(type)}${username ? ` · \`${escapeMrkdwn(username)}\`` : ''}`],
    ];
  },
};
