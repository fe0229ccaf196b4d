// Process environment, parsed once. AWS variables are left to the AWS SDK's own chain.
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import { formatIssues } from './file.js';

const envSchema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'a bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'an app-level token starting with xapp-').optional(),
  SLACK_API_URL: z.url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  SPCONN_CONFIG: z.string().default('./spconn.config.yaml'),
  SPCONN_DATA_DIR: z.string().default('./data'),
  SPCONN_SANDBOX: z.enum(['0', '1', 'true', 'false']).optional(),
  /** The sandbox's target reaches the Atlas emulator with an API key (default) or a service account. */
  SPCONN_SANDBOX_AUTH: z.enum(['apiKey', 'serviceAccount']).optional(),
  /** The sandbox's browser playground; default PORT + 1 (0: a free port). */
  SPCONN_PLAYGROUND_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** base64 of 32 random bytes; alternative to secrets.encryptionKeySecret in the config file. */
  SPCONN_ENCRYPTION_KEY: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().optional(),
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  // Empty strings mean "unset" for an operator writing `FOO=` in a unit file.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new SpconnError('ENV_INVALID', `Invalid environment:\n${formatIssues(result.error)}`);
  }
  return result.data;
}
