// Hostile input into the Cluster and Azure Blob forms over the real HTTP path: every submission is
// answered with inline errors on the form's blocks or a request card; every card an owner then
// approves sends Atlas a body it accepts (the stack fails on any body Atlas refused).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { state } from '../support/slackDriver.js';
import { cardFor, startStack, submitCreateForm, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const hostile = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', 'Cluster0', 'analytics', 'legacy', 'BUILT_IN:readWrite', 'CUSTOM:ordersWriter', 'CUSTOM:ghost', '0123456789abcdef01234567', 'ordersarchive', WORLD.azurePrincipal),
);

// Each field is mostly a value that works, so that whole forms get through about half the time.
const field = (...valid: Array<string | null>) => fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 4 }, { arbitrary: hostile, weight: 1 });
const forms = fc.oneof(
  fc.record({ cluster: fc.constant(true), a: field('Cluster0', 'reporting'), b: field('BUILT_IN:readWrite', 'CUSTOM:ordersWriter'), c: field(null) }),
  fc.record({ cluster: fc.constant(false), a: field(WORLD.azurePrincipal), b: field('ordersarchive', 'abc'), c: fc.constant(null) }),
);

type Ack = { response_action?: string; errors?: Record<string, string> } | undefined;

async function approve(name: string): Promise<string> {
  const card = cardFor(stack, name)!;
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes(':white_check_mark:') || t.includes(':x:')));
  return threadTexts(stack, card).join('\n');
}

describe('hostile input over HTTP into the new forms', () => {
  it('Cluster and Azure Blob: inline errors on the form, or a card whose approval Atlas accepts', async () => {
    let n = 0;
    const outcomes = { refused: 0, carded: 0 };
    await fc.assert(
      fc.asyncProperty(forms, async ({ cluster, a, b, c }) => {
        const name = `h-${n++}`;
        const ack = (await submitCreateForm(
          stack,
          cluster ? 'cluster' : 'azureblob',
          cluster
            ? { connection_name: { name: state.text(name) }, cluster_name: { cluster_name: state.external(a || null) }, cluster_group: { cluster_group_id: state.text(c) }, cluster_role: { db_role: state.external(b || null) } }
            : { connection_name: { name: state.text(name) }, azure_principal: { azure_service_principal: state.external(a || null) }, azure_storage_account: { storage_account: state.text(b) } },
        )) as Ack;
        if (ack === undefined) {
          outcomes.carded++;
          await stack.world.slack.waitFor(() => cardFor(stack, name) !== undefined);
          expect(await approve(name)).toContain('ready to use');
        } else {
          outcomes.refused++;
          expect(ack.response_action).toBe('errors');
          const own = cluster ? ['cluster_name', 'cluster_group', 'cluster_role'] : ['azure_principal', 'azure_storage_account'];
          for (const [block, message] of Object.entries(ack.errors ?? {})) {
            expect(own).toContain(block);
            expect(message.length).toBeGreaterThan(10);
          }
        }
      }),
      { numRuns: 40 },
    );
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.carded).toBeGreaterThan(0);
    expect(stack.world.atlas.calls.filter((call) => call.invalidBody)).toEqual([]);
  });
});
