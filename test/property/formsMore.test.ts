// Property tests of the Cluster, Sample, Azure Blob Storage and Pub/Sub forms, with Atlas's official
// schemas (and the emulator's rules of the project) as the oracle: any input ends in precise errors
// on the type's own blocks, or in a body Atlas accepts; what the app's Atlas checks let through, the
// emulated Atlas accepts too, and what they refuse, it refuses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterSummary } from '../../src/atlas/clusters.js';
import { AZURE_ACTIONS, AZURE_BLOCKS } from '../../src/connections/azureBlob.js';
import { BUILT_IN_ROLES, CLUSTER_ACTIONS, CLUSTER_BLOCKS } from '../../src/connections/cluster.js';
import { connectionType } from '../../src/connections/index.js';
import { PUBSUB_ACTIONS, PUBSUB_BLOCKS } from '../../src/connections/pubsub.js';
import { SAMPLE_ACTIONS, SAMPLE_BLOCKS, SAMPLE_DATA_SETS } from '../../src/connections/sample.js';
import type { AtlasLookups } from '../../src/connections/types.js';
import { connectionNameError } from '../../src/modals/createModal.js';
import type { ViewStateValues } from '../../src/modals/viewState.js';
import { connectionRuleProblem, type ProjectFacts } from '../../src/sandbox/atlas/rules.js';
import { CONNECTION_TYPES as ATLAS_SCHEMAS, schemaProblem } from '../../src/sandbox/atlas/schemaValidation.js';
import { checkEveryForm, external, select, text } from '../support/formProperties.js';

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', 'x'.repeat(5000), 'a b', '../x', '\u0000', '🙂', 'BUILT_IN:', 'CUSTOM:a b', 'BUILT_IN:root', 'CUSTOM:', '<!channel>', 'x@y.iam.gserviceaccount.com'),
);
const maybe = fc.option(hostile, { nil: null });

const PRINCIPAL = '6f8f4b3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const READY_ACCOUNT = 'mongodb-atlas-a1b2c3d4e5f6a7b8@p-0123456789abcdef01234567.iam.gserviceaccount.com';
const BUSY_ACCOUNT = 'mongodb-atlas-0000000000000000@p-0123456789abcdef01234567.iam.gserviceaccount.com';
const CLUSTERS: ClusterSummary[] = [
  { name: 'Cluster0', state: 'IDLE', paused: false },
  { name: 'analytics', state: 'IDLE', paused: true },
  { name: 'legacy', state: 'DELETING', paused: false },
];
const CUSTOM_ROLES = ['ordersWriter'];

const lookups: AtlasLookups = {
  authorisedRoles: () => Promise.resolve([]),
  clusters: () => Promise.resolve(CLUSTERS),
  customRoles: () => Promise.resolve(CUSTOM_ROLES),
  azureServicePrincipals: () => Promise.resolve([{ servicePrincipalId: PRINCIPAL }]),
  gcpServiceAccounts: () => Promise.resolve([{ email: READY_ACCOUNT, status: 'COMPLETE' }, { email: BUSY_ACCOUNT, status: 'IN_PROGRESS' }]),
};
const facts: ProjectFacts = {
  authorisedRoleArns: new Set(),
  knownRoleArns: new Set(),
  privateLinkIds: new Set(),
  azureServicePrincipalIds: new Set([PRINCIPAL]),
  gcpServiceAccounts: new Map([
    [READY_ACCOUNT, 'COMPLETE'],
    [BUSY_ACCOUNT, 'IN_PROGRESS'],
  ]),
};

const clusterName = fc.oneof(fc.constantFrom('Cluster0', 'analytics', 'legacy'), fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,20}$/));
const role = fc.oneof(
  fc.constantFrom(...BUILT_IN_ROLES).map((r) => `BUILT_IN:${r}`),
  fc.constantFrom('ordersWriter', 'ghost_role').map((r) => `CUSTOM:${r}`),
);
const uuid = fc.uuid();

const formValues: Record<string, fc.Arbitrary<ViewStateValues>> = {
  cluster: fc
    .oneof(
      fc.record({ cluster: maybe, group: maybe, role: maybe }),
      fc.record({
        cluster: clusterName as fc.Arbitrary<string | null>,
        group: fc.option(fc.stringMatching(/^[a-f0-9]{24}$/), { nil: null }),
        role: role as fc.Arbitrary<string | null>,
      }),
    )
    .map((v) => ({
      [CLUSTER_BLOCKS.cluster]: { [CLUSTER_ACTIONS.cluster]: external(v.cluster) },
      [CLUSTER_BLOCKS.groupId]: { [CLUSTER_ACTIONS.groupId]: text(v.group) },
      [CLUSTER_BLOCKS.role]: { [CLUSTER_ACTIONS.role]: external(v.role) },
    })),
  sample: fc.oneof(maybe, fc.constantFrom(...SAMPLE_DATA_SETS.map((d) => d.name))).map((d) => ({ [SAMPLE_BLOCKS.dataset]: { [SAMPLE_ACTIONS.dataset]: select(d) } })),
  azureblob: fc
    .oneof(
      fc.record({ principal: maybe, account: maybe }),
      fc.record({
        principal: fc.oneof(fc.constant(PRINCIPAL), uuid) as fc.Arbitrary<string | null>,
        account: fc.stringMatching(/^[a-z0-9]{3,24}$/) as fc.Arbitrary<string | null>,
      }),
    )
    .map((v) => ({
      [AZURE_BLOCKS.principal]: { [AZURE_ACTIONS.principal]: external(v.principal) },
      [AZURE_BLOCKS.storageAccount]: { [AZURE_ACTIONS.storageAccount]: text(v.account) },
    })),
  pubsub: fc
    .oneof(maybe, fc.constantFrom(READY_ACCOUNT, BUSY_ACCOUNT, 'stranger-account@other-project-1.iam.gserviceaccount.com'))
    .map((a) => ({ [PUBSUB_BLOCKS.serviceAccount]: { [PUBSUB_ACTIONS.serviceAccount]: external(a) } })),
};

describe.each(Object.keys(formValues))('the %s form', (id) => {
  const type = connectionType(id)!;

  it('answers any input with errors on its own blocks, or a body the official schema accepts; its Atlas checks agree with Atlas', async () => {
    const outcomes = { sent: 0, checkedOut: 0 };
    const { refused } = await checkEveryForm(type, formValues[id]!, id === 'sample' ? 300 : 1200, async (form, own) => {
      const name = type.namedBy ? type.namedBy.name(form) : 'valid-name';
      expect(connectionNameError(name)).toBeUndefined();
      const body = type.atlasBody(name, form);
      expect(body.type).toBe(type.atlasType);
      expect(schemaProblem(ATLAS_SCHEMAS[body.type]!, body)).toBeUndefined();
      const checks = (await type.checkWithAtlas?.(form, lookups)) ?? {};
      for (const block of Object.keys(checks)) expect(own.has(block)).toBe(true);
      if (Object.keys(checks).length === 0) {
        outcomes.sent++;
        expect(connectionRuleProblem(body, facts)).toBeUndefined();
      } else {
        outcomes.checkedOut++;
        // What the app refuses before the ack, Atlas would refuse (Cluster state and roles are the app's own care).
        if (id === 'azureblob' || id === 'pubsub') expect(connectionRuleProblem(body, facts)).toBeDefined();
      }
    });
    expect(refused).toBeGreaterThan(50);
    expect(outcomes.sent).toBeGreaterThan(50);
    if (id !== 'sample') expect(outcomes.checkedOut).toBeGreaterThan(20);
  });
});

describe('list and show of the new types', () => {
  it('escape whatever Atlas returns before it enters mrkdwn', () => {
    fc.assert(
      fc.property(hostile, (evil) => {
        const connections = [
          { name: evil, type: 'Cluster', clusterName: evil, clusterGroupId: evil, dbRoleToExecute: { role: evil, type: evil } },
          { name: evil, type: 'Cluster', clusterName: evil, dbRoleToExecute: { role: evil, type: 'CUSTOM' } },
          { name: evil, type: 'Sample' },
          { name: evil, type: 'AzureBlobStorage', azure: { servicePrincipalId: evil, storageAccountName: evil } },
          { name: evil, type: 'GCPPubSub', gcp: { serviceAccountId: evil } },
        ];
        for (const id of Object.keys(formValues)) {
          for (const c of connections) {
            const text = JSON.stringify(connectionType(id)!.describe(c));
            expect(text).not.toMatch(/[<>]/);
            expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
