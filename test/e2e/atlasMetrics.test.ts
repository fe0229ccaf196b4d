// What an operator graphs about Atlas at GET /metrics: access tokens this replica minted for a
// service account (they move when Atlas makes spconn mint, and match Atlas's own count), and 429
// answers per project, named by the config's target names, never by an Atlas id or a secret.
import { afterEach, expect, it } from 'vitest';
import { createHttpsRequest, startStack, threadTexts, WORLD, type Stack } from '../support/stack.js';

const CANARY_SECRET = 'mdb_sa_sk_CANARYmetrics7c1d2e3f4a';

let stack: Stack;
afterEach(async () => {
  await stack?.stop();
});

async function metricsText(): Promise<string> {
  const res = await fetch(`${stack.driver.appUrl}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one sample, e.g. `spconn_atlas_tokens_minted_total{secret="…"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function createAndApprove(name: string): Promise<void> {
  const card = await createHttpsRequest(stack, { name, url: `https://api.example.com/${name}` });
  await stack.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  await stack.world.slack.waitFor(() => threadTexts(stack, card).some((t) => t.includes('ready to use')));
}

const minted = `spconn_atlas_tokens_minted_total{secret="${WORLD.serviceAccountSecret}"}`;

it('counts the tokens this process minted for a service account: one for many calls, one more after Atlas drops it', async () => {
  stack = await startStack({ auth: 'serviceAccount', serviceAccountSecret: CANARY_SECRET });
  const { atlas } = stack.world;
  const { clientId } = stack.world.serviceAccount;

  await createAndApprove('sa-metrics-one');
  let text = await metricsText();
  // The form's name check, the create: several calls, one token.
  expect(atlas.calls.filter((c) => c.operation !== 'mintToken' && c.clientId === clientId).length).toBeGreaterThan(1);
  expect(sample(text, minted)).toBe(1);
  expect(sample(text, minted)).toBe(atlas.oauth.minted(clientId));

  // Atlas expires the token early: the next call is refused, spconn mints once more.
  atlas.oauth.expire(atlas.oauth.issued.at(-1)!);
  await createAndApprove('sa-metrics-two');
  text = await metricsText();
  expect(sample(text, minted)).toBe(2);
  expect(atlas.oauth.minted(clientId)).toBe(2);

  expect(text).not.toContain(CANARY_SECRET);
  for (const token of atlas.oauth.issued) expect(text).not.toContain(token);
  expect(text).not.toContain(clientId);
});

it("counts Atlas's 429 answers per project, labelled with the target's name, from 0", async () => {
  stack = await startStack();
  const { atlas } = stack.world;
  const limited = 'spconn_atlas_rate_limited_total{project="sandbox"}';
  expect(sample(await metricsText(), limited)).toBe(0);

  atlas.injectFault({ method: 'POST', path: /\/connections$/, status: 429, retryAfterSeconds: 0, times: 2 });
  await createAndApprove('limited-twice');
  const text = await metricsText();
  expect(atlas.calls.filter((c) => c.status === 429)).toHaveLength(2);
  expect(sample(text, limited)).toBe(2);
  expect(text).not.toContain(WORLD.projectId);
  // An API-key target mints no token: no series for a service account.
  expect(text).not.toMatch(/^spconn_atlas_tokens_minted_total\{/m);
});
