// Secrets on the paths where things go wrong, end to end: Atlas echoing a header value in its
// error, a malformed API key fixed while the app runs, and a Secrets Manager that does not answer.
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpsRequest, startStack, threadTexts, WORLD, type CardMessage, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const GET = 'secretsmanager.GetSecretValue';

async function approve(s: Stack, card: CardMessage): Promise<void> {
  const res = await s.driver.clickButton(card, 'request_approve', { user: WORLD.owner });
  expect(res.status).toBe(200);
}

/** Every row of every table, as JSON, and the database files' bytes (WAL included). */
function database(s: Stack): { rows: string; bytes: string } {
  const db = new Database(join(s.dataDir, 'spconn.sqlite'), { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
    const rows = JSON.stringify(tables.map(({ name }) => ({ name, rows: db.prepare(`select * from "${name}"`).all() })));
    const bytes = readdirSync(s.dataDir).map((f) => readFileSync(join(s.dataDir, f)).toString('latin1')).join('');
    return { rows, bytes };
  } finally {
    db.close();
  }
}

function requestRow(s: Stack, name: string): { state: string; outcome_json: string | null } {
  const db = new Database(join(s.dataDir, 'spconn.sqlite'), { readonly: true });
  try {
    return db.prepare('select state, outcome_json from requests where connection_name = ?').get(name) as { state: string; outcome_json: string | null };
  } finally {
    db.close();
  }
}

describe('a header value that Atlas echoes in its error', () => {
  // Letters and digits that no escaping changes, among characters that every escaping changes.
  const core = 'CanaryEcho4Tq8Xw2';
  const canary = `Bearer "${core}"/é<&> +Zr4'`;
  const base64 = Buffer.from(canary).toString('base64');

  it('reaches neither the thread, nor the log lines, nor the database, in any form', async () => {
    stack = await startStack();
    const { slack, atlas } = stack.world;
    // Atlas refuses the connection and quotes the header as it read it, in the forms seen in echoes.
    atlas.injectFault({
      method: 'POST',
      path: '/connections',
      status: 400,
      echo: (body) => {
        const headers = (body as { headers: Record<string, string> }).headers;
        const value = headers['X-Api-Key']!;
        return [
          `Invalid header value for X-Api-Key: ${JSON.stringify(value)}.`,
          `Headers as received: ${JSON.stringify(JSON.stringify(headers))}.`,
          `Normalised: ${value.toLowerCase()}; encoded: ${encodeURIComponent(value)} ${Buffer.from(value).toString('base64')}; started ${value.slice(0, 18)}…`,
        ].join(' ');
      },
    });
    const card = await createHttpsRequest(stack, { name: 'echoed', url: 'https://api.example.com/hook', headers: `X-Api-Key: ${canary}` });
    await approve(stack, card);
    await slack.waitFor(() => threadTexts(stack!, card).some((t) => t.includes('Atlas could not create connection')));
    await stack.app.requests.idle();

    // The value is nowhere the app wrote: Slack (the raw bodies it sent), logs, database.
    const { rows, bytes } = database(stack);
    const places = { slack: slack.calls.map((c) => c.raw).join('\n'), logs: stack.logs.join('\n'), rows, bytes };
    for (const [place, text] of Object.entries(places)) {
      expect(text.toLowerCase(), place).not.toContain(core.toLowerCase());
      expect(text, place).not.toContain(base64);
      expect(text, place).not.toContain(encodeURIComponent(base64));
    }
    // ...while Atlas's words still reach the requester, the log and the stored outcome, masked.
    const failure = threadTexts(stack, card).find((t) => t.includes('Atlas could not create connection'))!;
    expect(failure).toContain('Invalid header value for X-Api-Key: "••••".');
    const row = requestRow(stack, 'echoed');
    expect(row.state).toBe('failed');
    expect((JSON.parse(row.outcome_json!) as { message: string }).message).toContain('Invalid header value for X-Api-Key: "••••".');
    expect(stack.logs.some((l) => l.includes('"msg":"Atlas call failed"') && l.includes('Invalid header value'))).toBe(true);
  });
});

describe('a malformed API key in Secrets Manager', () => {
  it('fails the request in words, and the next request succeeds once an operator fixes it, without a restart', async () => {
    stack = await startStack();
    const { slack, secrets, atlasKey } = stack.world;
    const canary = 'CANARY-half-pasted-key-4417';
    secrets.putSecret(WORLD.apiKeySecret, `{"publicKey": "${atlasKey.publicKey}", "privateKey": "${canary}`);

    const first = await createHttpsRequest(stack, { name: 'first', url: 'https://api.example.com/one' });
    await approve(stack, first);
    await slack.waitFor(() => threadTexts(stack!, first).some((t) => t.includes('is not JSON')));
    expect(threadTexts(stack, first).join('\n')).toContain(`Secret ${WORLD.apiKeySecret} is not JSON; expected {"publicKey": "...", "privateKey": "..."}.`);
    expect(requestRow(stack, 'first').state).toBe('failed');

    secrets.putSecret(WORLD.apiKeySecret, JSON.stringify(atlasKey));
    const readsBefore = secrets.count(GET);
    const second = await createHttpsRequest(stack, { name: 'second', url: 'https://api.example.com/two' });
    await approve(stack, second);
    await slack.waitFor(() => threadTexts(stack!, second).some((t) => t.includes('ready to use')));
    expect(requestRow(stack, 'second').state).toBe('succeeded');
    // The good key is read once and then served from the cache (submission and execution share it).
    expect(secrets.count(GET) - readsBefore).toBe(1);
    await stack.app.requests.idle();
    expect(stack.logs.join('\n')).not.toContain(canary);
    expect(slack.calls.map((c) => c.raw).join('\n')).not.toContain(canary);
  });
});

describe('a Secrets Manager that does not answer', () => {
  it('fails an approved request within the read deadline, and says so in its thread', async () => {
    stack = await startStack({
      configPatch: (raw) => {
        raw.secrets = { readTimeout: '1s' };
      },
    });
    const { slack, secrets, atlas } = stack.world;
    // Every read hangs far longer than the deadline (cut short when the emulator stops).
    secrets.injectFault({ target: GET, delayMs: 120_000, times: Infinity });
    const card = await createHttpsRequest(stack, { name: 'stuck', url: 'https://api.example.com/hook' });

    const approvedAt = performance.now();
    await approve(stack, card);
    const words = `Secrets Manager did not answer within 1 s while spconn read secret ${WORLD.apiKeySecret}.`;
    // Well under the hang, with room for a loaded machine; without a deadline it never comes.
    await slack.waitFor(() => threadTexts(stack!, card).some((t) => t.includes(words)), 8_000);
    expect(performance.now() - approvedAt).toBeLessThan(8_000);
    const row = requestRow(stack, 'stuck');
    expect(row.state).toBe('failed');
    expect((JSON.parse(row.outcome_json!) as { message: string }).message).toBe(`${words} Try again later; if it keeps happening, an operator should check the network path to Secrets Manager.`);
    expect(JSON.stringify(slack.messages.find((m) => m.ts === card.ts)!.blocks)).not.toContain('request_approve');
    expect(atlas.count('createConnection')).toBe(0);
  });
});
