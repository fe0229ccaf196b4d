// The Secrets Manager emulator answers the real AWS SDK as AWS would: SigV4 checked, AWS JSON 1.1
// errors by __type, versions and staging labels, and every call counted.
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GET_SECRET_VALUE, SecretsManagerEmulator } from '../../src/sandbox/secretsManagerEmulator.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };
const API_KEY = '{"publicKey":"p","privateKey":"q"}';
let emu: SecretsManagerEmulator;
const extra: SecretsManagerEmulator[] = [];

beforeAll(async () => {
  emu = await SecretsManagerEmulator.start({ credentials });
  emu.putSecret('spconn/atlas', API_KEY);
});
afterEach(async () => {
  emu.clearFaults();
  await Promise.all(extra.splice(0).map((e) => e.stop()));
});
afterAll(async () => {
  await emu.stop();
});

const client = (over: { endpoint?: string; accessKeyId?: string; secretAccessKey?: string } = {}) =>
  new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: over.endpoint ?? emu.url,
    credentials: { accessKeyId: over.accessKeyId ?? credentials.accessKeyId, secretAccessKey: over.secretAccessKey ?? credentials.secretAccessKey },
    maxAttempts: 1,
  });

const get = (SecretId: string, extraInput: { VersionId?: string; VersionStage?: string } = {}, sdk = client()) => sdk.send(new GetSecretValueCommand({ SecretId, ...extraInput }));

const awsError = z.object({ name: z.string(), message: z.string(), $metadata: z.object({ httpStatusCode: z.number().optional() }) });

/** The SDK error a call failed with, narrowed; fails the test when the call succeeded. */
async function failure(call: Promise<unknown>): Promise<z.infer<typeof awsError>> {
  const outcome = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (outcome === undefined) throw new Error('expected the AWS call to fail, but it succeeded');
  return awsError.parse(outcome);
}

/** A hand-made request, for what the SDK would never send. */
const post = (headers: Record<string, string>, body = '{"SecretId":"spconn/atlas"}') =>
  fetch(`${emu.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': GET_SECRET_VALUE, ...headers }, body });

describe('GetSecretValue', () => {
  it('answers the real AWS SDK by name, by ARN and by partial ARN', async () => {
    const out = await get('spconn/atlas');
    expect(out).toMatchObject({ Name: 'spconn/atlas', SecretString: API_KEY, VersionStages: ['AWSCURRENT'] });
    expect(out.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.CreatedDate).toBeInstanceOf(Date);
    expect(out.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:111122223333:secret:spconn\/atlas-[A-Za-z0-9]{6}$/);
    await expect(get(out.ARN ?? '')).resolves.toMatchObject({ Name: 'spconn/atlas' });
    await expect(get((out.ARN ?? '').slice(0, -7))).resolves.toMatchObject({ Name: 'spconn/atlas' });
  });

  it('keeps an ARN given to putSecret as the secret ARN', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/key';
    emu.putSecret(arn, 'v');
    await expect(get(arn)).resolves.toMatchObject({ ARN: arn, Name: 'team/key', SecretString: 'v' });
  });

  it('answers an unknown secret with ResourceNotFoundException', async () => {
    const err = await failure(get('nope'));
    expect(err).toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 } });
  });

  it('refuses a SecretId longer than 2048 characters with InvalidParameterException', async () => {
    expect((await failure(get('x'.repeat(2049)))).name).toBe('InvalidParameterException');
  });

  it('serves versions by stage and id after a rotation', async () => {
    const first = emu.putSecret('rotating', 'one');
    const second = emu.putSecret('rotating', 'two');
    await expect(get('rotating')).resolves.toMatchObject({ SecretString: 'two', VersionId: second.versionId, VersionStages: ['AWSCURRENT'] });
    await expect(get('rotating', { VersionStage: 'AWSPREVIOUS' })).resolves.toMatchObject({ SecretString: 'one', VersionStages: ['AWSPREVIOUS'] });
    await expect(get('rotating', { VersionId: first.versionId })).resolves.toMatchObject({ SecretString: 'one' });
    expect((await failure(get('rotating', { VersionStage: 'AWSPENDING' }))).name).toBe('ResourceNotFoundException');
    const described = await client().send(new DescribeSecretCommand({ SecretId: 'rotating' }));
    expect(described).toMatchObject({ Name: 'rotating', VersionIdsToStages: { [first.versionId]: ['AWSPREVIOUS'], [second.versionId]: ['AWSCURRENT'] } });
  });
});

describe('signatures', () => {
  it('rejects a request signed with the wrong secret key', async () => {
    expect((await failure(get('spconn/atlas', {}, client({ secretAccessKey: 'wrong' })))).name).toBe('InvalidSignatureException');
  });

  it('rejects an unknown access key id', async () => {
    expect((await failure(get('spconn/atlas', {}, client({ accessKeyId: 'AKIDOTHER' })))).name).toBe('UnrecognizedClientException');
  });

  it('refuses requests without a SigV4 Authorization header, or with a malformed one', async () => {
    const missing = await post({ 'x-amz-date': '20260101T000000Z' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    const malformed = await post({ authorization: 'Bearer nope', 'x-amz-date': '20260101T000000Z' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'IncompleteSignatureException' });
  });

  it('refuses a signature more than 15 minutes old', async () => {
    const skewed = await SecretsManagerEmulator.start({ credentials, now: () => Date.now() + 20 * 60_000 });
    extra.push(skewed);
    skewed.putSecret('s', 'v');
    const err = await failure(get('s', {}, client({ endpoint: skewed.url })));
    expect(err.name).toBe('InvalidSignatureException');
    expect(err.message).toMatch(/Signature expired/);
  });

  it('checks only the shape of the signature when it was started without credentials', async () => {
    const lax = await SecretsManagerEmulator.start();
    extra.push(lax);
    lax.putSecret('s', 'v');
    await expect(get('s', {}, client({ endpoint: lax.url, accessKeyId: 'ANYKEY', secretAccessKey: 'anything' }))).resolves.toMatchObject({ SecretString: 'v' });
  });
});

describe('faults and counting', () => {
  it('injects an InternalServiceError (500) once, then answers', async () => {
    emu.injectFault({ status: 500, type: 'InternalServiceError' });
    expect(await failure(get('spconn/atlas'))).toMatchObject({ name: 'InternalServiceError', $metadata: { httpStatusCode: 500 } });
    await expect(get('spconn/atlas')).resolves.toMatchObject({ SecretString: API_KEY });
  });

  it('injects throttling for a number of calls to one secret only', async () => {
    emu.putSecret('other', 'o');
    emu.injectFault({ status: 400, type: 'ThrottlingException', message: 'Rate exceeded', times: 2, secretId: 'spconn/atlas' });
    await expect(get('other')).resolves.toMatchObject({ SecretString: 'o' });
    expect(await failure(get('spconn/atlas'))).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
    expect((await failure(get('spconn/atlas'))).name).toBe('ThrottlingException');
    await expect(get('spconn/atlas')).resolves.toMatchObject({ SecretString: API_KEY });
  });

  it('delays an answer when asked', async () => {
    emu.injectFault({ status: 500, type: 'InternalServiceError', delayMs: 120 });
    const started = performance.now();
    await failure(get('spconn/atlas'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('counts every call by target and by secret, whether named or given by ARN', async () => {
    const counting = await SecretsManagerEmulator.start({ credentials });
    extra.push(counting);
    const { arn } = counting.putSecret('counted', 'c');
    const sdk = client({ endpoint: counting.url });
    await get('counted', {}, sdk);
    await get(arn, {}, sdk);
    counting.injectFault({ status: 500, type: 'InternalServiceError' });
    await failure(get('counted', {}, sdk));
    await sdk.send(new DescribeSecretCommand({ SecretId: 'counted' }));
    expect(counting.count(GET_SECRET_VALUE)).toBe(3);
    expect(counting.count(GET_SECRET_VALUE, 'counted')).toBe(3);
    expect(counting.count(GET_SECRET_VALUE, arn)).toBe(3);
    expect(counting.count()).toBe(4);
    expect(counting.calls.map((c) => c.status)).toEqual([200, 200, 500, 200]);
    expect(counting.calls[2]).toMatchObject({ target: GET_SECRET_VALUE, secretId: 'counted', errorType: 'InternalServiceError' });
  });

  it('waits for a call without sleeping, and says what it saw when it times out', async () => {
    const before = emu.count(GET_SECRET_VALUE);
    const waiting = emu.waitFor(() => emu.count(GET_SECRET_VALUE) > before);
    await get('spconn/atlas');
    await expect(waiting).resolves.toBeUndefined();
    await expect(emu.waitFor(() => false, 30)).rejects.toThrow(/did not hold within 30 ms after \d+ Secrets Manager calls \(last: .*GetSecretValue\(spconn\/atlas\) 200\)/);
  });
});

describe('endpoint configuration', () => {
  it('is reached through AWS_ENDPOINT_URL_SECRETS_MANAGER with no code change', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = emu.url;
    try {
      const sdk = new SecretsManagerClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
      await expect(sdk.send(new GetSecretValueCommand({ SecretId: 'spconn/atlas' }))).resolves.toMatchObject({ Name: 'spconn/atlas', SecretString: API_KEY });
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
  });
});
