// `/spconn rotate` end to end (README, "Rotating a connection's secrets"): a connection made with a
// secret by reference, a new version put, the ROTATE card listing fields and references (never
// values), the approval, one PATCH with the new value and its siblings from Atlas, the thread,
// and the remembered version brought up to date; `rotation: auto` needs no owner; a connection
// without references is refused precisely. Values never reach Slack, the logs or the database.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cardFor, startStack, state, submitCreateForm, threadTexts, WORLD, type CardMessage, type Stack } from '../support/stack.js';

let stack: Stack;
afterEach(async () => {
  await stack?.stop();
});

const V1 = 'CANARY-rotate-pw-v1-3141';
const V2 = 'CANARY-rotate-pw-v2-2718';

const dbBytes = () => readdirSync(stack.dataDir).map((f) => readFileSync(join(stack.dataDir, f)).toString('latin1')).join('');

const kafka = (password: string) => ({
  connection_name: { name: state.text('events') },
  kafka_bootstrap: { bootstrap_servers: state.text('b-1.kafka.example.com:9092') },
  kafka_protocol: { security_protocol: state.select('SASL_SSL') },
  kafka_mechanism: { sasl_mechanism: state.select('SCRAM-512') },
  kafka_username: { username: state.text('svc-atlas') },
  kafka_password: { password: state.text(password) },
  kafka_certificate: { broker_certificate: state.text(null) },
});

/** Creates Kafka `events` whose password is `secretsmanager:kafka/events#password`, approved and made. */
async function createEvents(): Promise<string> {
  const { secrets, slack } = stack.world;
  const first = secrets.putSecret('kafka/events', JSON.stringify({ password: V1 }));
  expect(await submitCreateForm(stack, 'kafka', kafka('secretsmanager:kafka/events#password'))).toBeUndefined();
  await slack.waitFor(() => cardFor(stack, 'events') !== undefined);
  const card = cardFor(stack, 'events')!;
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));
  await stack.app.requests.idle();
  return first.versionId;
}

function rotateCard(): CardMessage | undefined {
  const m = stack.world.slack.messages.find((msg) => !msg.threadTs && msg.text.startsWith('ROTATE '));
  return m ? { channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks as unknown[] } : undefined;
}

const patches = () => stack.world.atlas.calls.filter((c) => c.operation === 'updateConnection').map((c) => c.body);

function expectNoCanary() {
  for (const canary of [V1, V2]) {
    expect(stack.world.slack.calls.map((c) => c.raw).join('\n')).not.toContain(canary);
    expect(stack.logs.join('\n')).not.toContain(canary);
    expect(dbBytes()).not.toContain(canary);
  }
}

describe('/spconn rotate', () => {
  it('asks the owners on a ROTATE card, then sends one PATCH with the new value and updates the remembered version', async () => {
    stack = await startStack();
    const { secrets, slack } = stack.world;
    const first = await createEvents();
    const refs = () => stack.app.requests.connectionRefs.forConnection('sandbox', 'events');
    expect((await refs()).map((r) => r.versionId)).toEqual([first]);

    const second = secrets.putSecret('kafka/events', JSON.stringify({ password: V2 }));
    const res = await stack.driver.command('rotate events', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    expect(res.status).toBe(200);
    await slack.waitFor(() => rotateCard() !== undefined);
    const card = rotateCard()!;
    expect(card.text).toMatch(/^ROTATE Kafka connection events in sandbox/);
    const cardJson = JSON.stringify(card.blocks);
    expect(cardJson).toContain('authentication.password');
    expect(cardJson).toContain('secretsmanager:kafka/events#password');
    expect(patches()).toHaveLength(0);

    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('is rotated')));
    await stack.app.requests.idle();
    expect(patches()).toEqual([
      { name: 'events', type: 'Kafka', authentication: { mechanism: 'SCRAM-512', username: 'svc-atlas', password: V2 } },
    ]);
    const stored = stack.world.atlas.connections(WORLD.projectId, WORLD.instance).find((c) => c.name === 'events');
    expect(stored).toMatchObject({ bootstrapServers: 'b-1.kafka.example.com:9092', authentication: { password: V2 } });
    expect(await refs()).toEqual([expect.objectContaining({ fieldPath: 'authentication.password', reference: 'secretsmanager:kafka/events#password', versionId: second.versionId })]);
    expectNoCanary();
  });

  it('with rotation: auto, spconn approves it itself (audit-visible) and runs it at once', async () => {
    stack = await startStack({
      configPatch: (raw) => {
        (raw.targets as Array<Record<string, unknown>>)[0]!.rotation = 'auto';
      },
    });
    const { secrets, slack } = stack.world;
    await createEvents();
    secrets.putSecret('kafka/events', JSON.stringify({ password: V2 }));
    await stack.driver.command('rotate events', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    await slack.waitFor(() => rotateCard() !== undefined && threadTexts(stack, rotateCard()!).some((t) => t.includes('is rotated')));
    await stack.app.requests.idle();
    const card = rotateCard()!;
    expect(threadTexts(stack, card).join('\n')).toContain('Approved by spconn itself');
    expect(patches()).toEqual([expect.objectContaining({ authentication: { mechanism: 'SCRAM-512', username: 'svc-atlas', password: V2 } })]);
    const row = (await stack.store.db.selectFrom('request_approvals').selectAll().execute()).filter((r) => r.approver_id === 'spconn');
    expect(row).toHaveLength(1);
    expectNoCanary();
  });

  it('needs the quorum set for rotate (approvalsRequired.rotate), not the one for edit', async () => {
    stack = await startStack({
      configPatch: (raw) => {
        (raw.targets as Array<Record<string, unknown>>)[0]!.approvalsRequired = { rotate: 2 };
      },
    });
    const { secrets, slack } = stack.world;
    await createEvents();
    secrets.putSecret('kafka/events', JSON.stringify({ password: V2 }));
    await stack.driver.command('rotate events', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    await slack.waitFor(() => rotateCard() !== undefined);
    await stack.driver.clickButton(rotateCard()!, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, rotateCard()!).some((t) => /1 of 2/.test(t)));
    expect(patches()).toHaveLength(0);
    // While it waits, a second rotate is refused, pointing at the open one.
    await stack.driver.command('rotate events', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    await slack.waitFor(() => slack.ephemerals.some((e) => e.text.includes('is already open')));
    expect(slack.messages.filter((m) => !m.threadTs && m.text.startsWith('ROTATE '))).toHaveLength(1);
    await stack.driver.clickButton(rotateCard()!, 'request_approve', { user: WORLD.owner2 });
    await slack.waitFor(() => threadTexts(stack, rotateCard()!).some((t) => t.includes('is rotated')));
    await stack.app.requests.idle();
    expect(patches()).toHaveLength(1);
  });

  it('refuses a connection without secrets by reference, saying how to add them', async () => {
    stack = await startStack();
    const { slack } = stack.world;
    await stack.driver.command('rotate solar-feed', { user: WORLD.requester, channel: WORLD.channel, triggerId: slack.issueTriggerId() });
    await slack.waitFor(() => slack.ephemerals.some((e) => e.text.includes('no secrets by reference')));
    const said = slack.ephemerals.find((e) => e.text.includes('no secrets by reference'))!.text;
    expect(said).toBe(
      '`solar-feed` in sandbox has no secrets by reference, so there is nothing to rotate. Give its secret fields as `secretsmanager:<name or ARN>[#key]` with `/spconn edit solar-feed sandbox`; `/spconn rotate` then reads them again.',
    );
    expect(slack.messages.filter((m) => !m.threadTs)).toHaveLength(0);
    expect(stack.world.atlas.count('updateConnection')).toBe(0);
  });
});
