// A test run that is killed (a timeout, Ctrl-C, vitest ending its worker) leaves no PostgreSQL
// server behind: the process that started one stops it however it ends, and the next start removes
// the directories of servers that are dead. A live server, whoever started it, is never touched.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { removeStaleServers } from '../support/postgres.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const done of cleanups.splice(0).reverse()) done();
});

/** A pid that no process has now: a process that has ended and been reaped. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A `spconn-pg-*` directory as a server (or its owner) left it. */
function leftBehind(root: string, files: { postmaster?: number; owner?: number }): string {
  const dir = mkdtempSync(join(root, 'spconn-pg-'));
  if (files.owner !== undefined) writeFileSync(join(dir, 'owner.pid'), String(files.owner));
  if (files.postmaster !== undefined) {
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'postmaster.pid'), `${files.postmaster}\n/some/data\n`);
  }
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts postgresChild.ts and reads the server it started. */
async function childWithServer(mode: 'wait' | 'exit') {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/postgresChild.ts', mode], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  const [line] = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next().then((r) => [r.value as string | undefined]);
  if (line === undefined) throw new Error(`the child ended before starting a server: ${JSON.stringify(await exited)}`);
  const started = JSON.parse(line) as { skipped: string } | { url: string; dir: string };
  return { child, exited, started };
}

async function expectGone(server: { url: string; dir: string }, postmaster: number): Promise<void> {
  await until('the postmaster to end', () => !alive(postmaster));
  expect(existsSync(server.dir)).toBe(false);
  const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2_000 });
  await expect(client.connect()).rejects.toThrow();
}

describe('PostgreSQL servers of a test process', () => {
  it.for(['SIGTERM', 'SIGINT'] as const)('are stopped when the process is sent %s, and a dead one left earlier is cleared', async (signal, { skip }) => {
    const stale = leftBehind(tmpdir(), { postmaster: deadPid() });
    const { child, exited, started } = await childWithServer('wait');
    if ('skipped' in started) return skip(started.skipped);
    // Its start removed the directory of the dead server.
    expect(existsSync(stale)).toBe(false);
    const postmaster = Number(readFileSync(join(started.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(alive(postmaster)).toBe(true);

    child.kill(signal);
    // The process still ends as the signal ends it.
    expect(await exited).toEqual({ code: null, signal });
    await expectGone(started, postmaster);
  });

  it('are stopped when the process exits without stopping them', async ({ skip }) => {
    const { exited, started } = await childWithServer('exit');
    if ('skipped' in started) return skip(started.skipped);
    const { code } = await exited;
    expect(code).toBe(0);
    // The exit handler ran before the process ended: the directory, pid file included, is gone.
    expect(existsSync(started.dir)).toBe(false);
    const client = new pg.Client({ connectionString: started.url, connectionTimeoutMillis: 2_000 });
    await expect(client.connect()).rejects.toThrow();
  });
});

describe('directories left behind', () => {
  it('are removed when their server or, before one started, their owner is dead; never when alive', () => {
    const root = mkdtempSync(join(tmpdir(), 'spconn-stale-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const deadServer = leftBehind(root, { owner: process.pid, postmaster: deadPid() });
    const liveServer = leftBehind(root, { owner: deadPid(), postmaster: process.pid });
    const deadOwner = leftBehind(root, { owner: deadPid() });
    const starting = leftBehind(root, { owner: process.pid });
    const unknown = leftBehind(root, {});

    expect(removeStaleServers(root).sort()).toEqual([deadServer, deadOwner].sort());
    expect([liveServer, starting, unknown].every((d) => existsSync(d))).toBe(true);
  });
});
