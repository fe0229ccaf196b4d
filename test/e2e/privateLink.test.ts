// Kafka over Confluent Private Link end to end: the thread is the setup log, the emulator drives
// the link's states, and every path ends with one link and one connection at most.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvedSetup, CLUSTER, waitForEnd, waitForPrompt } from '../support/privateLink.js';
import { startStack, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});

const links = () => stack.world.atlas.privateLinks(WORLD.projectId);
const connections = () => stack.world.atlas.connections(WORLD.projectId, WORLD.instance);

describe('Confluent Private Link setup', () => {
  it('walks a dedicated cluster to the end: account ID, Done, link, connection', async () => {
    const card = await approvedSetup(stack, 'events-pl', 'dedicated');
    const prompt = await waitForPrompt(stack, card, 1);
    expect(prompt.text).toContain('Add Private Link Access');
    expect(prompt.text).toContain('123456789012');
    expect(links()).toHaveLength(0);
    await stack.driver.clickButton(prompt, 'privatelink_done', { user: WORLD.requester });
    const thread = await waitForEnd(stack, card);
    expect(thread.at(-1)).toMatch(new RegExp(`<@${WORLD.requester}> Kafka connection \`events-pl\` is READY over Private Link`));
    expect(links()).toEqual([
      expect.objectContaining({ vendor: 'CONFLUENT', provider: 'AWS', region: 'us-east-1', serviceEndpointId: CLUSTER.service, dnsDomain: CLUSTER.domain, dnsSubDomain: [`use1-az1.${CLUSTER.domain}`, `use1-az2.${CLUSTER.domain}`] }),
    ]);
    const linkId = links()[0]!._id;
    expect(connections()).toEqual([
      expect.objectContaining({
        name: 'events-pl',
        type: 'Kafka',
        bootstrapServers: CLUSTER.bootstrap,
        security: { protocol: 'SASL_SSL' },
        authentication: { mechanism: 'PLAIN', username: CLUSTER.apiKey, password: CLUSTER.apiSecret },
        networking: { access: { type: 'PRIVATE_LINK', connectionId: linkId } },
        state: 'READY',
      }),
    ]);
    // One reply per step, not per poll.
    expect(thread.length).toBeLessThan(10);
    const cardBlocks = JSON.stringify(stack.world.slack.messages.find((m) => m.ts === card.ts)!.blocks);
    expect(cardBlocks).toContain(':white_check_mark: Wait for the Private Link');
    expect(cardBlocks).not.toContain(CLUSTER.apiSecret);
    await stack.app.requests.idle();
    expect(stack.world.slack.calls.map((c) => c.raw).join('\n')).not.toContain(CLUSTER.apiSecret);
    expect(stack.logs.join('\n')).not.toContain(CLUSTER.apiSecret);
    expect(readdirSync(stack.dataDir).map((f) => readFileSync(join(stack.dataDir, f)).toString('latin1')).join('')).not.toContain(CLUSTER.apiSecret);
  });

  it("walks a serverless cluster: no account step, then the link's interface endpoint and Done", async () => {
    const card = await approvedSetup(stack, 'events-sl', 'serverless');
    const prompt = await waitForPrompt(stack, card, 1);
    const link = links()[0]!;
    expect(prompt.text).toContain(String(link.interfaceEndpointId));
    expect(prompt.text).toContain('access point');
    expect(stack.world.atlas.count('getAccountDetails')).toBe(0);
    expect(connections()).toHaveLength(0);
    await stack.driver.clickButton(prompt, 'privatelink_done', { user: WORLD.owner });
    expect((await waitForEnd(stack, card)).at(-1)).toMatch(/is READY over Private Link/);
    expect(connections()).toHaveLength(1);
  });

  it('reuses an existing link to the same cluster', async () => {
    const existing = { _id: 'bbbbbbbbbbbbbbbbbbbbbbbb', provider: 'AWS', vendor: 'CONFLUENT', region: 'us-east-1', serviceEndpointId: CLUSTER.service, dnsDomain: `${CLUSTER.domain}.`, dnsSubDomain: [], state: 'DONE', interfaceEndpointId: 'vpce-existing' };
    (links() as Array<Record<string, unknown>>).push(existing);
    const card = await approvedSetup(stack, 'events-reuse', 'dedicated');
    const thread = await waitForEnd(stack, card);
    expect(thread.join('\n')).toMatch(/already has Private Link `bbbbbbbbbbbbbbbbbbbbbbbb`.*reusing it/);
    expect(stack.world.atlas.count('createPrivateLink')).toBe(0);
    expect(links()).toHaveLength(1);
    expect(connections()[0]).toMatchObject({ networking: { access: { type: 'PRIVATE_LINK', connectionId: 'bbbbbbbbbbbbbbbbbbbbbbbb' } } });
  });

  it("reports a link that FAILED with Atlas's message, and offers to delete the link it created", async () => {
    await stack.stop(); // a world whose links never become ready on their own
    stack = await startStack({ atlas: { privateLinkReadyAfterPolls: -1 } });
    const { atlas, slack } = stack.world;
    const card = await approvedSetup(stack, 'events-fail', 'serverless');
    await slack.waitFor(() => atlas.privateLinks(WORLD.projectId).length === 1 && atlas.count('listPrivateLinks') >= 2 /* the look for a link, then a poll */);
    atlas.setPrivateLinkState(WORLD.projectId, String(atlas.privateLinks(WORLD.projectId)[0]!._id), 'FAILED', 'VPC endpoint service not found');
    const thread = await waitForEnd(stack, card);
    expect(thread.join('\n')).toMatch(/VPC endpoint service not found.*Check in Confluent/);
    // The failure is told once, and the card does not say the approver failed it.
    expect(thread.filter((t) => /VPC endpoint service not found/.test(t))).toHaveLength(1);
    await slack.waitFor(() => /Failed · approved by <@/.test(JSON.stringify(slack.messages.find((m) => m.ts === card.ts)!.blocks)));
    expect(JSON.stringify(slack.messages.find((m) => m.ts === card.ts)!.blocks)).not.toMatch(/Failed \(by/);
    expect(connections()).toHaveLength(0);
    const offer = slack.thread(card.channel, card.ts).find((m) => JSON.stringify(m.blocks).includes('privatelink_delete_link'))!;
    await stack.driver.clickButton({ channel: offer.channel, ts: offer.ts, text: offer.text, blocks: offer.blocks }, 'privatelink_delete_link', { user: WORLD.owner });
    await slack.waitFor(() => atlas.privateLinks(WORLD.projectId).length === 0);
  });

  it('keeps polling through a storm of 429 and 503 answers', async () => {
    const { atlas } = stack.world;
    atlas.injectFault({ method: 'GET', path: /privateLinkConnections\/[a-f0-9]{24}$/, status: 429, retryAfterSeconds: 0, times: 6 });
    atlas.injectFault({ method: 'GET', path: /privateLinkConnections\/[a-f0-9]{24}$/, status: 503, times: 6 });
    const card = await approvedSetup(stack, 'events-storm', 'serverless');
    const prompt = await waitForPrompt(stack, card, 1);
    await stack.driver.clickButton(prompt, 'privatelink_done', { user: WORLD.requester });
    expect((await waitForEnd(stack, card)).at(-1)).toMatch(/is READY/);
    expect(links()).toHaveLength(1);
    expect(connections()).toHaveLength(1);
  });

  it("refuses a stranger's Done and Cancel, and lets the requester cancel a waiting setup", async () => {
    const { slack } = stack.world;
    const card = await approvedSetup(stack, 'events-cancel', 'dedicated');
    const prompt = await waitForPrompt(stack, card, 1);
    await stack.driver.clickButton(prompt, 'privatelink_done', { user: WORLD.stranger });
    await stack.driver.clickButton(prompt, 'privatelink_cancel', { user: WORLD.stranger });
    await slack.waitFor(() => slack.ephemerals.filter((e) => e.user === WORLD.stranger).length === 2);
    expect(slack.ephemerals.every((e) => /Only the requester or an owner/.test(e.text))).toBe(true);
    expect(stack.world.atlas.count('createPrivateLink')).toBe(0);
    await stack.driver.clickButton(prompt, 'privatelink_cancel', { user: WORLD.requester });
    const ended = await waitForEnd(stack, card);
    expect(ended.filter((t) => /Cancelled by/.test(t))).toHaveLength(1);
    expect(ended.find((t) => /Cancelled by/.test(t))).toMatch(new RegExp(`^:heavy_multiplication_x: Cancelled by <@${WORLD.requester}>\\.`));
    // The card names who cancelled, not the owner who approved.
    await slack.waitFor(() => JSON.stringify(slack.messages.find((m) => m.ts === card.ts)!.blocks).includes(`Cancelled by <@${WORLD.requester}>`));
    expect(JSON.stringify(slack.messages.find((m) => m.ts === card.ts)!.blocks)).not.toMatch(/Cancelled by the requester/);
    await stack.driver.clickButton(prompt, 'privatelink_done', { user: WORLD.requester });
    await slack.waitFor(() => slack.ephemerals.some((e) => e.user === WORLD.requester));
    expect(stack.world.atlas.count('createPrivateLink')).toBe(0);
    expect(threadTexts(stack, card).join('\n')).not.toMatch(/Requested Private Link/);
  });

  it('validates the form inline: region of the service name, subdomains inside the domain', async () => {
    const { submitCreateForm } = await import('../support/stack.js');
    const { privateLinkValues } = await import('../support/privateLink.js');
    const values = privateLinkValues('bad-pl', 'dedicated', { ...CLUSTER, service: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0' });
    values.pl_dns_subdomains = { dns_subdomains: { type: 'plain_text_input', value: 'use1-az1.other.example.com' } };
    const ack = (await submitCreateForm(stack, 'privatelink', values)) as { errors: Record<string, string> };
    expect(ack.errors.pl_service_name).toMatch(/eu-west-1.*us-east-1/);
    expect(ack.errors.pl_dns_subdomains).toMatch(/not a subdomain of abc123.us-east-1.aws.confluent.cloud/);
  });
});
