// Drives a Private Link setup through Slack as people would: the form, the approval, the Done buttons.
import { state, type ElementState } from './slackDriver.js';
import { cardFor, submitCreateForm, threadTexts, WORLD, type CardMessage, type Stack } from './stack.js';

export const CLUSTER = {
  region: 'us-east-1',
  service: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
  domain: 'abc123.us-east-1.aws.confluent.cloud',
  bootstrap: 'lkc-abc123.abc123.us-east-1.aws.confluent.cloud:9092',
  apiKey: 'ABCDEFGH12345678',
  apiSecret: 'CANARY-confluent-secret-0042',
};

export function privateLinkValues(name: string, kind: 'dedicated' | 'serverless', cluster = CLUSTER): Record<string, Record<string, ElementState>> {
  return {
    connection_name: { name: state.text(name) },
    pl_cluster_kind: { cluster_kind: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: kind }, value: kind } } },
    pl_region: { region: state.select(cluster.region) },
    pl_service_name: { service_name: state.text(cluster.service) },
    pl_dns_domain: { dns_domain: state.text(cluster.domain) },
    pl_dns_subdomains: { dns_subdomains: state.text(kind === 'dedicated' ? `use1-az1.${cluster.domain}\nuse1-az2.${cluster.domain}` : null) },
    pl_bootstrap: { bootstrap_servers: state.text(cluster.bootstrap) },
    pl_api_key: { api_key: state.text(cluster.apiKey) },
    pl_api_secret: { api_secret: state.text(cluster.apiSecret) },
  };
}

/** Submits the form and approves it; returns the card. */
export async function approvedSetup(stack: Stack, name: string, kind: 'dedicated' | 'serverless', cluster = CLUSTER): Promise<CardMessage> {
  const ack = await submitCreateForm(stack, 'privatelink', privateLinkValues(name, kind, cluster));
  if (ack !== undefined) throw new Error(`form refused: ${JSON.stringify(ack)}`);
  await stack.world.slack.waitFor(() => cardFor(stack, name) !== undefined);
  const card = cardFor(stack, name)!;
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  return card;
}

/** The newest thread reply of the card that carries a Done button. */
export function donePrompt(stack: Stack, card: CardMessage) {
  const replies = stack.world.slack.thread(card.channel, card.ts).filter((m) => JSON.stringify(m.blocks).includes('privatelink_done'));
  const last = replies.at(-1);
  return last ? { channel: last.channel, ts: last.ts, text: last.text, blocks: last.blocks } : undefined;
}

export async function waitForPrompt(stack: Stack, card: CardMessage, count: number) {
  await stack.world.slack.waitFor(
    () => stack.world.slack.thread(card.channel, card.ts).filter((m) => JSON.stringify(m.blocks).includes('privatelink_done')).length >= count,
    10_000,
  );
  return donePrompt(stack, card)!;
}

export async function waitForEnd(stack: Stack, card: CardMessage) {
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => /^:(white_check_mark|x|heavy_multiplication_x): (<@|Cancelled by <@)/.test(t)), 15_000);
  return threadTexts(stack, card);
}
