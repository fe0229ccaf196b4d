// A whole emulated world for spconn: Slack, Atlas and Secrets Manager on 127.0.0.1, seeded with
// one project, one instance, an API key in Secrets Manager and a config that points at them.
// The sandbox runs it for people to try spconn; the end-to-end tests run it too.
import { randomBytes } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseConfig, type Config } from '../config/file.js';
import { AtlasEmulator, type AtlasEmulatorOptions } from './atlasEmulator.js';
import { SecretsManagerEmulator } from './secretsManagerEmulator.js';
import { SlackEmulator } from './slackEmulator.js';

export const WORLD = {
  team: 'T0SPCONN1',
  channel: 'C0PLATFORM1',
  requester: 'U0REQUEST1',
  owner: 'U0OWNER001',
  owner2: 'U0OWNER002',
  stranger: 'U0STRANGE1',
  projectId: '8358217d3abb5c76c3434648',
  instance: 'spinstance',
  apiKeySecret: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spconn/atlas',
  awsAccessKeyId: 'AKIDSPCONNSANDBOX',
  s3Role: 'arn:aws:iam::123456789012:role/atlas-s3-writer',
  processor: 'solar-to-orders',
} as const;

export interface WorldOptions {
  /** Extra config on top of the seeded target (e.g. approvals.expireAfter). */
  configPatch?: (raw: Record<string, unknown>) => void;
  atlasPrivateKey?: string;
  /** Slack's 3 s trigger lifetime, lengthened where triggers are issued ahead (the benchmark). */
  triggerTtlMs?: number;
  /** Emulator behaviour, e.g. links that never become ready by themselves. */
  atlas?: Omit<AtlasEmulatorOptions, 'keys'>;
}

export interface World {
  slack: SlackEmulator;
  atlas: AtlasEmulator;
  secrets: SecretsManagerEmulator;
  config: Config;
  botToken: string;
  /** The app-level token for Socket Mode. */
  appToken: string;
  signingSecret: string;
  atlasKey: { publicKey: string; privateKey: string };
  /** The config as written in a file (durations as text), for an app in another process. */
  rawConfig: Record<string, unknown>;
  /** Credentials the Secrets Manager emulator checks SigV4 signatures with. */
  aws: { accessKeyId: string; secretAccessKey: string };
  secretsManagerClient(): SecretsManagerClient;
  stop(): Promise<void>;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const botToken = `xoxb-sandbox-${randomBytes(8).toString('hex')}`;
  const appToken = `xapp-sandbox-${randomBytes(8).toString('hex')}`;
  const signingSecret = randomBytes(16).toString('hex');
  const atlasKey = { publicKey: 'sandboxpub', privateKey: options.atlasPrivateKey ?? randomBytes(12).toString('hex') };
  const awsSecretKey = randomBytes(16).toString('hex');

  const slack = await SlackEmulator.start({ botToken, appToken, teamId: WORLD.team, ...(options.triggerTtlMs ? { triggerTtlMs: options.triggerTtlMs } : {}) });
  const atlas = await AtlasEmulator.start({ ...options.atlas, keys: [atlasKey] });
  const secrets = await SecretsManagerEmulator.start({ credentials: { accessKeyId: WORLD.awsAccessKeyId, secretAccessKey: awsSecretKey } });
  atlas.addProject(WORLD.projectId, { instances: [WORLD.instance], awsIamRoles: [{ iamAssumedRoleArn: WORLD.s3Role }] });
  // A stopped processor reading Atlas's sample data and posting to `orders-api`: an edit that
  // replaces `orders-api` lists it (tests start it with atlas.setStreamProcessor).
  atlas.setStreamProcessor(WORLD.projectId, WORLD.instance, {
    name: WORLD.processor,
    state: 'STOPPED',
    pipeline: [{ $source: { connectionName: 'sample_stream_solar' } }, { $https: { connectionName: 'orders-api', path: '/v1/solar', method: 'POST' } }, { $merge: { into: { connectionName: 'atlas-cluster', db: 'solar', coll: 'orders' } } }],
  });
  secrets.putSecret(WORLD.apiKeySecret, JSON.stringify(atlasKey));

  const raw: Record<string, unknown> = {
    atlas: { baseUrl: atlas.url, apiKeySecret: WORLD.apiKeySecret, requestTimeout: '5s' },
    targets: [
      {
        name: 'sandbox',
        projectId: WORLD.projectId,
        instance: WORLD.instance,
        owners: [WORLD.owner, WORLD.owner2],
        allowSelfApproval: false,
      },
    ],
  };
  options.configPatch?.(raw);
  const config = parseConfig(raw, 'sandbox');

  return {
    slack,
    atlas,
    secrets,
    config,
    botToken,
    appToken,
    signingSecret,
    atlasKey,
    rawConfig: raw,
    aws: { accessKeyId: WORLD.awsAccessKeyId, secretAccessKey: awsSecretKey },
    secretsManagerClient: () =>
      new SecretsManagerClient({
        region: 'us-east-1',
        endpoint: secrets.url,
        credentials: { accessKeyId: WORLD.awsAccessKeyId, secretAccessKey: awsSecretKey },
        maxAttempts: 2,
      }),
    async stop() {
      await Promise.all([slack.stop(), atlas.stop(), secrets.stop()]);
    },
  };
}
