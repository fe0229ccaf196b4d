// Many waiting setups of one project cost one list call per poll, not one call each; a link the
// list does not show is read alone, and a failed list does not poison the next poll.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { AtlasClient } from '../../src/atlas/client.js';
import { createLogger } from '../../src/log.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';
import { perform, type EffectContext } from '../../src/workflows/privateLinkEffects.js';
import { initialState, type PlState } from '../../src/workflows/privateLinkMachine.js';
import { SharedPoller } from '../../src/workflows/sharedPoller.js';

let world: World;
let atlas: AtlasClient;
const logger = createLogger({ level: 'silent' });
const at = { projectId: WORLD.projectId, instance: WORLD.instance };
const LINKS = Array.from({ length: 60 }, (_, i) => `65a1b2c3d4e5f60718${String(i).padStart(6, '0')}`);

beforeAll(async () => {
  // Links that stay as set: the test reads states, it does not provision them.
  world = await startWorld({ atlas: { privateLinkReadyAfterPolls: -1 } });
  for (const [i, _id] of LINKS.entries()) world.atlas.privateLinks(at.projectId).push({ _id, provider: 'AWS', vendor: 'CONFLUENT', state: i % 2 ? 'DONE' : 'FAILED' } as ReturnType<World['atlas']['privateLinks']>[number]);
  atlas = new AtlasClient({ baseUrl: world.atlas.url, apiKeySecret: WORLD.apiKeySecret, secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger }), logger, timeoutMs: 5_000, maxAttempts: 1 });
});
afterAll(async () => {
  await world.stop();
});
beforeEach(() => {
  world.atlas.clearFaults();
});

const lists = () => world.atlas.calls.filter((c) => c.authenticated && c.operation === 'listPrivateLinks').length;
const gets = () => world.atlas.calls.filter((c) => c.authenticated && c.operation === 'getPrivateLink').length;
const plan = { clusterKind: 'serverless' as const, region: 'us-east-1', atlasRegion: 'US_EAST_1', serviceEndpointId: 'com.amazonaws.vpce.us-east-1.vpce-svc-0000000000000000f', dnsDomain: 'x.us-east-1.aws.confluent.cloud', dnsSubDomain: [] };
/** A setup in its second poll (it polled 30 s ago), in a step begun long ago. */
const waiting = (linkId: string): PlState => ({ ...initialState(plan), step: 'await_link', linkId, attempt: 1, waitingSince: new Date(0).toISOString() });

function context(poller: SharedPoller, now = Date.now): EffectContext {
  const body = { name: 'unused', type: 'Kafka' };
  return { atlas, at, body: body as unknown as EffectContext['body'], secretValues: [], shared: { poller, timing: { pollMinMs: 30_000, pollMaxMs: 300_000 }, now } };
}

it('serves 60 setups polling at once with one list call, each seeing its own link', async () => {
  const poller = new SharedPoller();
  const before = { lists: lists(), gets: gets() };
  const outcomes = await Promise.all(LINKS.map((linkId) => perform({ kind: 'poll_link', linkId }, waiting(linkId), context(poller))));
  expect(lists() - before.lists).toBe(1);
  expect(gets() - before.gets).toBe(0);
  expect(outcomes.map((o) => (o?.kind === 'link_state' ? o.state : o?.kind))).toEqual(LINKS.map((_, i) => (i % 2 ? 'DONE' : 'FAILED')));
});

it('lets a later poll take a list made within its freshness, and makes a new one past it', async () => {
  let now = 1_000_000;
  const poller = new SharedPoller(() => now);
  const ctx = context(poller, () => now);
  const before = lists();
  await perform({ kind: 'poll_link', linkId: LINKS[0]! }, waiting(LINKS[0]!), ctx);
  now += 10_000; // since this setup's previous poll (30 s ago): the list just made serves this poll too
  await perform({ kind: 'poll_link', linkId: LINKS[1]! }, waiting(LINKS[1]!), ctx);
  expect(lists() - before).toBe(1);
  now += 40_000;
  await perform({ kind: 'poll_link', linkId: LINKS[1]! }, waiting(LINKS[1]!), ctx);
  expect(lists() - before).toBe(2);
});

it('gathers the polls that arrive while a list is in flight into one next list', async () => {
  const poller = new SharedPoller();
  let release!: () => void;
  world.atlas.injectFault({ method: 'GET', path: /privateLinkConnections$/, status: 200, until: new Promise<void>((r) => (release = r)) });
  const before = lists();
  const first = poller.links(atlas, at.projectId, Date.now());
  await world.atlas.waitFor(() => lists() - before === 1);
  // These ask for a list made after them: the one in flight is too old, so they wait for the next.
  const later = Array.from({ length: 20 }, () => poller.links(atlas, at.projectId, Date.now() + 1));
  release();
  await first;
  await Promise.all(later);
  expect(lists() - before).toBe(2);
});

it('reads a link the list does not show on its own, and reports one Atlas no longer has', async () => {
  const poller = new SharedPoller();
  // A list that lags (or misses) a link: an empty page.
  world.atlas.injectFault({ method: 'GET', path: /privateLinkConnections$/, status: 200, body: { results: [], totalCount: 0, links: [] }, times: 2 });
  const before = gets();
  await expect(perform({ kind: 'poll_link', linkId: LINKS[1]! }, waiting(LINKS[1]!), context(poller))).resolves.toMatchObject({ kind: 'link_state', state: 'DONE' });
  expect(gets() - before).toBe(1);
  const gone = '65a1b2c3d4e5f60718ffffff';
  await expect(perform({ kind: 'poll_link', linkId: gone }, waiting(gone), context(new SharedPoller()))).resolves.toMatchObject({ kind: 'error', message: expect.stringContaining('no longer exists') });
});

it('does not keep a failed list: the next poll makes a new call', async () => {
  const poller = new SharedPoller();
  world.atlas.injectFault({ method: 'GET', path: /privateLinkConnections$/, status: 400, times: 1 });
  await expect(poller.links(atlas, at.projectId, 0)).rejects.toThrow();
  const before = lists();
  await expect(poller.links(atlas, at.projectId, 0)).resolves.toHaveLength(LINKS.length);
  expect(lists() - before).toBe(1);
});
