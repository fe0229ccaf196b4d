// The Private Link connection step is safe to run again: when an earlier try created the connection
// after this try looked for it (Atlas answers 404 for a moment after a create), Atlas's "already
// exists" is checked against the link instead of failing the setup.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AtlasClient } from '../../src/atlas/client.js';
import { createLogger } from '../../src/log.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';
import { perform, type EffectContext } from '../../src/workflows/privateLinkEffects.js';
import type { PlState } from '../../src/workflows/privateLinkMachine.js';

let world: World;
const logger = createLogger({ level: 'silent' });
const OURS = '65a1b2c3d4e5f60718293a4b';
const THEIRS = '65a1b2c3d4e5f60718293fff';
const at = { projectId: WORLD.projectId, instance: WORLD.instance };

beforeAll(async () => {
  world = await startWorld();
  // Both links exist in the project, as they would by this step.
  for (const _id of [OURS, THEIRS]) world.atlas.privateLinks(at.projectId).push({ _id, provider: 'AWS', vendor: 'CONFLUENT', state: 'DONE' } as ReturnType<World['atlas']['privateLinks']>[number]);
});
afterAll(async () => {
  await world.stop();
});

function context(name: string): EffectContext {
  const atlas = new AtlasClient({ baseUrl: world.atlas.url, apiKeySecret: WORLD.apiKeySecret, secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger }), logger, timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 20 });
  const body = { name, type: 'Kafka', bootstrapServers: 'lkc-abc.example.confluent.cloud:9092', security: { protocol: 'SASL_SSL' }, authentication: { mechanism: 'PLAIN', username: 'KEY', password: 'fake-secret-value' } };
  return { atlas, at, body: body as unknown as EffectContext['body'], secretValues: ['fake-secret-value'] };
}
// The connection step reads nothing of the setup's state but the action.
const state = {} as PlState;

function seed(name: string, linkId: string) {
  world.atlas.connections(at.projectId, at.instance).push({ name, type: 'Kafka', state: 'READY', networking: { access: { type: 'PRIVATE_LINK', connectionId: linkId } } });
  // The look before the create meets the moment the new connection still answers 404.
  world.atlas.injectFault({ method: 'GET', path: `/connections/${name}`, status: 404, times: 1 });
}

it('takes a connection an earlier try created on this link as this step\'s own', async () => {
  seed('pl-race', OURS);
  await expect(perform({ kind: 'create_connection', linkId: OURS }, state, context('pl-race'))).resolves.toEqual({ kind: 'connection_state', state: 'READY' });
  expect(world.atlas.connections(at.projectId, at.instance).filter((c) => c.name === 'pl-race')).toHaveLength(1);
});

it('still refuses a name a connection on another link holds', async () => {
  seed('pl-taken', THEIRS);
  const outcome = await perform({ kind: 'create_connection', linkId: OURS }, state, context('pl-taken'));
  expect(outcome).toMatchObject({ kind: 'error', message: expect.stringContaining('does not use this Private Link') });
});
