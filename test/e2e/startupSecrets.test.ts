// Start-up failures as an operator sees them: `src/main.ts` in its own process, its stderr read.
// A broken encryption-key secret must stop the app with words that name the secret, not quote it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../../src/sandbox/world.js';
import { appEnvironment } from '../support/appProcess.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let world: World;
let dir: string;

beforeAll(async () => {
  world = await startWorld();
  dir = mkdtempSync(join(tmpdir(), 'spconn-startup-'));
});
afterAll(async () => {
  await world.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the app until it exits; resolves with its exit code and everything it wrote. */
function runApp(config: Record<string, unknown>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const configFile = join(dir, 'spconn.config.yaml');
  writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: appEnvironment(world, configFile, dir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

it('stops on an encryption-key secret that is not valid JSON, naming the secret and quoting none of it', async () => {
  const canary = 'CANARYsu9Qw3Zt7Xp2Lm5Rb8Vn1Hd4';
  world.secrets.putSecret('spconn/encryption-key', `{"key": ${canary}}`);
  const { code, stdout, stderr } = await runApp({ ...world.rawConfig, secrets: { encryptionKeySecret: 'spconn/encryption-key' } });

  expect(code).toBe(1);
  expect(stderr.trim()).toBe(
    'spconn failed to start: Secret spconn/encryption-key starts like JSON but is not valid JSON; expected the base64 key itself, or {"key": "<base64>"}. Generate one with `openssl rand -base64 32`.',
  );
  const written = `${stdout}\n${stderr}`.toLowerCase();
  for (let i = 0; i + 5 <= canary.length; i++) expect(written).not.toContain(canary.slice(i, i + 5).toLowerCase());
  expect(world.secrets.count('secretsmanager.GetSecretValue', 'spconn/encryption-key')).toBe(1);
}, 30_000);
