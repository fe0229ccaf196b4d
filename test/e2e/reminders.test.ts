// Reminders and escalation over HTTP, on a clock the test moves: no test waits hours, or at all.
// A pending request mentions its owners again once per `approvals.remindAfter` (across scans on
// several replicas and across a restart), never after it is decided; past
// `approvals.escalateAfter` its target's `escalateTo` are mentioned once and may approve too.
import { afterEach, expect, it } from 'vitest';
import { usePostgres } from '../support/postgres.js';
import { createHttpsRequest, startStack, threadTexts, WORLD, type CardMessage, type Stack } from '../support/stack.js';

const H = 3_600_000;
const LEAD = 'U0LEAD0001';
let stack: Stack;
let offset = 0;
/** The app's clock: real time moved forward by what the test says. */
const clock = () => new Date(Date.now() + offset);
afterEach(async () => {
  offset = 0;
  await stack?.stop();
});

function start(approvals: Record<string, string>, target: Record<string, unknown> = {}) {
  return startStack({
    now: clock,
    configPatch: (raw) => {
      raw.approvals = { ...(raw.approvals as object | undefined), ...approvals };
      Object.assign((raw.targets as Record<string, unknown>[])[0]!, target);
    },
  });
}

/** A request whose card is posted and stored (its owners' mention comes after the card is stored). */
async function request(name: string): Promise<CardMessage> {
  const card = await createHttpsRequest(stack, { name, url: 'https://x.example/hook' });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => /needs an owner/.test(t)));
  return card;
}

const reminders = (card: CardMessage) => threadTexts(stack, card).filter((t) => t.includes('reminder: this request is still waiting'));
const escalations = (card: CardMessage) => threadTexts(stack, card).filter((t) => t.includes('waited past its escalation time'));
const ephemeralsTo = (user: string) => stack.world.slack.ephemerals.filter((e) => e.user === user).map((e) => e.text);

it('reminds the owners once per period, across replicas scanning at once and a restart, and never after a decision', async () => {
  stack = await start({ remindAfter: '4h' });
  const card = await request('remind-me');
  expect(await stack.app.requests.nudges.scan()).toBe(0);

  offset = 4 * H;
  // Two scans at once (as two replicas would run them): one reminder.
  const posted = await Promise.all([stack.app.requests.nudges.scan(), stack.app.requests.nudges.scan()]);
  expect(posted.reduce((a, b) => a + b, 0)).toBe(1);
  expect(reminders(card)).toEqual([
    `:bell: <@${WORLD.owner}> <@${WORLD.owner2}> reminder: this request is still waiting for an owner's decision.`,
  ]);

  // Later in the same period, and after a restart: nothing more.
  offset = 7.9 * H;
  await stack.restart();
  expect(await stack.app.requests.nudges.scan()).toBe(0);
  expect(reminders(card)).toHaveLength(1);

  offset = 8 * H;
  expect(await stack.app.requests.nudges.scan()).toBe(1);
  expect(reminders(card)).toHaveLength(2);

  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
  offset = 40 * H;
  expect(await stack.app.requests.nudges.scan()).toBe(0);
  expect(reminders(card)).toHaveLength(2);
});

it('mentions only the owners who have not approved yet, with the quorum so far', async () => {
  stack = await start({ remindAfter: '4h' }, { approvalsRequired: 2 });
  const card = await request('half-approved');
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('1 of 2 approvals')));
  offset = 4 * H;
  expect(await stack.app.requests.nudges.scan()).toBe(1);
  expect(reminders(card)).toEqual([`:bell: <@${WORLD.owner2}> reminder: this request is still waiting for an owner's decision. It has 1 of 2 approvals.`]);
});

it('lets escalateTo approve only past the delay, mentions them once, and counts their approval toward the quorum', async () => {
  stack = await start({ escalateAfter: '8h', remindAfter: '6h' }, { approvalsRequired: 2, escalateTo: [LEAD] });
  const { slack, atlas } = stack.world;
  const card = await request('escalate-me');
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('1 of 2 approvals')));

  offset = 1 * H;
  await stack.driver.clickButton(card, 'request_approve', { user: LEAD });
  await slack.waitFor(() => ephemeralsTo(LEAD).length === 1);
  expect(ephemeralsTo(LEAD)[0]).toMatch(/This request escalates to you at <!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+> \(approvals\.escalateAfter\); until then only an owner of \*sandbox\* can approve it/);
  expect(await stack.app.requests.nudges.scan()).toBe(0);

  const waitingFor = (user: string) => JSON.stringify(slack.home(user) ?? null);
  await slack.waitFor(() => slack.homes.has(LEAD));
  expect(waitingFor(LEAD)).not.toContain('escalate-me');

  offset = 8 * H;
  expect(await stack.app.requests.nudges.scan()).toBe(2); // the escalation and the first reminder
  // The escalation republishes the Home of the people it reaches: the request waits for them there.
  await slack.waitFor(() => waitingFor(LEAD).includes('escalate-me'));
  expect(waitingFor(LEAD)).toContain('Waiting for your approval');
  expect(await stack.app.requests.nudges.scan()).toBe(0);
  expect(escalations(card)).toEqual([`:rotating_light: <@${LEAD}> this request for *sandbox* has waited past its escalation time; you may now approve or reject it as its owners can.`]);
  // The reminder past the escalation mentions the people it escalated to, too.
  expect(reminders(card)[0]).toContain(`<@${WORLD.owner2}> <@${LEAD}>`);

  await stack.driver.clickButton(card, 'request_approve', { user: LEAD });
  await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
  await stack.app.requests.idle();
  expect(atlas.count('createConnection')).toBe(1);
  expect(threadTexts(stack, card).some((t) => t.includes(`Approved by <@${WORLD.owner}>, <@${LEAD}> (2 of 2 approvals)`))).toBe(true);
});

it('escalates to a user group: mentions the group, and its members may approve past the delay', async () => {
  stack = await start({ escalateAfter: '2h' }, { escalateTo: 'S0LEADS01' });
  const { slack, atlas } = stack.world;
  slack.setUsergroup('S0LEADS01', ['U0LEAD0002']);
  const card = await request('group-escalation');
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.stranger });
  await slack.waitFor(() => ephemeralsTo(WORLD.stranger).length === 1);
  expect(ephemeralsTo(WORLD.stranger)[0]).toMatch(/Only an owner of \*sandbox\*/);

  offset = 2 * H;
  expect(await stack.app.requests.nudges.scan()).toBe(1);
  expect(escalations(card)[0]).toContain('<!subteam^S0LEADS01>');
  await stack.driver.clickButton(card, 'request_approve', { user: 'U0LEAD0002' });
  await slack.waitFor(() => threadTexts(stack, card).some((t) => /is created in/.test(t)));
  expect(atlas.count('createConnection')).toBe(1);
});

it('posts nothing for a request rejected before its reminder or escalation', async () => {
  stack = await start({ remindAfter: '1h', escalateAfter: '1h' }, { escalateTo: [LEAD] });
  const card = await request('decided-early');
  await stack.driver.clickButton(card, 'request_cancel', { user: WORLD.requester });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => /Cancelled/.test(t)));
  offset = 5 * H;
  expect(await stack.app.requests.nudges.scan()).toBe(0);
  expect([...reminders(card), ...escalations(card)]).toEqual([]);
});

const pg = usePostgres();

it('posts one reminder when two replicas on one PostgreSQL scan at the same moment', async ({ skip }) => {
  const databaseUrl = await pg.database(`nudges_${Date.now()}`, skip);
  const replica = (): Promise<Stack> =>
    startStack({ now: clock, databaseUrl, configPatch: (raw) => void (raw.approvals = { ...(raw.approvals as object | undefined), remindAfter: '4h' }) });
  stack = await replica();
  const other = await replica();
  try {
    await request('two-replicas');
    offset = 4 * H;
    const posted = await Promise.all([stack.app.requests.nudges.scan(), other.app.requests.nudges.scan()]);
    expect(posted.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await stack.store.db.selectFrom('request_nudges').select(['kind', 'period']).execute()).toEqual([{ kind: 'remind', period: 1 }]);
  } finally {
    await other.stop();
  }
});
