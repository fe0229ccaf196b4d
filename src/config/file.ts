// The operator's YAML config file: parsed once at start-up, every key validated.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import { durationSchema } from './duration.js';

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user ID such as U012ABCDEF');
const slackChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel ID such as C0123456789');
const secretRef = z.string().min(1).max(2048);
const slackUsergroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group ID such as S0123ABCDE');

/** The actions a quorum may be set for (a request's call kind; a Private Link setup is `privatelink`). */
export const QUORUM_ACTIONS = ['create', 'edit', 'rotate', 'delete', 'replace', 'privatelink'] as const;
export type QuorumAction = (typeof QUORUM_ACTIONS)[number];
const approvalCount = z.number().int('a whole number of approvals').min(1, 'at least 1 approval').max(10, 'at most 10 approvals');
const perActionCounts = z
  .object(Object.fromEntries(QUORUM_ACTIONS.map((a) => [a, approvalCount.optional()])) as Record<QuorumAction, z.ZodOptional<typeof approvalCount>>)
  .strict();
/** How many distinct owners must approve: one number for every action, or per action (unlisted ones need 1). */
const approvalsRequiredInput = z.unknown().transform((value, ctx): number | z.infer<typeof perActionCounts> => {
  // Parsed by the shape given, so the error is that shape's ("a whole number", "destroy" is not an action).
  const parsed = (typeof value === 'object' && value !== null ? perActionCounts : approvalCount).safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return z.NEVER;
});
/** Who is mentioned past `approvals.escalateAfter` and may then decide too: user IDs and user group IDs. */
const escalateToSchema = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z.array(z.union([slackUserId, slackUsergroupId], { error: 'a Slack user ID (U…) or user group ID (S…)' })).min(1, 'at least one user or user group'),
);

export const targetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, "-" or "_", at most 40'),
    projectId: z.string().regex(/^[a-f0-9]{24}$/, 'an Atlas project (group) ID: 24 hex characters'),
    instance: z.string().min(1).max(64),
    apiKeySecret: secretRef.optional(),
    /** A service account `{"clientId", "clientSecret"}` instead of an API key (see atlasAuthOf for precedence). */
    serviceAccountSecret: secretRef.optional(),
    owners: z.array(slackUserId).default([]),
    ownerGroup: z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group ID such as S0123ABCDE').optional(),
    channels: z.array(slackChannelId).optional(),
    approvalsChannel: slackChannelId.optional(),
    allowSelfApproval: z.boolean().default(false),
    /** Absent means 1 (`approvalsRequiredFor`); optional so a target written in code needs no quorum. */
    approvalsRequired: approvalsRequiredInput.optional(),
    escalateTo: escalateToSchema.optional(),
    /** `auto`: rotations need no owner, spconn approves them itself (README, "Rotating"). */
    rotation: z.enum(['approve', 'auto']).default('approve'),
  })
  .strict()
  .refine((t) => t.owners.length > 0 || t.ownerGroup !== undefined, {
    message: 'a target needs at least one owner or an ownerGroup, or nobody could approve its requests',
    path: ['owners'],
  })
  .superRefine((t, ctx) => {
    // Without groups the approvers can be counted: a quorum they cannot reach would block every request.
    const escalation = t.escalateTo ?? [];
    if (t.ownerGroup !== undefined || escalation.some((id) => id.startsWith('S'))) return;
    const people = new Set([...t.owners, ...escalation]).size;
    const counts = typeof t.approvalsRequired === 'object' ? t.approvalsRequired : { all: t.approvalsRequired ?? 1 };
    for (const [action, n] of Object.entries(counts)) {
      if (n !== undefined && n > people) {
        ctx.addIssue({
          code: 'custom',
          path: ['approvalsRequired', ...(action === 'all' ? [] : [action])],
          message: `${n} distinct approvals required, but only ${people} ${people === 1 ? 'person' : 'people'} (owners and escalateTo) could approve`,
        });
      }
    }
  });

export const configSchema = z
  .object({
    atlas: z
      .object({
        baseUrl: z.url({ protocol: /^https?$/ }).default('https://cloud.mongodb.com'),
        apiKeySecret: secretRef.optional(),
        serviceAccountSecret: secretRef.optional(),
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
      .object({
        expireAfter: durationSchema.default(86_400_000),
        /** Mention a pending request's owners again in its thread every this long (off when absent). */
        remindAfter: durationSchema.optional(),
        /** Past this, a pending request mentions its target's `escalateTo`, who may then decide it too. */
        escalateAfter: durationSchema.optional(),
      })
      .strict()
      .prefault({}),
    /** Drift watching (README, "Drift"): off unless `watchEvery` is set; then every target is watched. */
    drift: z
      .object({
        /** How often each target's project events are read for changes made outside spconn (at least 10 s). */
        watchEvery: durationSchema.refine((ms) => ms >= 10_000, 'at least 10s, or Atlas is read too often').optional(),
      })
      .strict()
      .prefault({}),
    /** Rotation watching (README, "Rotating"): off unless `watchEvery` is set. */
    rotation: z
      .object({
        /** How often the remembered references' current versions are looked at (at least 10 s). */
        watchEvery: durationSchema.refine((ms) => ms >= 10_000, 'at least 10s, or Secrets Manager is read too often').optional(),
      })
      .strict()
      .prefault({}),
    targets: z.array(targetSchema).min(1, 'at least one target'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const { expireAfter, remindAfter, escalateAfter } = config.approvals;
    for (const [key, ms] of [['remindAfter', remindAfter], ['escalateAfter', escalateAfter]] as const) {
      if (ms !== undefined && ms >= expireAfter) {
        ctx.addIssue({ code: 'custom', path: ['approvals', key], message: `must be shorter than approvals.expireAfter (${expireAfter / 1000}s), or requests expire before it ever happens` });
      }
    }
    const seen = new Set<string>();
    config.targets.forEach((target, i) => {
      if (seen.has(target.name)) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate target name "${target.name}"` });
      }
      seen.add(target.name);
      if (target.escalateTo && config.approvals.escalateAfter === undefined) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'escalateTo'], message: 'escalateTo needs approvals.escalateAfter (how long a request waits before it escalates)' });
      }
      const problem = atlasAuthProblem(config.atlas, target);
      if (problem) ctx.addIssue({ code: 'custom', path: ['targets', i, problem.key], message: problem.message });
    });
  });

export type Config = z.infer<typeof configSchema>;
export type Target = Config['targets'][number];

/** How a target authenticates to Atlas: Digest with an API key, or a service account's OAuth token. */
export type AtlasAuthRef = { kind: 'apiKey'; secretId: string } | { kind: 'serviceAccount'; secretId: string };

type AuthKeys = { apiKeySecret?: string | undefined; serviceAccountSecret?: string | undefined };

/**
 * Precedence: a target that names a credential of its own (either kind) uses it and ignores both
 * defaults; a target that names none inherits the one default that is set. A target naming both,
 * or inheriting from defaults that set both, or finding none at all, is a config error naming it.
 */
function resolveAtlasAuth(defaults: AuthKeys, target: AuthKeys & { name: string }): AtlasAuthRef | { key: string; message: string } {
  const own = target.apiKeySecret !== undefined || target.serviceAccountSecret !== undefined;
  const from = own ? target : defaults;
  const where = own ? `target "${target.name}"` : `target "${target.name}" (inheriting atlas.apiKeySecret and atlas.serviceAccountSecret)`;
  if (from.apiKeySecret !== undefined && from.serviceAccountSecret !== undefined) {
    return { key: 'serviceAccountSecret', message: `${where} has both an apiKeySecret and a serviceAccountSecret; a target uses exactly one of them` };
  }
  if (from.apiKeySecret !== undefined) return { kind: 'apiKey', secretId: from.apiKeySecret };
  if (from.serviceAccountSecret !== undefined) return { kind: 'serviceAccount', secretId: from.serviceAccountSecret };
  return { key: 'apiKeySecret', message: `target "${target.name}" has no apiKeySecret or serviceAccountSecret, and there is no default atlas.apiKeySecret or atlas.serviceAccountSecret` };
}

function atlasAuthProblem(defaults: AuthKeys, target: AuthKeys & { name: string }): { key: string; message: string } | undefined {
  const resolved = resolveAtlasAuth(defaults, target);
  return 'kind' in resolved ? undefined : resolved;
}

/** The credential a target uses (see resolveAtlasAuth for the precedence). */
export function atlasAuthOf(config: Config, target: Target): AtlasAuthRef {
  const resolved = resolveAtlasAuth(config.atlas, target);
  if (!('kind' in resolved)) throw new Error(`${resolved.message} (config validation should have caught this)`);
  return resolved;
}

/** The API key secret a target uses: its own, else the default. */
export function apiKeySecretOf(config: Config, target: Target): string {
  const auth = atlasAuthOf(config, target);
  if (auth.kind !== 'apiKey') throw new Error(`target ${target.name} uses a service account, not an API key`);
  return auth.secretId;
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
