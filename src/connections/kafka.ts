// Kafka connections over the public internet: SASL (PLAIN, SCRAM, or OAUTHBEARER with OIDC) over
// TLS (or plaintext, with a warning), or mutual TLS (`SSL` with a client certificate and key).
// Every secret (password, OIDC client secret, client key and its password) is masked, sealed at
// rest and never logged.
import { z } from 'zod';
import { escapeMrkdwn, option, plain, textInput, type AnyBlock } from '../modals/blocks.js';
import { rawTextValue, selectedValue, selectState, textState, textValue, type ViewStateValues } from '../modals/viewState.js';
import type { StreamsConnection } from '../atlas/streams.js';
import { canonicalJson } from '../secrets/sealing.js';
import { field, maskSecret, type ConnectionType, type FieldErrors } from './types.js';
import { isSecretReference } from '../secrets/references.js';

export const KAFKA_BLOCKS = {
  bootstrap: 'kafka_bootstrap',
  protocol: 'kafka_protocol',
  mechanism: 'kafka_mechanism',
  username: 'kafka_username',
  password: 'kafka_password',
  certificate: 'kafka_certificate',
  tokenEndpoint: 'kafka_oidc_token_endpoint',
  clientId: 'kafka_oidc_client_id',
  clientSecret: 'kafka_oidc_client_secret',
  scope: 'kafka_oidc_scope',
  extensions: 'kafka_oidc_extensions',
  clientCertificate: 'kafka_tls_certificate',
  clientKey: 'kafka_tls_key',
  keyPassword: 'kafka_tls_key_password',
} as const;
export const KAFKA_ACTIONS = {
  bootstrap: 'bootstrap_servers',
  protocol: 'security_protocol',
  mechanism: 'sasl_mechanism',
  username: 'username',
  password: 'password',
  certificate: 'broker_certificate',
  tokenEndpoint: 'token_endpoint_url',
  clientId: 'client_id',
  clientSecret: 'client_secret',
  scope: 'scope',
  extensions: 'sasl_oauthbearer_extensions',
  clientCertificate: 'ssl_certificate',
  clientKey: 'ssl_key',
  keyPassword: 'ssl_key_password',
} as const;

/** The SASL protocols, and the mechanisms that take a username and password. */
export const SECURITY_PROTOCOLS = ['SASL_SSL', 'SASL_PLAINTEXT'] as const;
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-256', 'SCRAM-512'] as const;
/** Every protocol and mechanism offered: SSL is mutual TLS; OAUTHBEARER is OIDC (the only method Atlas supports). */
export const KAFKA_PROTOCOLS = [...SECURITY_PROTOCOLS, 'SSL'] as const;
export const KAFKA_MECHANISMS = [...SASL_MECHANISMS, 'OAUTHBEARER'] as const;
/** Slack's limit for a text input; the PEM fields say what fits. */
const PEM_MAX = 3000;

const saslAuthSchema = z.object({ kind: z.literal('sasl'), mechanism: z.enum(SASL_MECHANISMS), username: z.string(), password: z.string() });
const oidcAuthSchema = z.object({
  kind: z.literal('oidc'),
  tokenEndpointUrl: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  scope: z.string().optional(),
  extensions: z.string().optional(),
});
const mtlsAuthSchema = z.object({ kind: z.literal('mtls'), certificate: z.string(), key: z.string(), keyPassword: z.string().optional() });

export const kafkaFormSchema = z.object({
  bootstrapServers: z.string(),
  protocol: z.enum(KAFKA_PROTOCOLS),
  auth: z.discriminatedUnion('kind', [saslAuthSchema, oidcAuthSchema, mtlsAuthSchema]),
  certificate: z.string().optional(),
  /** In an edit only: the connection's networking when it is not public (Private Link), kept as it is. */
  networking: z.record(z.string(), z.unknown()).optional(),
});
export type KafkaForm = z.infer<typeof kafkaFormSchema>;
type Protocol = KafkaForm['protocol'];
type Mechanism = (typeof KAFKA_MECHANISMS)[number];

const MAX_SERVERS = 50;
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function hostError(host: string): string | undefined {
  if (IPV4.test(host)) return undefined;
  if (host.length > 253) return 'is longer than 253 characters';
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l))) return 'is not a host name';
  return undefined;
}

/** Each comma-separated entry must be host:port; the error names the entry. */
export function bootstrapServersError(input: string): string | undefined {
  if (input === '') return 'Enter the bootstrap servers, e.g. broker-1.example.com:9092,broker-2.example.com:9092.';
  const servers = input.split(',').map((s) => s.trim());
  if (servers.length > MAX_SERVERS) return `At most ${MAX_SERVERS} servers.`;
  for (const [i, server] of servers.entries()) {
    const shown = `"${server.slice(0, 60)}"`;
    if (server === '') return `Entry ${i + 1} is empty: remove the extra comma.`;
    const colon = server.lastIndexOf(':');
    if (colon <= 0) return `${shown} has no port: write host:port, e.g. ${server.slice(0, 40) || 'broker'}:9092.`;
    const host = server.slice(0, colon);
    const port = server.slice(colon + 1);
    const problem = hostError(host);
    if (problem) return `${shown}: "${host.slice(0, 60)}" ${problem}.`;
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `${shown}: the port must be a number from 1 to 65535.`;
  }
  return undefined;
}

const CERTIFICATE_CHAIN = /^(?:-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;
/** PKCS#8 (plain or encrypted) and the traditional RSA/EC forms, with the legacy encryption headers. */
const PRIVATE_KEY = /^-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----\r?\n(?:[A-Za-z-]+: [^\r\n]*\r?\n)*(?:\r?\n)?[A-Za-z0-9+/=\r\n]+-----END \1-----$/;
const PEM_FITS =
  "At most 3000 characters, Slack's limit for a field: an EC key or an RSA key of up to 2048 bits fits, an RSA 4096-bit key (about 3,300 characters) does not.";

/** The OIDC token endpoint: an absolute https URL without credentials in it. */
export function tokenEndpointError(input: string): string | undefined {
  if (input === '') return 'Enter the OIDC token endpoint URL, e.g. https://login.example.com/oauth2/token.';
  if (input.length > 2048 || !/^[\x21-\x7e]+$/.test(input)) return 'The token endpoint must be a URL of at most 2048 characters, without spaces.';
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return 'The token endpoint is not an absolute URL; write it in full, e.g. https://login.example.com/oauth2/token.';
  }
  if (url.protocol !== 'https:') return `The token endpoint must be an https:// URL (it receives the client secret); this one starts with ${url.protocol}//.`;
  if (!url.hostname) return 'The token endpoint URL has no host name.';
  if (url.username || url.password) return 'Do not put credentials in the token endpoint URL; the client id and secret have their own fields.';
  return undefined;
}

/** A single-line value of at most `max` characters; the error names the field, never the value. */
function lineError(value: string, what: string, max: number): string | undefined {
  if (value.length > max || CONTROL.test(value)) return `The ${what} must be at most ${max} characters, without control characters or line breaks.`;
  return undefined;
}

const optionalText = (blockId: string, actionId: string, label: string, hint: string, maxLength: number, multiline = false) =>
  textInput({ blockId, actionId, label, hint, optional: true, maxLength, multiline });

/** The connection's networking object when it is not public. */
function privateNetworking(connection: Record<string, unknown>): Record<string, unknown> | undefined {
  const networking = connection.networking;
  if (typeof networking !== 'object' || networking === null || (field(connection, 'networking', 'access', 'type') ?? 'PUBLIC') === 'PUBLIC') return undefined;
  return networking as Record<string, unknown>;
}

export const kafkaConnection: ConnectionType<KafkaForm> = {
  id: 'kafka',
  label: 'Kafka',
  atlasType: 'Kafka',
  notes:
    'Passwords, the OIDC client secret, the client key and its password are secrets: masked on the card, encrypted while the request waits, and never logged.',
  formBlocks: (): AnyBlock[] => [
    textInput({
      blockId: KAFKA_BLOCKS.bootstrap,
      actionId: KAFKA_ACTIONS.bootstrap,
      label: 'Bootstrap servers',
      hint: 'Comma-separated host:port',
      placeholder: 'broker-1.example.com:9092,broker-2.example.com:9092',
      maxLength: 3000,
    }),
    {
      type: 'input',
      block_id: KAFKA_BLOCKS.protocol,
      label: plain('Security protocol'),
      hint: plain('SASL_SSL or SASL_PLAINTEXT authenticate with the SASL mechanism below; SSL is mutual TLS with the client certificate and key below.'),
      element: {
        type: 'static_select',
        action_id: KAFKA_ACTIONS.protocol,
        options: KAFKA_PROTOCOLS.map((p) => option(p === 'SSL' ? 'SSL (mutual TLS)' : p, p)),
        initial_option: option('SASL_SSL', 'SASL_SSL'),
      },
    },
    {
      type: 'input',
      block_id: KAFKA_BLOCKS.mechanism,
      label: plain('SASL mechanism'),
      hint: plain('PLAIN and SCRAM take the username and password; OAUTHBEARER takes the OIDC fields. Not used with SSL.'),
      element: {
        type: 'static_select',
        action_id: KAFKA_ACTIONS.mechanism,
        options: KAFKA_MECHANISMS.map((m) => option(m === 'OAUTHBEARER' ? 'OAUTHBEARER (OIDC)' : m, m)),
        initial_option: option('PLAIN', 'PLAIN'),
      },
    },
    optionalText(KAFKA_BLOCKS.username, KAFKA_ACTIONS.username, 'Username', 'With PLAIN or SCRAM.', 256),
    optionalText(KAFKA_BLOCKS.password, KAFKA_ACTIONS.password, 'Password', 'With PLAIN or SCRAM. Slack shows what you type here to you only; spconn masks it everywhere else.', 1024),
    optionalText(KAFKA_BLOCKS.tokenEndpoint, KAFKA_ACTIONS.tokenEndpoint, 'OIDC token endpoint URL', 'With OAUTHBEARER: where Atlas gets its access tokens (https).', 2048),
    optionalText(KAFKA_BLOCKS.clientId, KAFKA_ACTIONS.clientId, 'OIDC client id', 'With OAUTHBEARER.', 256),
    optionalText(KAFKA_BLOCKS.clientSecret, KAFKA_ACTIONS.clientSecret, 'OIDC client secret', 'With OAUTHBEARER. A secret: masked on the card, encrypted at rest.', 1024),
    optionalText(KAFKA_BLOCKS.scope, KAFKA_ACTIONS.scope, 'OIDC scope', 'Optional, with OAUTHBEARER: the scope requested with the token.', 1024),
    optionalText(KAFKA_BLOCKS.extensions, KAFKA_ACTIONS.extensions, 'SASL OAUTHBEARER extensions', 'Optional, with OAUTHBEARER: key=value pairs separated by commas, e.g. logicalCluster=lkc-abc12,identityPoolId=pool-x1.', 1024),
    optionalText(KAFKA_BLOCKS.clientCertificate, KAFKA_ACTIONS.clientCertificate, 'Client certificate (PEM)', `With SSL: the client's certificate, from -----BEGIN CERTIFICATE-----. ${PEM_FITS}`, PEM_MAX, true),
    optionalText(KAFKA_BLOCKS.clientKey, KAFKA_ACTIONS.clientKey, 'Client key (PEM)', `With SSL: the certificate's private key, a secret. ${PEM_FITS}`, PEM_MAX, true),
    optionalText(KAFKA_BLOCKS.keyPassword, KAFKA_ACTIONS.keyPassword, 'Client key password', 'With SSL, if the key is encrypted. A secret.', 1024),
    textInput({
      blockId: KAFKA_BLOCKS.certificate,
      actionId: KAFKA_ACTIONS.certificate,
      label: 'Broker CA certificate (PEM)',
      hint: 'Optional, for SASL_SSL or SSL brokers whose certificate is not signed by a public CA.',
      multiline: true,
      optional: true,
      maxLength: 3000,
    }),
  ],
  parseForm(values: ViewStateValues, editing) {
    const errors: FieldErrors = {};
    const text = (block: keyof typeof KAFKA_BLOCKS) => textValue(values, KAFKA_BLOCKS[block], KAFKA_ACTIONS[block]);
    const raw = (block: keyof typeof KAFKA_BLOCKS) => rawTextValue(values, KAFKA_BLOCKS[block], KAFKA_ACTIONS[block]);
    const bootstrapServers = text('bootstrap').replace(/\s*,\s*/g, ',');
    const bootstrapError = bootstrapServersError(bootstrapServers);
    if (bootstrapError) errors[KAFKA_BLOCKS.bootstrap] = bootstrapError;
    const protocol = selectedValue(values, KAFKA_BLOCKS.protocol, KAFKA_ACTIONS.protocol);
    if (!KAFKA_PROTOCOLS.includes(protocol as Protocol)) errors[KAFKA_BLOCKS.protocol] = `Choose one of ${KAFKA_PROTOCOLS.join(', ')}.`;
    const mechanism = selectedValue(values, KAFKA_BLOCKS.mechanism, KAFKA_ACTIONS.mechanism);
    // With SSL the mechanism is not used, so an edit form filled from Atlas may have none.
    if (protocol !== 'SSL' && !KAFKA_MECHANISMS.includes(mechanism as Mechanism)) errors[KAFKA_BLOCKS.mechanism] = `Choose one of ${KAFKA_MECHANISMS.join(', ')}.`;
    const kind = protocol === 'SSL' ? 'mtls' : mechanism === 'OAUTHBEARER' ? 'oidc' : 'sasl';

    // A field that does not belong to the chosen authentication is refused rather than dropped
    // silently, so what Atlas gets is what the person meant.
    const notFor = (block: keyof typeof KAFKA_BLOCKS, what: string, needs: string) => {
      if (raw(block) !== '') errors[KAFKA_BLOCKS[block]] = `The ${what} is only used with ${needs}; clear it, or change the security protocol or mechanism.`;
    };
    const saslFields = () => {
      notFor('username', 'username', 'PLAIN or SCRAM');
      notFor('password', 'password', 'PLAIN or SCRAM');
    };
    const oidcFields = () => {
      for (const [block, what] of [['tokenEndpoint', 'token endpoint'], ['clientId', 'client id'], ['clientSecret', 'client secret'], ['scope', 'scope'], ['extensions', 'extensions list']] as const) {
        notFor(block, `OIDC ${what}`, 'OAUTHBEARER');
      }
    };
    const tlsFields = () => {
      for (const [block, what] of [['clientCertificate', 'client certificate'], ['clientKey', 'client key'], ['keyPassword', 'client key password']] as const) notFor(block, what, 'SSL (mutual TLS)');
    };

    let auth: KafkaForm['auth'] | undefined;
    if (kind === 'sasl') {
      oidcFields();
      tlsFields();
      const username = text('username');
      if (username === '') errors[KAFKA_BLOCKS.username] = 'Enter the SASL username.';
      else {
        const e = lineError(username, 'username', 256);
        if (e) errors[KAFKA_BLOCKS.username] = e;
      }
      const password = raw('password');
      if (editing && password === '') {
        // Atlas never returns the password; an edit that leaves it empty keeps it. `authentication`
        // travels as a whole, so changing the user or mechanism needs the password again.
        if (username !== field(editing, 'authentication', 'username') || mechanism !== field(editing, 'authentication', 'mechanism')) {
          errors[KAFKA_BLOCKS.password] = 'Enter the password again: changing the username or SASL mechanism sends the whole authentication to Atlas.';
        }
      } else if (password.trim() === '') errors[KAFKA_BLOCKS.password] = 'Enter the SASL password.';
      else {
        const e = lineError(password, 'password', 1024);
        if (e) errors[KAFKA_BLOCKS.password] = e;
      }
      if (SASL_MECHANISMS.includes(mechanism as (typeof SASL_MECHANISMS)[number])) auth = { kind, mechanism: mechanism as (typeof SASL_MECHANISMS)[number], username, password };
    } else if (kind === 'oidc') {
      saslFields();
      tlsFields();
      const tokenEndpointUrl = text('tokenEndpoint');
      const endpointError = tokenEndpointError(tokenEndpointUrl);
      if (endpointError) errors[KAFKA_BLOCKS.tokenEndpoint] = endpointError;
      const clientId = text('clientId');
      if (clientId === '') errors[KAFKA_BLOCKS.clientId] = 'Enter the OIDC client id.';
      else {
        const e = lineError(clientId, 'client id', 256);
        if (e) errors[KAFKA_BLOCKS.clientId] = e;
      }
      const clientSecret = raw('clientSecret');
      // An edit may leave the client secret empty to keep it (checked below, once the rest is known).
      if (editing && clientSecret === '') {
        /* kept */
      } else if (clientSecret.trim() === '') errors[KAFKA_BLOCKS.clientSecret] = 'Enter the OIDC client secret.';
      else {
        const e = lineError(clientSecret, 'client secret', 1024);
        if (e) errors[KAFKA_BLOCKS.clientSecret] = e;
      }
      const scope = text('scope');
      const scopeError = scope ? lineError(scope, 'scope', 1024) : undefined;
      if (scopeError) errors[KAFKA_BLOCKS.scope] = scopeError;
      const extensions = text('extensions');
      if (extensions && (lineError(extensions, 'extensions list', 1024) || !extensions.split(',').every((pair) => /^[A-Za-z]+=[^=,]+$/.test(pair.trim())))) {
        errors[KAFKA_BLOCKS.extensions] = 'Write the extensions as key=value pairs separated by commas (keys are letters), e.g. logicalCluster=lkc-abc12,identityPoolId=pool-x1.';
      }
      auth = { kind, tokenEndpointUrl, clientId, clientSecret, ...(scope ? { scope } : {}), ...(extensions ? { extensions: extensions.split(',').map((p) => p.trim()).join(',') } : {}) };
    } else {
      // mutual TLS: the mechanism select always shows a value; with SSL it is not sent.
      saslFields();
      oidcFields();
      const certificate = text('clientCertificate');
      if (certificate === '') errors[KAFKA_BLOCKS.clientCertificate] = 'Enter the client certificate (PEM) that the brokers trust.';
      else if (!CERTIFICATE_CHAIN.test(certificate)) errors[KAFKA_BLOCKS.clientCertificate] = 'Paste the certificate in PEM form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.';
      const key = text('clientKey');
      const keyForm = PRIVATE_KEY.exec(key);
      const keepKey = editing !== undefined && key === '';
      if (keepKey) {
        // Kept, with its password: a new password alone would not open the key Atlas has.
        if (raw('keyPassword') !== '') errors[KAFKA_BLOCKS.keyPassword] = 'A new key password goes with a new key: paste the key too, or clear the password to keep both.';
      } else if (key === '') errors[KAFKA_BLOCKS.clientKey] = "Enter the client certificate's private key (PEM).";
      // A `secretsmanager:` reference stands for the key; it is read and checked at submission.
      else if (!keyForm && !isSecretReference(key)) errors[KAFKA_BLOCKS.clientKey] = 'Paste the key in PEM form: from its BEGIN line (PRIVATE KEY, or RSA, EC or ENCRYPTED PRIVATE KEY) to its END line.';
      const keyPassword = raw('keyPassword');
      const encrypted = keyForm !== null && (keyForm[1] === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(key));
      if (keyPassword !== '') {
        const e = lineError(keyPassword, 'key password', 1024);
        if (e) errors[KAFKA_BLOCKS.keyPassword] = e;
      } else if (encrypted) errors[KAFKA_BLOCKS.keyPassword] = 'This key is encrypted: enter its password.';
      auth = { kind, certificate, key, ...(keyPassword ? { keyPassword } : {}) };
    }

    const certificate = text('certificate');
    if (certificate && !/^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----$/.test(certificate)) {
      errors[KAFKA_BLOCKS.certificate] = 'Paste the certificate in PEM form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.';
    } else if (certificate && protocol === 'SASL_PLAINTEXT') {
      errors[KAFKA_BLOCKS.certificate] = 'A broker certificate only applies to SASL_SSL or SSL.';
    }
    if (editing && auth && Object.keys(errors).length === 0) Object.assign(errors, keptSecretErrors(auth, editing));
    if (Object.keys(errors).length > 0 || !auth) return { ok: false, errors };
    // This form cannot express Private Link: an edit keeps the networking the connection has.
    const networking = editing ? privateNetworking(editing) : undefined;
    return { ok: true, value: { bootstrapServers, protocol: protocol as Protocol, auth, ...(certificate ? { certificate } : {}), ...(networking ? { networking } : {}) } };
  },
  atlasBody: (name, form) => ({
    name,
    type: 'Kafka',
    bootstrapServers: form.bootstrapServers,
    security: { protocol: form.protocol, ...(form.certificate ? { brokerPublicCertificate: form.certificate } : {}) },
    authentication: authenticationBody(form.auth),
    networking: form.networking ?? { access: { type: 'PUBLIC' } },
  }),
  secretValues: (form) => {
    switch (form.auth.kind) {
      case 'sasl':
        return form.auth.password ? [form.auth.password] : [];
      case 'oidc':
        return form.auth.clientSecret ? [form.auth.clientSecret] : [];
      case 'mtls':
        return [...(form.auth.key ? [form.auth.key] : []), ...(form.auth.keyPassword ? [form.auth.keyPassword] : [])];
    }
  },
  summary: (form) => [
    ['Bootstrap servers', `\`${escapeMrkdwn(form.bootstrapServers)}\``],
    ['Security', `${form.protocol} · ${authLabel(form.auth)}${form.protocol === 'SASL_PLAINTEXT' ? ' :warning: credentials travel unencrypted' : ''}`],
    ...authSummary(form.auth),
  ],
  // The edit form gets every field Atlas returns; secrets (password, OIDC client secret, client key
  // and its password) stay empty, and each may be left empty to keep what Atlas has (keptSecretErrors).
  formFromConnection: (connection): ViewStateValues => {
    const values: ViewStateValues = {};
    const put = (block: keyof typeof KAFKA_BLOCKS, state: ViewStateValues[string][string] | undefined) => {
      if (state) values[KAFKA_BLOCKS[block]] = { [KAFKA_ACTIONS[block]]: state };
    };
    const text = (...path: string[]) => {
      const value = field(connection, ...path);
      return value === undefined ? undefined : textState(value);
    };
    const protocol = field(connection, 'security', 'protocol');
    const mechanism = field(connection, 'authentication', 'mechanism');
    put('bootstrap', text('bootstrapServers'));
    put('protocol', protocol && (KAFKA_PROTOCOLS as readonly string[]).includes(protocol) ? selectState(protocol) : undefined);
    put('mechanism', mechanism && (KAFKA_MECHANISMS as readonly string[]).includes(mechanism) ? selectState(mechanism) : undefined);
    put('username', text('authentication', 'username'));
    put('tokenEndpoint', text('authentication', 'tokenEndpointUrl'));
    put('clientId', text('authentication', 'clientId'));
    put('scope', text('authentication', 'scope'));
    put('extensions', text('authentication', 'saslOauthbearerExtensions'));
    put('clientCertificate', text('authentication', 'sslCertificate'));
    put('certificate', text('security', 'brokerPublicCertificate'));
    return values;
  },
  describe: (connection) => {
    const access = field(connection, 'networking', 'access', 'type') ?? 'PUBLIC';
    const protocol = field(connection, 'security', 'protocol') ?? '?';
    const mechanism = field(connection, 'authentication', 'mechanism');
    const who =
      mechanism === 'OAUTHBEARER'
        ? [['OIDC client', `\`${escapeMrkdwn(field(connection, 'authentication', 'clientId') ?? '?')}\` at ${escapeMrkdwn(field(connection, 'authentication', 'tokenEndpointUrl') ?? '?')}`] as [string, string]]
        : protocol === 'SSL'
          ? [['Client certificate', field(connection, 'authentication', 'sslCertificate') ? 'set (PEM)' : '_none_'] as [string, string]]
          : [['Username', `\`${escapeMrkdwn(field(connection, 'authentication', 'username') ?? '?')}\``] as [string, string]];
    return [
      ['Bootstrap servers', `\`${escapeMrkdwn(field(connection, 'bootstrapServers') ?? '?')}\``],
      ['Security', `${escapeMrkdwn(protocol)} · ${escapeMrkdwn(mechanism ?? (protocol === 'SSL' ? 'mutual TLS' : '?'))}`],
      ...who,
      ['Networking', access === 'PRIVATE_LINK' ? `Private Link \`${escapeMrkdwn(field(connection, 'networking', 'access', 'connectionId') ?? '?')}\`` : escapeMrkdwn(access)],
    ];
  },
};

/**
 * In an edit, OIDC or mutual TLS secrets left empty are kept, as long as `authentication` is not
 * sent: it travels whole, so a change of any of its other fields needs the secrets again. (SASL
 * checks its password in place.) The errors name fields, never values.
 */
function keptSecretErrors(auth: KafkaForm['auth'], editing: StreamsConnection): FieldErrors {
  if (auth.kind === 'sasl') return {};
  const kept = auth.kind === 'oidc' ? auth.clientSecret === '' : auth.key === '';
  if (!kept) return {};
  const current = typeof editing.authentication === 'object' && editing.authentication !== null ? (editing.authentication as Record<string, unknown>) : {};
  const { clientSecret: _s, sslKey: _k, sslKeyPassword: _p, password: _w, ...shown } = current;
  if (canonicalJson(authenticationBody(auth)) === canonicalJson(shown)) return {};
  return auth.kind === 'oidc'
    ? { [KAFKA_BLOCKS.clientSecret]: 'Enter the client secret again: changing the OIDC settings sends the whole authentication to Atlas.' }
    : { [KAFKA_BLOCKS.clientKey]: 'Enter the client key again (and its password, if any): changing the certificate or authentication sends the whole authentication to Atlas.' };
}

/** The `authentication` object, with exactly the attribute names of StreamsKafkaAuthentication. */
function authenticationBody(auth: KafkaForm['auth']): Record<string, string> {
  switch (auth.kind) {
    case 'sasl':
      // An edit that keeps the password leaves it out (the form's password is then '').
      return { mechanism: auth.mechanism, username: auth.username, ...(auth.password ? { password: auth.password } : {}) };
    case 'oidc':
      return {
        mechanism: 'OAUTHBEARER',
        method: 'OIDC',
        tokenEndpointUrl: auth.tokenEndpointUrl,
        clientId: auth.clientId,
        // An edit that keeps the client secret leaves it out (the form's secret is then '').
        ...(auth.clientSecret ? { clientSecret: auth.clientSecret } : {}),
        ...(auth.scope ? { scope: auth.scope } : {}),
        ...(auth.extensions ? { saslOauthbearerExtensions: auth.extensions } : {}),
      };
    case 'mtls':
      return { sslCertificate: auth.certificate, ...(auth.key ? { sslKey: auth.key } : {}), ...(auth.keyPassword ? { sslKeyPassword: auth.keyPassword } : {}) };
  }
}

const authLabel = (auth: KafkaForm['auth']): string => (auth.kind === 'sasl' ? auth.mechanism : auth.kind === 'oidc' ? 'OAUTHBEARER (OIDC)' : 'mutual TLS');

function authSummary(auth: KafkaForm['auth']): Array<[string, string]> {
  switch (auth.kind) {
    case 'sasl':
      return [
        ['Username', `\`${escapeMrkdwn(auth.username)}\``],
        ['Password', maskSecret(auth.password)],
      ];
    case 'oidc':
      return [
        ['Token endpoint', escapeMrkdwn(auth.tokenEndpointUrl)],
        ['Client id', `\`${escapeMrkdwn(auth.clientId)}\``],
        ['Client secret', auth.clientSecret ? maskSecret(auth.clientSecret) : '_kept_'],
        ...(auth.scope ? [['Scope', `\`${escapeMrkdwn(auth.scope)}\``] as [string, string]] : []),
        ...(auth.extensions ? [['Extensions', `\`${escapeMrkdwn(auth.extensions)}\``] as [string, string]] : []),
      ];
    case 'mtls':
      return [
        ['Client certificate', `PEM, ${auth.certificate.length} characters`],
        // A key's last characters are PEM framing, not secret, but nothing of a key is shown.
        ['Client key', !auth.key ? '_kept_' : isSecretReference(auth.key) ? maskSecret(auth.key) : '••••'],
        ...(auth.keyPassword ? [['Key password', maskSecret(auth.keyPassword)] as [string, string]] : []),
      ];
  }
}
