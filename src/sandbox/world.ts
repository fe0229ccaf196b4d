// A whole emulated world for spconn: Slack, Atlas and Secrets Manager on 127.0.0.1, seeded with
// one project, one instance, an API key in Secrets Manager and a config that points at them.
// The sandbox runs it for people to try spconn; the end-to-end tests run it too.
import { randomBytes } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseConfig, type Config } from '../config/file.js';
import { AtlasEmulator, type AtlasEmulatorOptions, type ProjectSpec } from './atlasEmulator.js';
import { SecretsManagerEmulator } from './secretsManagerEmulator.js';
import { SlackEmulator } from './slackEmulator.js';

export const WORLD = {
  team: 'T0SPCONN1',
  channel: 'C0PLATFORM1',
  requester: 'U0REQUEST1',
  owner: 'U0OWNER001',
  owner2: 'U0OWNER002',
  stranger: 'U0STRANGE1',
  /** Whom the sandbox escalates to (`escalateTo`) once a request waits past `approvals.escalateAfter`. */
  lead: 'U0LEAD0001',
  projectId: '8358217d3abb5c76c3434648',
  instance: 'spinstance',
  apiKeySecret: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spconn/atlas',
  serviceAccountSecret: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spconn/atlas-sa',
  awsAccessKeyId: 'AKIDSPCONNSANDBOX',
  s3Role: 'arn:aws:iam::123456789012:role/atlas-s3-writer',
  cluster: 'Cluster0',
  customRole: 'ordersWriter',
  azurePrincipal: '6f8f4b3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  gcpServiceAccount: 'mongodb-atlas-a1b2c3d4e5f6a7b8@p-0123456789abcdef01234567.iam.gserviceaccount.com',
} as const;

/** The seeded project's clusters, custom roles, Azure and GCP principals (for the Cluster, Azure Blob and Pub/Sub forms). */
export const WORLD_PROJECT_EXTRAS = {
  clusters: [
    { name: WORLD.cluster },
    { name: 'analytics', paused: true },
    { name: 'legacy', stateName: 'DELETING' },
    { name: 'reporting', stateName: 'CREATING', clusterType: 'SHARDED' },
  ],
  customDbRoles: [WORLD.customRole],
  azureServicePrincipals: [{ servicePrincipalId: WORLD.azurePrincipal }],
  gcpServiceAccounts: [
    { gcpServiceAccountForAtlas: WORLD.gcpServiceAccount },
    { gcpServiceAccountForAtlas: 'mongodb-atlas-0000000000000000@p-0123456789abcdef01234567.iam.gserviceaccount.com', status: 'IN_PROGRESS' },
  ],
} satisfies Omit<ProjectSpec, 'instances' | 'awsIamRoles' | 'awsAccountId'>;

export interface WorldOptions {
  /** Extra config on top of the seeded target (e.g. approvals.expireAfter). */
  configPatch?: (raw: Record<string, unknown>) => void;
  atlasPrivateKey?: string;
  /** The service account's client secret (default random), e.g. a canary. */
  serviceAccountSecret?: string;
  /** How the seeded target reaches Atlas (default an API key; both are seeded in Secrets Manager). */
  auth?: 'apiKey' | 'serviceAccount';
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
  /** The seeded service account (`WORLD.serviceAccountSecret` in Secrets Manager). */
  serviceAccount: { clientId: string; clientSecret: string };
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
  const serviceAccount = { clientId: 'mdb_sa_id_sandbox0001', clientSecret: options.serviceAccountSecret ?? `mdb_sa_sk_${randomBytes(16).toString('hex')}` };

  const slack = await SlackEmulator.start({ botToken, appToken, teamId: WORLD.team, ...(options.triggerTtlMs ? { triggerTtlMs: options.triggerTtlMs } : {}) });
  const atlas = await AtlasEmulator.start({ ...options.atlas, keys: [atlasKey], serviceAccounts: [serviceAccount] });
  const secrets = await SecretsManagerEmulator.start({ credentials: { accessKeyId: WORLD.awsAccessKeyId, secretAccessKey: awsSecretKey } });
  atlas.addProject(WORLD.projectId, { instances: [WORLD.instance], awsIamRoles: [{ iamAssumedRoleArn: WORLD.s3Role }], ...WORLD_PROJECT_EXTRAS });
  secrets.putSecret(WORLD.apiKeySecret, JSON.stringify(atlasKey));
  secrets.putSecret(WORLD.serviceAccountSecret, JSON.stringify(serviceAccount));

  const raw: Record<string, unknown> = {
    atlas: { baseUrl: atlas.url, ...(options.auth === 'serviceAccount' ? { serviceAccountSecret: WORLD.serviceAccountSecret } : { apiKeySecret: WORLD.apiKeySecret }), requestTimeout: '5s' },
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
    serviceAccount,
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
