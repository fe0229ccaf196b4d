// Where the key that seals stored secrets comes from: SPCONN_ENCRYPTION_KEY, or a Secrets Manager
// secret named in the config. There is no silent default outside the sandbox.
import { SpconnError } from '../errors.js';
import type { SecretCache } from './apiKeys.js';
import { Sealer } from './sealing.js';

const HOW = 'Generate one with `openssl rand -base64 32`.';

export async function resolveSealer(opts: { envKey?: string; keySecret?: string; secrets: SecretCache }): Promise<Sealer> {
  let text: string | undefined = opts.envKey;
  let source = 'SPCONN_ENCRYPTION_KEY';
  if (!text && opts.keySecret) {
    source = `secret ${opts.keySecret}`;
    const value = (await opts.secrets.get(opts.keySecret)).value.trim();
    // Either the bare base64 key or {"key": "<base64>"}.
    text = value.startsWith('{') ? String((JSON.parse(value) as { key?: unknown }).key ?? '') : value;
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
