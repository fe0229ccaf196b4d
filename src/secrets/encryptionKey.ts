// Where the key that seals stored secrets comes from: SPCONN_ENCRYPTION_KEY, or a Secrets Manager
// secret named in the config. There is no silent default outside the sandbox.
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import type { SecretCache } from './apiKeys.js';
import { Sealer } from './sealing.js';

const HOW = 'Generate one with `openssl rand -base64 32`.';
const SHAPE = 'the base64 key itself, or {"key": "<base64>"}';

export async function resolveSealer(opts: { envKey?: string; keySecret?: string; secrets: SecretCache }): Promise<Sealer> {
  let text: string | undefined = opts.envKey;
  let source = 'SPCONN_ENCRYPTION_KEY';
  const secretId = opts.keySecret;
  if (!text && secretId) {
    source = `secret ${secretId}`;
    text = (await opts.secrets.getParsed(secretId, (value) => encryptionKeyText(secretId, value))).value;
  }
  if (!text) {
    throw new SpconnError(
      'ENCRYPTION_FAILED',
      `No encryption key for stored secrets: set SPCONN_ENCRYPTION_KEY or secrets.encryptionKeySecret in the config. ${HOW}`,
    );
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new SpconnError('ENCRYPTION_FAILED', `The encryption key in ${source} is not base64 of 32 bytes. ${HOW}`);
  return new Sealer(key);
}

/**
 * The key's text from the secret's value: either the bare base64 key or {"key": "<base64>"}.
 * Errors name the secret and the expected shape, never the value: JSON.parse's own message quotes
 * the text it failed on, so it is neither shown nor kept as the cause.
 */
export function encryptionKeyText(secretId: string, value: string): string {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new SpconnError('SECRET_MALFORMED', `Secret ${secretId} starts like JSON but is not valid JSON; expected ${SHAPE}. ${HOW}`);
  }
  const parsed = z.object({ key: z.string().min(1) }).safeParse(json);
  if (!parsed.success) throw new SpconnError('SECRET_MALFORMED', `Secret ${secretId} has no "key" text; expected ${SHAPE}. ${HOW}`);
  return parsed.data.key;
}
