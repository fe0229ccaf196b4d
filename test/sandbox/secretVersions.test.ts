// Versions in the Secrets Manager emulator, and the same script against moto_server (an independent
// implementation): CreateSecret, PutSecretValue (new AWSCURRENT, old AWSPREVIOUS, ClientRequestToken
// as the version id, repeated token a no-op), DescribeSecret's VersionIdsToStages, GetSecretValue by
// VersionId and VersionStage. Both must tell the same story.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerEmulator } from '../../src/sandbox/secretsManagerEmulator.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };
const client = (endpoint: string) => new SecretsManagerClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });

const TOKEN_2 = 'aaaaaaaa-bbbb-4ccc-8ddd-000000000002';
const TOKEN_3 = 'aaaaaaaa-bbbb-4ccc-8ddd-000000000003';

/** The script, reduced to what must agree: stages per version (by order of creation) and values read. */
async function versionStory(endpoint: string) {
  const sm = client(endpoint);
  const name = `team/versions-${Date.now()}`;
  const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
  const v1 = created.VersionId!;
  const put2 = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: TOKEN_2 }));
  const again = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: TOKEN_2 }));
  await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v3', ClientRequestToken: TOKEN_3 }));
  const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
  // AWS lists only versions that still have a label; moto also lists a label-less one as []. The
  // emulator follows AWS's reference; both read "no labels" here.
  const labels = described.VersionIdsToStages ?? {};
  const stages = Object.fromEntries(Object.entries(labels).filter(([, s]) => s.length > 0));
  const read = async (input: { VersionId?: string; VersionStage?: string }) => {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: name, ...input }));
    return { value: out.SecretString, stages: [...(out.VersionStages ?? [])].sort() };
  };
  const missing = await sm.send(new GetSecretValueCommand({ SecretId: `${name}-nope` })).then(
    () => 'found',
    (err: unknown) => (err instanceof Error ? err.name : 'Error'),
  );
  return {
    put2VersionId: put2.VersionId,
    repeatedTokenVersionId: again.VersionId,
    stages: { v1: stages[v1]?.slice().sort() ?? null, v2: stages[TOKEN_2]?.slice().sort() ?? null, v3: stages[TOKEN_3]?.slice().sort() ?? null },
    current: await read({}),
    previous: await read({ VersionStage: 'AWSPREVIOUS' }),
    byId: await read({ VersionId: TOKEN_2 }),
    missing,
  };
}

const expected = {
  put2VersionId: TOKEN_2,
  repeatedTokenVersionId: TOKEN_2,
  // AWS drops a version that has lost every label from VersionIdsToStages.
  stages: { v1: null, v2: ['AWSPREVIOUS'], v3: ['AWSCURRENT'] },
  current: { value: 'v3', stages: ['AWSCURRENT'] },
  previous: { value: 'v2', stages: ['AWSPREVIOUS'] },
  byId: { value: 'v2', stages: ['AWSPREVIOUS'] },
  missing: 'ResourceNotFoundException',
};

describe('the emulator', () => {
  let emu: SecretsManagerEmulator;
  beforeAll(async () => {
    emu = await SecretsManagerEmulator.start({ credentials });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('keeps versions and staging labels as Secrets Manager does', async () => {
    expect(await versionStory(emu.url)).toEqual(expected);
  });
});

const hasMoto = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
if (!hasMoto) console.log('moto_server is not installed: skipping the comparison with moto');

describe.skipIf(!hasMoto)('moto_server, an independent peer', () => {
  let moto: ChildProcess | undefined;
  let url = '';
  beforeAll(async () => {
    const port = await freePort();
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    url = `http://127.0.0.1:${port}`;
    // Werkzeug says "Running on http://127.0.0.1:PORT" once it listens.
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (seen.includes('Running on')) resolve();
      };
      moto!.stdout!.on('data', onData);
      moto!.stderr!.on('data', onData);
      moto!.once('exit', (code) => reject(new Error(`moto_server exited (${code}): ${seen.slice(-500)}`)));
    });
  }, 30_000);
  afterAll(() => {
    moto?.kill('SIGTERM');
  });

  it('tells the same version story as the emulator', async () => {
    expect(await versionStory(url)).toEqual(expected);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
