// Two real app processes on one PostgreSQL share Atlas's rate-limit bucket of the project: a burst
// of approvals split between them runs every request, and the emulator's bucket never answers 429
// (each replica alone believes the whole bucket is its own). Counted in the emulator, not timed.
import { expect, it } from 'vitest';
import { WORLD } from '../../src/sandbox/world.js';
import { requestHttpsThrough, useReplicas } from '../support/processRequests.js';
import { SlackDriver } from '../support/slackDriver.js';

const REQUESTS = 24;
const onPostgres = useReplicas('Shared rate-limit test');

it('two replicas on one PostgreSQL stay under one Atlas bucket together', async ({ skip }) => {
  // A small bucket: 6 calls, 6 more each second. The config says the same refill.
  const { world, replicas } = await onPostgres.start('ratelimits', skip, {
    atlas: { rateLimit: { capacity: 6, refill: 6, periodMs: 1_000 } },
    configPatch: (raw) => {
      (raw.atlas as Record<string, unknown>).pacing = { calls: 6, per: '1s' };
    },
  });
  const [a, b] = await Promise.all([replicas.start(), replicas.start()]);
  const drivers = [a, b].map((app) => new SlackDriver(app.url, world.signingSecret, WORLD.team));
  const { slack, atlas } = world;

  const cards: Array<Awaited<ReturnType<typeof requestHttpsThrough>>> = [];
  for (let i = 0; i < REQUESTS; i++) cards.push(await requestHttpsThrough(world, drivers[i % 2]!, `rl-${i}`));
  // Every approval at once, half through each replica: both send to Atlas's one project together.
  await Promise.all(cards.map((card, i) => drivers[i % 2]!.clickButton(card, 'request_approve', { user: WORLD.owner })));
  const finals = (card: { channel: string; ts: string }) => slack.thread(card.channel, card.ts).filter((m) => /^:(white_check_mark|x): <@/.test(m.text));
  await slack.waitFor(() => cards.every((c) => finals(c).length >= 1), 90_000);

  expect(cards.every((c) => finals(c)[0]!.text.includes('ready to use'))).toBe(true);
  expect(atlas.count('createConnection', { status: 200 })).toBe(REQUESTS);
  const project = atlas.calls.filter((c) => c.authenticated && c.path.includes(`/groups/${WORLD.projectId}/`));
  // More calls than the bucket holds, from both replicas: the limit was really in play.
  expect(project.length).toBeGreaterThan(2 * 6);
  const limited = project.filter((c) => c.status === 429);
  if (limited.length > 0 || process.env.DEBUG_RATELIMITS) {
    const t0 = project[0]!.at;
    console.log(JSON.stringify(project.map((c) => [c.at - t0, c.method, c.status])));
    for (const app of [a, b]) console.log(app.output.filter((l) => /rate-limit|"level":(40|50)/.test(l)).slice(0, 5).join('\n'));
  }
  expect(limited).toEqual([]);
}, 150_000);
