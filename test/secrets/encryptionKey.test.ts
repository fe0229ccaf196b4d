// Where the sealing key comes from, and errors that name the secret but never quote its value.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpconnError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { resolveSealer } from '../../src/secrets/encryptionKey.js';
import { Sealer } from '../../src/secrets/sealing.js';
import { startWorld, type World } from '../../src/sandbox/world.js';

let world: World;
const logger = createLogger({ level: 'silent' });
const cache = () => new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger });

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.stop();
});

/** Every 5-character piece of `secret`: none may show up anywhere in an error. */
const pieces = (secret: string) => Array.from({ length: secret.length - 4 }, (_, i) => secret.slice(i, i + 5).toLowerCase());

/** The error's message, stack and causes' messages and stacks, as pino would log them. */
function everything(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) parts.push(e.message, e.stack ?? '', JSON.stringify(e));
  return parts.join('\n').toLowerCase();
}

describe('resolveSealer', () => {
  const key = randomBytes(32);

  it('takes the key from the environment, a bare base64 secret, or {"key": …}', async () => {
    world.secrets.putSecret('spconn/enc-bare', key.toString('base64'));
    world.secrets.putSecret('spconn/enc-json', JSON.stringify({ key: key.toString('base64') }));
    const sealed = new Sealer(key).seal('x', 'row');
    for (const opts of [{ envKey: key.toString('base64') }, { keySecret: 'spconn/enc-bare' }, { keySecret: 'spconn/enc-json' }]) {
      const sealer = await resolveSealer({ ...opts, secrets: cache() });
      expect(sealer.open(sealed, 'row')).toBe('x');
    }
  });

  it('names a secret that is not valid JSON without quoting any part of it', async () => {
    const canary = 'CANARYenc9Qw3Zt7Xp2Lm5Rb8Vn1Hd4Gs6';
    // Unquoted, so JSON.parse fails on its first character and V8's message quotes what follows.
    for (const value of [`{"key": ${canary}}`, `{"key": "${canary}"`, `{${canary}`]) {
      world.secrets.putSecret('spconn/enc-broken', value);
      const error = await resolveSealer({ keySecret: 'spconn/enc-broken', secrets: cache() }).catch((e: unknown) => e);
      expect(isSpconnError(error, 'SECRET_MALFORMED')).toBe(true);
      expect((error as Error).message).toBe(
        'Secret spconn/enc-broken starts like JSON but is not valid JSON; expected the base64 key itself, or {"key": "<base64>"}. Generate one with `openssl rand -base64 32`.',
      );
      const text = everything(error);
      for (const piece of pieces(canary)) expect(text).not.toContain(piece);
    }
  });

  it('names a JSON secret without a "key", and a key of the wrong length, without quoting either', async () => {
    const canary = 'CANARYenc4Lk8Pz1Wq6Ty3';
    world.secrets.putSecret('spconn/enc-nokey', JSON.stringify({ kee: canary }));
    const noKey = await resolveSealer({ keySecret: 'spconn/enc-nokey', secrets: cache() }).catch((e: unknown) => e);
    expect((noKey as Error).message).toMatch(/^Secret spconn\/enc-nokey has no "key" text/);
    world.secrets.putSecret('spconn/enc-short', JSON.stringify({ key: canary }));
    const short = await resolveSealer({ keySecret: 'spconn/enc-short', secrets: cache() }).catch((e: unknown) => e);
    expect((short as Error).message).toMatch(/^The encryption key in secret spconn\/enc-short is not base64 of 32 bytes/);
    for (const error of [noKey, short]) for (const piece of pieces(canary)) expect(everything(error)).not.toContain(piece);
  });
});
