// A real PostgreSQL server from Debian's package, on 127.0.0.1 with its own data directory
// (`spconn-pg-*` in the temporary directory). A server outlives the process that started it
// (pg_ctl detaches it), so this process stops its own servers however it ends: `stop()`, exit,
// SIGINT, SIGTERM (how vitest ends a worker), SIGHUP, or its parent's IPC channel closing. A
// SIGKILL cannot be caught: that server runs on until stopped by hand. Each start removes the
// directories whose server is dead, and never touches a live one.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface PostgresServer {
  url: string;
  /** The server's directory: its data, socket and log. */
  dir: string;
  stop(): Promise<void>;
}

const PREFIX = 'spconn-pg-';

/** The servers this process started and has not stopped yet (their directories). */
const ours = new Set<string>();

/** Alive and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The postmaster's pid, from the first line of `postmaster.pid` (absent once it has stopped). */
function postmasterPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function ownerPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stops one of this process's servers at once, without the event loop (exit handlers have none):
 * SIGQUIT is PostgreSQL's immediate shutdown. Waits for the postmaster to go (it takes some ms;
 * vitest's SIGKILL follows its SIGTERM after 500 ms), then removes the directory.
 */
function stopNow(dir: string): void {
  ours.delete(dir);
  const pid = postmasterPid(dir);
  if (pid !== undefined && alive(pid)) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // Gone meanwhile.
    }
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let waited = 0; waited < 400 && alive(pid); waited += 10) Atomics.wait(pause, 0, 0, 10);
  }
  rmSync(dir, { recursive: true, force: true });
}

function stopAllNow(): void {
  for (const dir of [...ours]) stopNow(dir);
}

let hooked = false;
/** Stops this process's servers however it ends (SIGKILL aside), once a server has started. */
function stopOnExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', stopAllNow);
  // vitest's main process gone: the worker is an orphan and will not run its afterAll.
  if (process.send) process.on('disconnect', stopAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      stopAllNow();
      // Listening replaced the default (ending the process): unless someone else listens, end it
      // as the signal would have.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, onSignal);
  }
}

/**
 * Removes the `spconn-pg-*` directories left by killed processes: those whose `postmaster.pid`
 * names a dead process, or, with no server ever started there, whose owner is dead. A live
 * server is never touched, whoever started it.
 */
export function removeStaleServers(root = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(root, name);
    if (ours.has(dir)) continue;
    const postmaster = postmasterPid(dir);
    const owner = ownerPid(dir);
    const stale = postmaster !== undefined ? !alive(postmaster) : owner !== undefined && !alive(owner);
    if (!stale) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a server, or says why it cannot (no binaries here). */
export async function startPostgres(): Promise<PostgresServer | { skipped: string }> {
  const bin = binDir();
  if (!bin) return { skipped: "PostgreSQL is not installed (/usr/lib/postgresql/*/bin); .ci/run installs Debian's postgresql" };
  removeStaleServers();
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  ours.add(dir);
  stopOnExit();
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root: run the server as the postgres user, in a directory it owns.
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const res = spawnSync(file, argv, { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stderr || res.stdout}`);
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'spconn', '--no-sync']);
    run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`, 'start']);
  } catch (e) {
    stopNow(dir);
    throw e;
  }
  return {
    url: `postgres://spconn@127.0.0.1:${port}/postgres`,
    dir,
    async stop() {
      if (!ours.has(dir)) return;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        ours.delete(dir);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A fresh, empty database on the server for one test. */
export async function freshDatabase(server: PostgresServer, name: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name}`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return server.url.replace(/\/postgres$/, `/${name}`);
}

/** One PostgreSQL server for the tests of a file (or of the `describe` it is called in). */
export interface TestPostgres {
  /** Why there is no server (PostgreSQL is not installed), once the `beforeAll` has run. */
  readonly skipped: string | undefined;
  /**
   * A fresh, empty database on the server. Without a server the test is skipped with the reason
   * (`skip` from the test's context), or, without `skip`, this throws it.
   */
  database(name: string, skip?: (note: string) => never): Promise<string>;
}

/**
 * Starts a server before the tests of the current file or `describe` and stops it after them.
 * Call it before registering the file's own `afterAll`: hooks run as a stack, so the server then
 * stops after the replicas that use it. `label` names the tests in a line logged when skipped.
 */
export function usePostgres(label?: string): TestPostgres {
  let server: PostgresServer | { skipped: string } | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    if (label && 'skipped' in server) console.log(`${label} skipped: ${server.skipped}`);
  }, 60_000);
  afterAll(async () => {
    if (server && !('skipped' in server)) await server.stop();
  });
  const skipped = (): string | undefined =>
    server === undefined ? 'no PostgreSQL (its start failed)' : 'skipped' in server ? server.skipped : undefined;
  return {
    get skipped() {
      return skipped();
    },
    async database(name, skip) {
      if (server === undefined || 'skipped' in server) {
        const why = skipped()!;
        if (skip) return skip(why);
        throw new Error(why);
      }
      return freshDatabase(server, name);
    },
  };
}
