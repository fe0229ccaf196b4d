// How a replace ends when it cannot finish: a processor STARTED after the approval stops it before
// anything changes; a create Atlas refuses after the delete is told as exactly what exists now.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardFor, startStack, state, threadTexts, WORLD, type Stack } from '../support/stack.js';
import type { ViewStateValues } from '../support/slackDriver.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
  stack.world.atlas.connections(WORLD.projectId, WORLD.instance).push({ id: '65a000000000000000000004', state: 'READY', name: 'orders-api', type: 'Https', url: 'https://api.example.com/v1/orders' });
});
afterEach(async () => {
  await stack?.stop();
});

const kafkaValues: ViewStateValues = {
  target: { target: state.select('sandbox') },
  edit_connection_type: { edit_connection_type_picked: state.select('kafka') },
  kafka_bootstrap: { bootstrap_servers: state.text('b-1.kafka.example.com:9092') },
  kafka_protocol: { security_protocol: state.select('SASL_SSL') },
  kafka_mechanism: { sasl_mechanism: state.select('PLAIN') },
  kafka_username: { username: state.text('svc-atlas') },
  kafka_password: { password: state.text('CANARY-outcome-pw-808') },
  kafka_certificate: { broker_certificate: state.text(null) },
};

/** `/spconn edit orders-api` submitted as Kafka: a REPLACE card, waiting for an owner. */
async function replaceCard() {
  const { slack } = stack.world;
  const triggerId = slack.issueTriggerId();
  await stack.driver.command('edit orders-api', { user: WORLD.requester, channel: WORLD.channel, triggerId });
  await slack.waitFor(() => [...slack.views.values()].some((v) => v.triggerId === triggerId && v.updates > 0));
  const v = [...slack.views.values()].find((x) => x.triggerId === triggerId)!;
  const view = { ...v.view, id: v.id, hash: v.hash, blocks: v.view.blocks as unknown[], private_metadata: String(v.view.private_metadata ?? ''), callback_id: String(v.view.callback_id ?? '') };
  expect((await stack.driver.submitView(view, kafkaValues, { user: WORLD.requester })).json()).toBeUndefined();
  await slack.waitFor(() => cardFor(stack, 'orders-api') !== undefined);
  const card = cardFor(stack, 'orders-api')!;
  expect(card.text).toMatch(/^REPLACE Kafka connection orders-api/);
  // Approving a replace deletes the connection first: the button asks before it does.
  const approve = (card.blocks as Array<{ type: string; elements?: Array<{ action_id: string; confirm?: { title: { text: string } } }> }>)
    .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
    .find((e) => e.action_id === 'request_approve');
  expect(approve?.confirm?.title.text).toBe('Replace this connection?');
  return card;
}

describe('a replace that cannot finish', () => {
  it('changes nothing when a processor that uses the connection was STARTED after the request, and names it', async () => {
    const { slack, atlas } = stack.world;
    const card = await replaceCard();
    const processor = atlas.processors(WORLD.projectId, WORLD.instance)[0]!;
    atlas.setStreamProcessor(WORLD.projectId, WORLD.instance, { ...processor, state: 'STARTED' });
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('Nothing was changed')));
    expect(threadTexts(stack, card).join('\n')).toContain('`solar-to-orders` is STARTED');
    expect(atlas.count('deleteConnection')).toBe(0);
    expect(atlas.connections(WORLD.projectId, WORLD.instance)).toEqual([expect.objectContaining({ name: 'orders-api', type: 'Https' })]);
  });

  it('says exactly what exists when Atlas refuses the create after the delete', async () => {
    const { slack, atlas } = stack.world;
    const card = await replaceCard();
    atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 400, body: { error: 400, errorCode: 'INVALID_ATTRIBUTE', detail: 'Invalid attribute bootstrapServers specified.', reason: 'Bad Request' } });
    await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
    await slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('half-way')));
    const told = threadTexts(stack, card).join('\n');
    expect(told).toMatch(/the old connection `orders-api` is deleted, but creating the new one failed/);
    expect(told).toMatch(/No connection `orders-api` exists in spinstance now/);
    expect(told).not.toContain('CANARY-outcome-pw-808');
    expect(atlas.count('deleteConnection')).toBe(1);
    expect(atlas.connections(WORLD.projectId, WORLD.instance)).toEqual([]);
  });
});
