// Secrets the sandbox seeds in its Secrets Manager emulator, so the playground can try secrets by
// reference (SPEC §10): type `secretsmanager:sandbox/orders-api#token` as a header value, or
// `secretsmanager:sandbox/kafka#password` as a Kafka password. "New version" puts another one.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { SecretsManagerEmulator } from './secretsManagerEmulator.js';

export const SANDBOX_SECRETS = {
  'sandbox/orders-api': (nonce: string) => ({ token: `Bearer sandbox-token-${nonce}` }),
  'sandbox/kafka': (nonce: string) => ({ username: 'svc-atlas', password: `sandbox-kafka-${nonce}` }),
} as const;

export const SANDBOX_REFERENCES = ['secretsmanager:sandbox/orders-api#token', 'secretsmanager:sandbox/kafka#password'];

export const sandboxSecretNameSchema = z.object({ name: z.enum(Object.keys(SANDBOX_SECRETS) as [keyof typeof SANDBOX_SECRETS, ...Array<keyof typeof SANDBOX_SECRETS>]) });

/** Puts a new version (AWSCURRENT; the last one becomes AWSPREVIOUS) of one sandbox secret. */
export function putSandboxSecret(secrets: SecretsManagerEmulator, name: keyof typeof SANDBOX_SECRETS): { versionId: string } {
  const nonce = randomBytes(4).toString('hex');
  return { versionId: secrets.putSecret(name, JSON.stringify(SANDBOX_SECRETS[name](nonce))).versionId };
}

export function seedSandboxSecrets(secrets: SecretsManagerEmulator): void {
  for (const name of Object.keys(SANDBOX_SECRETS) as Array<keyof typeof SANDBOX_SECRETS>) putSandboxSecret(secrets, name);
}
