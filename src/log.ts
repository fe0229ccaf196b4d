// The app's JSON logger. Secrets should never be handed to it; redaction is the second line of defence.
import { pino, type DestinationStream, type Logger } from 'pino';
import { logScopeFields } from './logContext.js';

export type { Logger };

/** Keys whose values are secret wherever they appear (one and two levels deep). */
const SECRET_KEYS = new Set([
  'password',
  'privateKey',
  'secret',
  'secretString',
  'SecretString',
  'token',
  'authorization',
  'Authorization',
  'headers',
  'sealed',
  'encryptionKey',
  'signingSecret',
  'clientSecret',
  'accessToken',
  'access_token',
  'sslKey',
  'sslKeyPassword',
]);

const CENSOR = '[redacted]';
/** Keys are looked at this deep: the line's own fields (0), theirs (1) and theirs (2). */
const DEEPEST = 2;

/**
 * The line with every value under a secret key replaced, at depth 0 to 2, arrays and errors
 * included. What it copies is only the objects on the way to a replaced value: a line with
 * nothing secret (all of them, by design) is returned as it is.
 *
 * pino's `redact` option did the same from a list of 51 wildcard paths, and cost 15 % of
 * everything the app allocated under load (it parses every path again for every line's every
 * field): bench/results/2026-12-01-private-link-setups-at-scale.md.
 */
export function censorSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof Date || value instanceof Map || value instanceof Set) return value;
  if (value instanceof Error) {
    // An error's message and stack are not its own enumerable fields: a censored copy is the serializer's output.
    const fields = { ...value };
    return (censorSecrets(fields, depth) === fields ? value : censorSecrets(pino.stdSerializers.err(value), depth)) as T;
  }
  let copy: Record<string, unknown> | unknown[] | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const inner = source[key];
    const next = SECRET_KEYS.has(key) && inner !== undefined ? CENSOR : depth < DEEPEST ? censorSecrets(inner, depth + 1) : inner;
    if (next === inner) continue;
    copy ??= Array.isArray(value) ? [...(value as unknown[])] : { ...source };
    (copy as Record<string, unknown>)[key] = next;
  }
  return (copy ?? value) as T;
}

export function createLogger(options: { level?: string; destination?: DestinationStream; name?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'spconn',
      level: options.level ?? 'info',
      formatters: { log: (line) => censorSecrets(line) },
      // The request id of the Slack delivery or spconn request this line is about.
      mixin: logScopeFields,
      // Error serialisation keeps message and stack; our errors never carry secrets in either.
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination,
  );
}
