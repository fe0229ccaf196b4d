// A real PostgreSQL server from Debian's package, on 127.0.0.1 with its own data directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
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
  const dir = mkdtempSync(join(tmpdir(), 'spconn-pg-'));
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
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'spconn', '--no-sync']);
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`, 'start']);
  return {
    url: `postgres://spconn@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
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
