// The app's JSON logger. Secrets should never be handed to it; redaction is the second line of defence.
import { pino, type DestinationStream, type Logger } from 'pino';
import { logScopeFields } from './logContext.js';

export type { Logger };

/** Keys whose values are secret wherever they appear (one and two levels deep). */
const SECRET_KEYS = [
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
];

export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export function createLogger(options: { level?: string; destination?: DestinationStream; name?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'spconn',
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // The request id of the Slack delivery or spconn request this line is about.
      mixin: logScopeFields,
      // Error serialisation keeps message and stack; our errors never carry secrets in either.
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination,
  );
}
