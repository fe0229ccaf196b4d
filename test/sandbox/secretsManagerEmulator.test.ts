import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerEmulator } from '../../src/sandbox/secretsManagerEmulator.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };
let emu: SecretsManagerEmulator;
beforeAll(async () => {
  emu = await SecretsManagerEmulator.start({ credentials });
  emu.putSecret('spconn/atlas', '{"publicKey":"p","privateKey":"q"}');
});
afterAll(async () => {
  await emu.stop();
});

const client = (secretAccessKey = credentials.secretAccessKey) =>
  new SecretsManagerClient({ region: 'us-east-1', endpoint: emu.url, credentials: { ...credentials, secretAccessKey }, maxAttempts: 1 });

describe('Secrets Manager emulator', () => {
  it('answers GetSecretValue from the real AWS SDK, by name or ARN', async () => {
    const out = await client().send(new GetSecretValueCommand({ SecretId: 'spconn/atlas' }));
    expect(out.SecretString).toBe('{"publicKey":"p","privateKey":"q"}');
    expect(out.VersionStages).toEqual(['AWSCURRENT']);
    expect(out.CreatedDate).toBeInstanceOf(Date);
    const byArn = await client().send(new GetSecretValueCommand({ SecretId: out.ARN! }));
    expect(byArn.Name).toBe('spconn/atlas');
  });

  it('answers an unknown secret with ResourceNotFoundException', async () => {
    await expect(client().send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('rejects a request signed with the wrong secret key', async () => {
    await expect(client('wrong').send(new GetSecretValueCommand({ SecretId: 'spconn/atlas' }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('injects server faults and counts successful calls', async () => {
    const before = emu.count('secretsmanager.GetSecretValue');
    emu.injectFault({ status: 500, type: 'InternalServiceError' });
    await expect(client().send(new GetSecretValueCommand({ SecretId: 'spconn/atlas' }))).rejects.toMatchObject({ name: 'InternalServiceError' });
    await client().send(new GetSecretValueCommand({ SecretId: 'spconn/atlas' }));
    expect(emu.count('secretsmanager.GetSecretValue') - before).toBe(1);
  });

  it('is reached through AWS_ENDPOINT_URL_SECRETS_MANAGER with no code change', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = emu.url;
    try {
      const sdk = new SecretsManagerClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
      await expect(sdk.send(new GetSecretValueCommand({ SecretId: 'spconn/atlas' }))).resolves.toMatchObject({ Name: 'spconn/atlas' });
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
  });
});
