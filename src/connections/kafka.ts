// Kafka connections over the public internet: SASL over TLS (or plaintext, with a warning),
// the password a secret that is masked, sealed at rest and never logged.
import { z } from 'zod';
import { escapeMrkdwn, option, plain, textInput, type AnyBlock } from '../modals/blocks.js';
import { rawTextValue, selectedValue, selectState, textState, textValue, type ViewStateValues } from '../modals/viewState.js';
import { field, maskSecret, type ConnectionType, type FieldErrors } from './types.js';

export const KAFKA_BLOCKS = {
  bootstrap: 'kafka_bootstrap',
  protocol: 'kafka_protocol',
  mechanism: 'kafka_mechanism',
  username: 'kafka_username',
  password: 'kafka_password',
  certificate: 'kafka_certificate',
} as const;
export const KAFKA_ACTIONS = {
  bootstrap: 'bootstrap_servers',
  protocol: 'security_protocol',
  mechanism: 'sasl_mechanism',
  username: 'username',
  password: 'password',
  certificate: 'broker_certificate',
} as const;

export const SECURITY_PROTOCOLS = ['SASL_SSL', 'SASL_PLAINTEXT'] as const;
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-256', 'SCRAM-512'] as const;


export const kafkaFormSchema = z.object({
  bootstrapServers: z.string(),
  protocol: z.enum(SECURITY_PROTOCOLS),
  mechanism: z.enum(SASL_MECHANISMS),
  username: z.string(),
  password: z.string(),
  certificate: z.string().optional(),
  /** In an edit only: the connection's networking when it is not public (Private Link), kept as it is. */
  networking: z.record(z.string(), z.unknown()).optional(),
});
export type KafkaForm = z.infer<typeof kafkaFormSchema>;
type Protocol = KafkaForm['protocol'];
type Mechanism = KafkaForm['mechanism'];

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
  notes: 'The password is a secret: it is masked on the card, encrypted while the request waits, and never logged.',
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
      element: {
        type: 'static_select',
        action_id: KAFKA_ACTIONS.protocol,
        options: SECURITY_PROTOCOLS.map((p) => option(p, p)),
        initial_option: option('SASL_SSL', 'SASL_SSL'),
      },
    },
    {
      type: 'input',
      block_id: KAFKA_BLOCKS.mechanism,
      label: plain('SASL mechanism'),
      element: {
        type: 'static_select',
        action_id: KAFKA_ACTIONS.mechanism,
        options: SASL_MECHANISMS.map((m) => option(m, m)),
        initial_option: option('PLAIN', 'PLAIN'),
      },
    },
    textInput({ blockId: KAFKA_BLOCKS.username, actionId: KAFKA_ACTIONS.username, label: 'Username', maxLength: 256 }),
    textInput({
      blockId: KAFKA_BLOCKS.password,
      actionId: KAFKA_ACTIONS.password,
      label: 'Password',
      hint: 'Slack shows what you type here to you only; spconn masks it everywhere else.',
      maxLength: 1024,
    }),
    textInput({
      blockId: KAFKA_BLOCKS.certificate,
      actionId: KAFKA_ACTIONS.certificate,
      label: 'Broker CA certificate (PEM)',
      hint: 'Optional, for SASL_SSL brokers whose certificate is not signed by a public CA.',
      multiline: true,
      optional: true,
      maxLength: 3000,
    }),
  ],
  parseForm(values: ViewStateValues, editing) {
    const errors: FieldErrors = {};
    const bootstrapServers = textValue(values, KAFKA_BLOCKS.bootstrap, KAFKA_ACTIONS.bootstrap).replace(/\s*,\s*/g, ',');
    const bootstrapError = bootstrapServersError(bootstrapServers);
    if (bootstrapError) errors[KAFKA_BLOCKS.bootstrap] = bootstrapError;
    const protocol = selectedValue(values, KAFKA_BLOCKS.protocol, KAFKA_ACTIONS.protocol);
    if (!SECURITY_PROTOCOLS.includes(protocol as Protocol)) errors[KAFKA_BLOCKS.protocol] = `Choose one of ${SECURITY_PROTOCOLS.join(', ')}.`;
    const mechanism = selectedValue(values, KAFKA_BLOCKS.mechanism, KAFKA_ACTIONS.mechanism);
    if (!SASL_MECHANISMS.includes(mechanism as Mechanism)) errors[KAFKA_BLOCKS.mechanism] = `Choose one of ${SASL_MECHANISMS.join(', ')}.`;
    const username = textValue(values, KAFKA_BLOCKS.username, KAFKA_ACTIONS.username);
    if (username === '') errors[KAFKA_BLOCKS.username] = 'Enter the SASL username.';
    else if (username.length > 256 || CONTROL.test(username)) errors[KAFKA_BLOCKS.username] = 'The username must be at most 256 characters, without control characters.';
    const password = rawTextValue(values, KAFKA_BLOCKS.password, KAFKA_ACTIONS.password);
    const keepPassword = editing !== undefined && password === '';
    if (keepPassword) {
      // Atlas never returns the password; an edit that leaves it empty keeps it. `authentication`
      // travels as a whole, so changing the user or mechanism needs the password again.
      if (username !== field(editing, 'authentication', 'username') || mechanism !== field(editing, 'authentication', 'mechanism')) {
        errors[KAFKA_BLOCKS.password] = 'Enter the password again: changing the username or SASL mechanism sends the whole authentication to Atlas.';
      }
    } else if (password.trim() === '') errors[KAFKA_BLOCKS.password] = 'Enter the SASL password.';
    else if (password.length > 1024 || CONTROL.test(password)) errors[KAFKA_BLOCKS.password] = 'The password must be at most 1024 characters, without control characters or line breaks.';
    const certificate = textValue(values, KAFKA_BLOCKS.certificate, KAFKA_ACTIONS.certificate);
    if (certificate && !/^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----$/.test(certificate)) {
      errors[KAFKA_BLOCKS.certificate] = 'Paste the certificate in PEM form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.';
    } else if (certificate && protocol !== 'SASL_SSL') {
      errors[KAFKA_BLOCKS.certificate] = 'A broker certificate only applies to SASL_SSL.';
    }
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    return {
      ok: true,
      value: {
        bootstrapServers,
        protocol: protocol as Protocol,
        mechanism: mechanism as Mechanism,
        username,
        password,
        ...(certificate ? { certificate } : {}),
        // This form cannot express Private Link: an edit keeps the networking the connection has.
        ...(editing && privateNetworking(editing) ? { networking: privateNetworking(editing) } : {}),
      },
    };
  },
  atlasBody: (name, form) => ({
    name,
    type: 'Kafka',
    bootstrapServers: form.bootstrapServers,
    security: { protocol: form.protocol, ...(form.certificate ? { brokerPublicCertificate: form.certificate } : {}) },
    // An edit that keeps the password leaves it out (the form's password is then '').
    authentication: { mechanism: form.mechanism, username: form.username, ...(form.password ? { password: form.password } : {}) },
    networking: form.networking ?? { access: { type: 'PUBLIC' } },
  }),
  secretValues: (form) => (form.password ? [form.password] : []),
  summary: (form) => [
    ['Bootstrap servers', `\`${escapeMrkdwn(form.bootstrapServers)}\``],
    ['Security', `${form.protocol} · ${form.mechanism}${form.protocol === 'SASL_PLAINTEXT' ? ' :warning: credentials travel unencrypted' : ''}`],
    ['Username', `\`${escapeMrkdwn(form.username)}\``],
    ['Password', form.password ? maskSecret(form.password) : '_unchanged_'],
  ],
  formFromConnection: (connection) => {
    const text = (value: string | undefined) => (value === undefined ? undefined : textState(value));
    const select = (value: string | undefined, allowed: readonly string[]) => (value !== undefined && allowed.includes(value) ? selectState(value) : undefined);
    const entries: Array<[string, string, ViewStateValues[string][string] | undefined]> = [
      [KAFKA_BLOCKS.bootstrap, KAFKA_ACTIONS.bootstrap, text(field(connection, 'bootstrapServers'))],
      [KAFKA_BLOCKS.protocol, KAFKA_ACTIONS.protocol, select(field(connection, 'security', 'protocol'), SECURITY_PROTOCOLS)],
      [KAFKA_BLOCKS.mechanism, KAFKA_ACTIONS.mechanism, select(field(connection, 'authentication', 'mechanism'), SASL_MECHANISMS)],
      [KAFKA_BLOCKS.username, KAFKA_ACTIONS.username, text(field(connection, 'authentication', 'username'))],
      [KAFKA_BLOCKS.certificate, KAFKA_ACTIONS.certificate, text(field(connection, 'security', 'brokerPublicCertificate'))],
    ];
    return Object.fromEntries(entries.filter(([, , state]) => state !== undefined).map(([block, action, state]) => [block, { [action]: state! }]));
  },
  describe: (connection) => {
    const access = field(connection, 'networking', 'access', 'type') ?? 'PUBLIC';
    return [
      ['Bootstrap servers', `\`${escapeMrkdwn(field(connection, 'bootstrapServers') ?? '?')}\``],
      ['Security', `${escapeMrkdwn(field(connection, 'security', 'protocol') ?? '?')} · ${escapeMrkdwn(field(connection, 'authentication', 'mechanism') ?? '?')}`],
      ['Username', `\`${escapeMrkdwn(field(connection, 'authentication', 'username') ?? '?')}\``],
      ['Networking', access === 'PRIVATE_LINK' ? `Private Link \`${escapeMrkdwn(field(connection, 'networking', 'access', 'connectionId') ?? '?')}\`` : escapeMrkdwn(access)],
    ];
  },
};
