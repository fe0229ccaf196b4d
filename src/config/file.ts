// The operator's YAML config file: parsed once at start-up, every key validated.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import { durationSchema } from './duration.js';

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user ID such as U012ABCDEF');
const slackChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel ID such as C0123456789');
const secretRef = z.string().min(1).max(2048);

export const targetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, "-" or "_", at most 40'),
    projectId: z.string().regex(/^[a-f0-9]{24}$/, 'an Atlas project (group) ID: 24 hex characters'),
    instance: z.string().min(1).max(64),
    apiKeySecret: secretRef.optional(),
    owners: z.array(slackUserId).default([]),
    ownerGroup: z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group ID such as S0123ABCDE').optional(),
    channels: z.array(slackChannelId).optional(),
    approvalsChannel: slackChannelId.optional(),
    allowSelfApproval: z.boolean().default(false),
  })
  .strict()
  .refine((t) => t.owners.length > 0 || t.ownerGroup !== undefined, {
    message: 'a target needs at least one owner or an ownerGroup, or nobody could approve its requests',
    path: ['owners'],
  });

export const configSchema = z
  .object({
    atlas: z
      .object({
        baseUrl: z.url({ protocol: /^https?$/ }).default('https://cloud.mongodb.com'),
        apiKeySecret: secretRef.optional(),
        requestTimeout: durationSchema.default(30_000),
        /** Atlas's bucket refill per project (`calls` per `per`), and its capacity when Atlas sends no RateLimit headers. */
        pacing: z
          .object({ calls: z.number().int().min(1).max(100_000).default(100), per: durationSchema.default(60_000) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    secrets: z
      .object({
        cacheTtl: durationSchema.default(3_600_000),
        /** The deadline of one GetSecretValue, the SDK's retries included. */
        readTimeout: durationSchema.default(10_000),
        encryptionKeySecret: secretRef.optional(),
      })
      .strict()
      .prefault({}),
    privateLink: z
      .object({
        pollMin: durationSchema.default(30_000),
        pollMax: durationSchema.default(300_000),
        linkTimeout: durationSchema.default(2 * 3_600_000),
        connectionTimeout: durationSchema.default(3_600_000),
      })
      .strict()
      .prefault({}),
    replicas: z
      .object({
        /** How long a replica may hold an approved request or a setup step before another takes it over. */
        leaseTime: durationSchema.default(5 * 60_000),
        /** How often each replica looks for work whose lease ran out. */
        scanEvery: durationSchema.default(15_000),
      })
      .strict()
      .prefault({}),
    approvals: z
      .object({ expireAfter: durationSchema.default(86_400_000) })
      .strict()
      .prefault({}),
    targets: z.array(targetSchema).min(1, 'at least one target'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.targets.forEach((target, i) => {
      if (seen.has(target.name)) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate target name "${target.name}"` });
      }
      seen.add(target.name);
      if (!target.apiKeySecret && !config.atlas.apiKeySecret) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'apiKeySecret'],
          message: 'no apiKeySecret here and no default atlas.apiKeySecret',
        });
      }
    });
  });

export type Config = z.infer<typeof configSchema>;
export type Target = Config['targets'][number];

/** The API key secret a target uses: its own, else the default. */
export function apiKeySecretOf(config: Config, target: Target): string {
  const ref = target.apiKeySecret ?? config.atlas.apiKeySecret;
  if (!ref) throw new Error(`target ${target.name} has no apiKeySecret (config validation should have caught this)`);
  return ref;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  - ${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
    .join('\n');
}

export function parseConfig(raw: unknown, source: string): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new SpconnError('CONFIG_INVALID', `Invalid config file ${source}:\n${formatIssues(result.error)}`);
  }
  return result.data;
}

export async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new SpconnError('CONFIG_INVALID', `Cannot read config file ${path}: ${(cause as Error).message}`, { cause });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    throw new SpconnError('CONFIG_INVALID', `Config file ${path} is not valid YAML: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseConfig(raw, path);
}
