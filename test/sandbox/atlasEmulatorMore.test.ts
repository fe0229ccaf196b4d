// The emulated Atlas serves what the Cluster, Azure Blob and Pub/Sub forms look up (clusters in
// their three dated versions, custom DB roles, Azure and GCP entries of cloudProviderAccess), read
// through spconn's own client modules, and checks the new types' bodies against the official
// schema and the project's cloud principals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AtlasClient } from '../../src/atlas/client.js';
import { cloudPrincipals } from '../../src/atlas/cloudPrincipals.js';
import { listClusters } from '../../src/atlas/clusters.js';
import { listCustomDbRoles } from '../../src/atlas/customDbRoles.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { createConnection } from '../../src/atlas/streams.js';
import { createLogger } from '../../src/log.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';

let world: World;
let atlas: AtlasClient;
const logger = createLogger({ level: 'silent' });
const at = { projectId: WORLD.projectId, instance: WORLD.instance };

beforeAll(async () => {
  world = await startWorld();
  atlas = new AtlasClient({
    baseUrl: world.atlas.url,
    apiKeySecret: WORLD.apiKeySecret,
    secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger }),
    logger,
    timeoutMs: 5_000,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  await world.stop();
});

async function refusal(body: Record<string, unknown>): Promise<AtlasApiError> {
  const error = await createConnection(atlas, at, body as { name: string; type: string }, []).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AtlasApiError);
  return error as AtlasApiError;
}

describe('clusters', () => {
  it('lists the seeded clusters with their state, paused and deleting ones included', async () => {
    expect(await listClusters(atlas, WORLD.projectId)).toEqual([
      { name: 'Cluster0', state: 'IDLE', paused: false, clusterType: 'REPLICASET' },
      { name: 'analytics', state: 'IDLE', paused: true, clusterType: 'REPLICASET' },
      { name: 'legacy', state: 'DELETING', paused: false, clusterType: 'REPLICASET' },
      { name: 'reporting', state: 'CREATING', paused: false, clusterType: 'SHARDED' },
    ]);
    expect(world.atlas.calls.at(-1)!.query).toMatchObject({ itemsPerPage: '500', pageNum: '1' });
  });

  it('answers in each of its three dated versions and refuses others', async () => {
    for (const version of ['2024-08-05', '2023-02-01', '2023-01-01']) {
      const page = await atlas.call({
        operation: 'list clusters',
        method: 'GET',
        path: `/groups/${WORLD.projectId}/clusters`,
        version,
        response: z.looseObject({ results: z.array(z.looseObject({ name: z.string(), stateName: z.string(), paused: z.boolean(), clusterType: z.string() })), totalCount: z.number() }),
      });
      expect(page.results.map((c) => c.name)).toContain('Cluster0');
      expect(page.totalCount).toBe(4);
    }
    const old = await atlas
      .call({ operation: 'list clusters', method: 'GET', path: `/groups/${WORLD.projectId}/clusters`, version: '2022-01-01', response: z.unknown() })
      .catch((e: unknown) => e);
    expect(old).toMatchObject({ status: 406 });
  });

  it('shows a state change made in Atlas', async () => {
    world.atlas.setClusterState(WORLD.projectId, 'reporting', { stateName: 'IDLE' });
    expect((await listClusters(atlas, WORLD.projectId)).find((c) => c.name === 'reporting')).toMatchObject({ state: 'IDLE', paused: false });
  });
});

describe('custom roles and cloud principals', () => {
  it("lists the project's custom DB roles (a plain array, not a page)", async () => {
    expect(await listCustomDbRoles(atlas, WORLD.projectId)).toEqual([WORLD.customRole]);
  });

  it('lists Azure service principals and GCP service accounts in the shapes of the spec', async () => {
    const raw = await atlas.call({ operation: 'cpa', method: 'GET', path: `/groups/${WORLD.projectId}/cloudProviderAccess`, version: '2023-01-01', response: z.looseObject({}) });
    expect(raw.azureServicePrincipals).toEqual([
      expect.objectContaining({ providerName: 'AZURE', _id: expect.stringMatching(/^[a-f0-9]{24}$/), servicePrincipalId: WORLD.azurePrincipal, tenantId: expect.any(String), atlasAzureAppId: expect.any(String) }),
    ]);
    expect(raw.gcpServiceAccounts).toEqual([
      expect.objectContaining({ providerName: 'GCP', roleId: expect.stringMatching(/^[a-f0-9]{24}$/), gcpServiceAccountForAtlas: WORLD.gcpServiceAccount, status: 'COMPLETE' }),
      expect.objectContaining({ providerName: 'GCP', gcpServiceAccountForAtlas: expect.stringMatching(/^mongodb-atlas-[0-9a-z]{16}@p-[0-9a-z]{24}.iam.gserviceaccount.com$/), status: 'IN_PROGRESS' }),
    ]);
    expect(raw.awsIamRoles).toEqual([expect.objectContaining({ iamAssumedRoleArn: WORLD.s3Role })]);
    const principals = await cloudPrincipals(atlas, WORLD.projectId);
    expect(principals.azure.map((p) => p.servicePrincipalId)).toEqual([WORLD.azurePrincipal]);
    expect(principals.gcp.map((a) => a.status)).toEqual(['COMPLETE', 'IN_PROGRESS']);
  });
});

describe('bodies of the new types', () => {
  it('accepts each type exactly as the schema says', async () => {
    const bodies = [
      { name: 'cdc', type: 'Cluster', clusterName: 'Cluster0', dbRoleToExecute: { role: 'readWrite', type: 'BUILT_IN' } },
      { name: 'sample_stream_solar', type: 'Sample' },
      { name: 'blob', type: 'AzureBlobStorage', azure: { servicePrincipalId: WORLD.azurePrincipal, storageAccountName: 'ordersarchive' }, publicPrivateNetworking: { access: { type: 'PUBLIC' } } },
      { name: 'ps', type: 'GCPPubSub', gcp: { serviceAccountId: WORLD.gcpServiceAccount }, publicPrivateNetworking: { access: { type: 'PUBLIC' } } },
    ];
    for (const body of bodies) expect(await createConnection(atlas, at, body, [])).toMatchObject({ name: body.name, type: body.type, state: 'READY' });
  });

  it('refuses what the schema or the project does not allow, naming the attribute', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'c1', type: 'Cluster', dbRoleToExecute: { role: 'read', type: 'BUILT_IN' } }, /clusterName/],
      [{ name: 'c2', type: 'Cluster', clusterName: 'Cluster0', dbRoleToExecute: { role: 'read', type: 'ROOT' } }, /dbRoleToExecute.type/],
      [{ name: 'c3', type: 'Cluster', clusterName: 'Cluster0', database: 'x' }, /database/],
      [{ name: 's1', type: 'Sample', url: 'https://x.example' }, /url/],
      [{ name: 'sample_stream_lunar', type: 'Sample' }, /name.*not a sample data set/],
      [{ name: 'a1', type: 'AzureBlobStorage', azure: { servicePrincipalId: '11111111-2222-4333-8444-555555555555', storageAccountName: 'x123' } }, /azure.servicePrincipalId/],
      [{ name: 'a2', type: 'AzureBlobStorage', azure: { servicePrincipalId: WORLD.azurePrincipal, storageAccountName: 'Not_Valid' } }, /azure.storageAccountName/],
      [{ name: 'g1', type: 'GCPPubSub', gcp: { serviceAccountId: 'mongodb-atlas-0000000000000000@p-0123456789abcdef01234567.iam.gserviceaccount.com' } }, /not provisioned yet \(IN_PROGRESS\)/],
      [{ name: 'g2', type: 'GCPPubSub', gcp: { serviceAccountId: WORLD.gcpServiceAccount }, publicPrivateNetworking: { access: { type: 'VPC' } } }, /publicPrivateNetworking.access.type/],
      [{ name: 'g3', type: 'GCPPubSub', gcp: { serviceAccountId: WORLD.gcpServiceAccount }, publicPrivateNetworking: { access: { type: 'PRIVATE_LINK', connectionId: 'aaaaaaaaaaaaaaaaaaaaaaaa' } } }, /not a Private Link connection/],
    ];
    for (const [body, detail] of cases) {
      const error = await refusal(body);
      expect(error.status).toBe(400);
      expect(error.errorCode).toBe('INVALID_ATTRIBUTE');
      expect(error.message).toMatch(detail);
    }
  });
});
