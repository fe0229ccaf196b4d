// What an operator sees: one request id from slash command to Atlas call in the logs, and the
// Prometheus metrics at GET /metrics, with no secret in either.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvedSetup, waitForPrompt } from '../support/privateLink.js';
import { createHttpsRequest, startStack, threadTexts, WORLD, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await stack?.stop();
});

const canary = 'CANARY-obs-5d1e0c';
const request = { name: 'orders-api', url: 'https://api.example.com/v1/orders', headers: `X-Api-Key: ${canary}` };

interface LogLine {
  msg: string;
  requestId?: string;
  slack?: { kind: string; status: number };
  atlas?: { method: string; endpoint: string; status: string };
}

function logLines(): LogLine[] {
  return stack.logs.map((l) => JSON.parse(l) as LogLine);
}

async function metricsText(): Promise<string> {
  const res = await fetch(`${stack.driver.appUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one sample, e.g. `spconn_requests{state="succeeded"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function createAndApprove() {
  const card = await createHttpsRequest(stack, request);
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));
  return card;
}

describe('logs', () => {
  it('carry one request id from the slash command through the approval to the Atlas call', async () => {
    await createAndApprove();
    const lines = logLines();
    const submitted = lines.find((l) => l.msg === 'request submitted');
    const id = submitted?.requestId;
    expect(id).toMatch(/^[0-9a-f]{12}$/);

    const deliveries = lines.filter((l) => l.msg === 'Slack request');
    expect(deliveries.map((l) => [l.slack?.kind, l.requestId])).toEqual([
      ['slash_command', id],
      ['view_submission', id],
      ['block_actions', id],
    ]);
    const post = lines.find((l) => l.msg === 'Atlas call' && l.atlas?.method === 'POST');
    expect(post).toMatchObject({ requestId: id, atlas: { endpoint: '/groups/{groupId}/streams/{tenantName}/connections' } });
    // Every Atlas call this request caused says whose it was: the name check at submission, the create.
    const atlasLines = lines.filter((l) => l.msg === 'Atlas call');
    expect(atlasLines.length).toBeGreaterThanOrEqual(2);
    expect(atlasLines.every((l) => l.requestId === id)).toBe(true);
    expect(stack.logs.join('\n')).not.toContain(canary);
  });

  it('give each Slack delivery that concerns no request an id of its own', async () => {
    await stack.driver.command('help', { user: WORLD.requester, channel: WORLD.channel, triggerId: stack.world.slack.issueTriggerId() });
    await stack.driver.command('help', { user: WORLD.requester, channel: WORLD.channel, triggerId: stack.world.slack.issueTriggerId() });
    await stack.world.slack.waitFor(() => logLines().filter((l) => l.msg === 'Slack request').length === 2);
    const ids = logLines()
      .filter((l) => l.msg === 'Slack request')
      .map((l) => l.requestId);
    expect(new Set(ids).size).toBe(2);
    expect(ids.every((i) => i !== undefined && /^[0-9a-f]{12}$/.test(i))).toBe(true);
  });
});

describe('GET /metrics', () => {
  it('counts Slack requests, Atlas calls, secret fetches and requests by state, naming nothing secret', async () => {
    await createAndApprove();
    const body = stack.driver.slashCommandBody('help', { user: WORLD.requester, channel: WORLD.channel, triggerId: 'x' });
    expect((await stack.driver.post(body, { signature: 'v0=' + '0'.repeat(64) })).status).toBe(401);

    const text = await metricsText();
    expect(sample(text, 'spconn_slack_requests_total{kind="slash_command",outcome="ok"}')).toBe(1);
    expect(sample(text, 'spconn_slack_requests_total{kind="view_submission",outcome="ok"}')).toBe(1);
    expect(sample(text, 'spconn_slack_requests_total{kind="block_actions",outcome="ok"}')).toBe(1);
    expect(sample(text, 'spconn_slack_requests_total{kind="other",outcome="unauthorized"}')).toBe(1);
    expect(sample(text, 'spconn_slack_ack_seconds_count{kind="view_submission"}')).toBe(1);
    expect(sample(text, 'spconn_slack_ack_seconds_bucket{le="3",kind="slash_command"}')).toBe(1);

    const created = stack.world.atlas.calls.filter((c) => c.method === 'POST');
    expect(created).toHaveLength(1);
    const endpoint = '/groups/{groupId}/streams/{tenantName}/connections';
    expect(sample(text, `spconn_atlas_calls_total{endpoint="${endpoint}",method="POST",status="${created[0]!.status}"}`)).toBe(1);
    expect(sample(text, `spconn_atlas_call_seconds_count{endpoint="${endpoint}",method="POST"}`)).toBe(1);
    expect(sample(text, 'spconn_atlas_calls_total{endpoint="/groups/{groupId}/streams/{tenantName}/connections/{connectionName}",method="GET",status="404"}')).toBe(1);
    expect(sample(text, 'spconn_secrets_fetches_total{outcome="ok"}')).toBe(1);
    expect(sample(text, 'spconn_requests{state="succeeded"}')).toBe(1);
    expect(text).toContain('spconn_process_resident_memory_bytes');

    for (const word of [canary, 'orders-api', WORLD.projectId, WORLD.instance, WORLD.owner]) expect(text).not.toContain(word);
  });

  it('shows Private Link setups by the step they wait in', async () => {
    const card = await approvedSetup(stack, 'confluent-pl', 'dedicated');
    await waitForPrompt(stack, card, 1);
    const text = await metricsText();
    const waiting = text.split('\n').filter((l) => l.startsWith('spconn_workflows{'));
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatch(/^spconn_workflows\{step="await_[a-z_]+"\} 1$/);
    expect(sample(text, 'spconn_requests{state="running"}')).toBe(1);
  });
});
