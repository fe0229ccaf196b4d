// The Atlas client against the Atlas emulator: Digest under concurrency, versions, retries, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError, AtlasUnreachableError } from '../../src/atlas/errors.js';
import { createConnection, listConnections } from '../../src/atlas/streams.js';
import { isSpconnError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { SecretCache } from '../../src/secrets/apiKeys.js';
import { startWorld, WORLD, type World } from '../../src/sandbox/world.js';

let world: World;
const logger = createLogger({ level: 'silent' });
const at = { projectId: WORLD.projectId, instance: WORLD.instance };

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.stop();
});

function client(options: { timeoutMs?: number; maxAttempts?: number } = {}): AtlasClient {
  return new AtlasClient({
    baseUrl: world.atlas.url,
    apiKeySecret: WORLD.apiKeySecret,
    secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger }),
    logger,
    timeoutMs: options.timeoutMs ?? 5_000,
    maxAttempts: options.maxAttempts ?? 4,
    baseDelayMs: 5,
    maxDelayMs: 20,
  });
}

const httpsBody = (name: string) => ({ name, type: 'Https', url: 'https://example.com/hook', headers: { 'X-Key': 'k' } });

describe('AtlasClient', () => {
  it('creates and lists connections with Digest auth and the dated media type', async () => {
    const atlas = client();
    const created = await createConnection(atlas, at, httpsBody('client-a'), ['k']);
    expect(created).toMatchObject({ name: 'client-a', type: 'Https' });
    const all = await listConnections(atlas, at);
    expect(all.map((c) => c.name)).toContain('client-a');
  });

  it('needs close to one HTTP request per call once warm, even with 20 calls at once', async () => {
    const atlas = client();
    await listConnections(atlas, at); // warm: one challenge
    const before = world.atlas.calls.length;
    await Promise.all(Array.from({ length: 20 }, () => listConnections(atlas, at)));
    const requests = world.atlas.calls.length - before;
    // Each concurrent call beyond the pool's warm clients pays one challenge, once.
    expect(requests).toBeLessThanOrEqual(20 + 19);
    const again = world.atlas.calls.length;
    await Promise.all(Array.from({ length: 20 }, () => listConnections(atlas, at)));
    expect(world.atlas.calls.length - again).toBe(20);
  });

  it('follows pagination to the end', async () => {
    const atlas = client();
    for (let i = 0; i < 7; i++) await createConnection(atlas, at, httpsBody(`page-${i}`), []);
    const names = (await listConnections(atlas, at, 3)).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('page-'))).toHaveLength(7);
  });

  it("turns Atlas's error envelope into a message a person can act on", async () => {
    const atlas = client();
    await createConnection(atlas, at, httpsBody('dup'), []);
    const error = await createConnection(atlas, at, httpsBody('dup'), []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
    expect((error as AtlasApiError).status).toBe(409);
    expect((error as AtlasApiError).errorCode).toBe('STREAM_CONNECTION_NAME_ALREADY_EXISTS');
    expect((error as AtlasApiError).userMessage).toMatch(/pick another name/);
  });

  it('scrubs secret values from an error detail', async () => {
    world.atlas.injectFault({ method: 'POST', status: 400, body: { error: 400, errorCode: 'INVALID_ATTRIBUTE', detail: 'bad header value s3cr3t-value', reason: 'Bad Request' } });
    const error = (await createConnection(client(), at, httpsBody('scrub'), ['s3cr3t-value']).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.userMessage).not.toContain('s3cr3t-value');
    expect(error.userMessage).toContain('••••');
  });

  it("scrubs a header value from Atlas's error however Atlas echoes it: detail, message, stack and log line", async () => {
    const core = 'CanaryAt7Kq2Wz9';
    const canary = `Bearer "${core}"/é<&>`;
    // Atlas quotes the headers it refused: JSON-escaped inside its JSON, once lower-cased, once cut short.
    world.atlas.injectFault({
      method: 'POST',
      status: 400,
      echo: (body) => {
        const headers = (body as { headers: Record<string, string> }).headers;
        return `Invalid headers ${JSON.stringify(JSON.stringify(headers))}; value ${headers['X-Key']!.toLowerCase()}; started ${headers['X-Key']!.slice(0, 16)}...`;
      },
    });
    const lines: string[] = [];
    const captured = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    const body = { ...httpsBody('echoed'), headers: { 'X-Key': canary } };
    const error = (await createConnection(client(), at, body, [canary]).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    captured.error({ err: error }, 'Atlas call failed');
    for (const text of [error.detail!, error.message, error.userMessage, error.stack!, lines.join('\n')]) {
      expect(text.toLowerCase()).not.toContain(core.toLowerCase());
    }
    // The rest of Atlas's words still reach the person.
    expect(error.userMessage).toMatch(/^Atlas could not create connection echoed \(INVALID_ATTRIBUTE\): Invalid headers .*••••/);
  });

  it('retries 429 honouring Retry-After, then succeeds', async () => {
    world.atlas.injectFault({ method: 'GET', path: /\/connections$/, status: 429, retryAfterSeconds: 0, times: 2 });
    await expect(listConnections(client(), at)).resolves.toBeInstanceOf(Array);
  });

  it('gives up after its attempts with a clear error', async () => {
    world.atlas.injectFault({ method: 'GET', path: /\/connections$/, status: 503, times: 3 });
    const error = await listConnections(client({ maxAttempts: 3 }), at).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
    expect((error as AtlasApiError).status).toBe(503);
  });

  it('times out a call that does not answer and retries it', async () => {
    world.atlas.injectFault({ method: 'GET', path: /\/connections$/, status: 200, delayMs: 2_000, times: 1 });
    const atlas = client({ timeoutMs: 300 });
    await expect(listConnections(atlas, at)).resolves.toBeInstanceOf(Array);
  });

  it('reports an unreachable Atlas as such', async () => {
    const atlas = new AtlasClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKeySecret: WORLD.apiKeySecret,
      secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger }),
      logger,
      timeoutMs: 500,
      maxAttempts: 2,
      baseDelayMs: 1,
    });
    await expect(listConnections(atlas, at)).rejects.toBeInstanceOf(AtlasUnreachableError);
  });

  it('rejects a wrong key with a 401 error and no endless retries', async () => {
    world.secrets.putSecret('wrong-key', JSON.stringify({ publicKey: 'sandboxpub', privateKey: 'not-the-key' }));
    const atlas = new AtlasClient({
      baseUrl: world.atlas.url,
      apiKeySecret: 'wrong-key',
      secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger }),
      logger,
      timeoutMs: 2_000,
    });
    const error = (await listConnections(atlas, at).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.status).toBe(401);
    expect(error.userMessage).toMatch(/rejected spconn's API key/);
    expect(world.secrets.count('secretsmanager.GetSecretValue', 'wrong-key')).toBe(2);
  });

  it('reads the API key again after it was malformed, so fixing it in Secrets Manager is enough', async () => {
    const id = 'spconn/atlas-being-fixed';
    world.secrets.putSecret(id, JSON.stringify({ publicKey: world.atlasKey.publicKey }));
    const atlas = new AtlasClient({
      baseUrl: world.atlas.url,
      apiKeySecret: id,
      secrets: new SecretCache(world.secretsManagerClient(), { ttlMs: 60_000, logger }),
      logger,
      timeoutMs: 2_000,
    });
    const error = await listConnections(atlas, at).catch((e: unknown) => e);
    expect(isSpconnError(error, 'SECRET_MALFORMED')).toBe(true);
    expect((error as Error).message).toBe(`Secret ${id} is not an Atlas API key: missing or empty privateKey; expected {"publicKey": "...", "privateKey": "..."}.`);

    world.secrets.putSecret(id, JSON.stringify(world.atlasKey));
    await expect(listConnections(atlas, at)).resolves.toBeInstanceOf(Array);
    await Promise.all(Array.from({ length: 5 }, () => listConnections(atlas, at)));
    expect(world.secrets.count('secretsmanager.GetSecretValue', id)).toBe(2);
  });

  it('validates responses with the schema it is given', async () => {
    const error = await client()
      .call({ operation: 'read', method: 'GET', path: `/groups/${WORLD.projectId}/streams/${WORLD.instance}/connections`, version: '2023-02-01', response: z.object({ nope: z.string() }) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
  });
});
