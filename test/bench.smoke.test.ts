// Keeps `npm run bench` from rotting: a tiny run end to end, no figure judged.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('runs the benchmark end to end at smoke size', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke'], {
    cwd: new URL('../', import.meta.url).pathname,
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  for (const section of ['## 1. Ack path', '## 2. Submission path', '## 3. Secrets', '## 4. Workflows', '## 5. Footprint']) expect(run.stdout).toContain(section);
  expect(run.stdout).toMatch(/\| 1 \| spconn \| \d+/);
}, 150_000);

it('runs the Private Link setups bench at smoke size', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--setups', '--smoke', '--one'], {
    cwd: new URL('../', import.meta.url).pathname,
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/\| 1 \| 5\/5 \|/);
  expect(run.stdout).toContain('Atlas calls per setup');
  // Through a service account by default: the tokens minted, by the emulator and by the replica's metric.
  expect(run.stdout).toMatch(/\| \d+ in \d+\.\d{2} h \(goal ≤ \d+; replicas' metric: \d+\) \|/);
}, 150_000);
