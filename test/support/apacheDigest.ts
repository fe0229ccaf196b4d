// Apache httpd with mod_auth_digest on 127.0.0.1: an independent HTTP Digest server (realm
// "MMS Public API", MD5, qop=auth) to check the Atlas client against something we did not write.
// Needs Debian's `apache2` package (apache2-bin holds the binary and every module used here);
// where it is absent, startApacheDigest says so with `{ skipped }` instead of throwing.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

export interface ApacheDigestServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** Stops Apache (SIGTERM, then SIGKILL) and removes its temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ApacheDigestOptions {
  user: string;
  password: string;
  /** Digest realm; Atlas's is the default. */
  realm?: string;
  /** Path (no leading slash, under `api/atlas/v2/`) answered to an authenticated GET with `json`. */
  jsonPath?: string;
  /** The JSON document served at `jsonPath`. */
  json?: unknown;
}

export const DEFAULT_JSON_PATH = 'api/atlas/v2/groups/0123456789abcdef01234567/streams/inst/connections';
export const DEFAULT_JSON: unknown = { results: [], totalCount: 0 };

const MODULES_DIR = '/usr/lib/apache2/modules';
// mod_unixd is compiled into Debian's apache2 (User/Group, needed when started as root).
const MODULES = ['mpm_event', 'authn_core', 'authn_file', 'authz_core', 'authz_user', 'auth_digest', 'alias', 'mime', 'dir', 'reflector'];
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findApache(): string | undefined {
  const candidates = ['/usr/sbin/apache2', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'apache2'))];
  return candidates.find(isExecutable);
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolveAccepts) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveAccepts(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolveAccepts(false);
    });
  });
}

/** Every directory from `path` up to `/` can be searched by others (so Apache's workers reach it). */
function traversableByOthers(path: string): boolean {
  for (let d = resolve(path); ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(d) === d) return true;
  }
}

/** Apache refuses to serve as root: pick the unprivileged account its workers switch to. */
function unprivilegedAccount(): { user: string; group: string } {
  const exists = (db: string, name: string): boolean => {
    try {
      return readFileSync(db, 'utf8').split('\n').some((line) => line.startsWith(`${name}:`));
    } catch {
      return false;
    }
  };
  if (exists('/etc/passwd', 'www-data') && exists('/etc/group', 'www-data')) return { user: 'www-data', group: 'www-data' };
  return { user: 'nobody', group: exists('/etc/group', 'nogroup') ? 'nogroup' : 'nobody' };
}

function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000).trim();
  } catch {
    return '';
  }
}

/**
 * Starts Apache on a free 127.0.0.1 port with `/api/atlas/v2/` behind Digest auth (`AuthDigestProvider file`).
 * Authenticated, GET `/${jsonPath}` answers 200 with `json`, and POST anywhere under `/api/atlas/v2/`
 * answers 200 echoing its body (mod_reflector). Resolves once the port accepts connections.
 * `{ skipped }` only when Apache or mod_auth_digest is not installed; a failed start throws.
 */
export async function startApacheDigest(opts: ApacheDigestOptions): Promise<ApacheDigestServer | { skipped: string }> {
  const apache = findApache();
  if (!apache) return { skipped: 'apache2 is not installed (no /usr/sbin/apache2 nor apache2 on PATH); .ci/run installs the Debian package apache2' };
  const missing = MODULES.filter((m) => !existsSync(join(MODULES_DIR, `mod_${m}.so`)));
  if (missing.length > 0) return { skipped: `Apache modules missing from ${MODULES_DIR}: ${missing.join(', ')}; install the Debian package apache2` };

  const realm = opts.realm ?? 'MMS Public API';
  for (const [what, value] of [['user', opts.user], ['realm', realm]] as const) {
    if (/[:"\n\r]/.test(value)) throw new Error(`startApacheDigest: the ${what} may not contain ':', '"' or a line break`);
  }
  const jsonPath = (opts.jsonPath ?? DEFAULT_JSON_PATH).replace(/^\/+/, '');
  if (!jsonPath.startsWith('api/atlas/v2/') || jsonPath.split('/').includes('..')) {
    throw new Error(`startApacheDigest: jsonPath must lie under api/atlas/v2/ (got ${jsonPath})`);
  }

  const root = process.getuid?.() === 0;
  // As root the workers run as an unprivileged user, who must be able to reach the files.
  const base = root && !traversableByOthers(tmpdir()) ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, 'spconn-apache-'));
  try {
    const www = join(dir, 'www');
    const file = join(www, ...jsonPath.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(opts.json === undefined ? DEFAULT_JSON : opts.json));
    const ha1 = createHash('md5').update(`${opts.user}:${realm}:${opts.password}`).digest('hex');
    writeFileSync(join(dir, 'htdigest'), `${opts.user}:${realm}:${ha1}\n`);
    writeFileSync(join(dir, 'mime.types'), 'application/json json\n');
    for (let d = dirname(file); d.startsWith(dir); d = dirname(d)) chmodSync(d, 0o755);
    for (const f of [file, join(dir, 'htdigest'), join(dir, 'mime.types')]) chmodSync(f, 0o644);

    // Another process may take the port between freePort() and Apache's bind: try a fresh one then.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(apache, dir, www, realm, await freePort());
      } catch (error) {
        if (attempt >= 3 || !(error instanceof Error) || !/Address already in use|could not bind/i.test(error.message)) throw error;
      }
    }
  } catch (error) {
    cleanup(dir);
    throw error;
  }
}

/** Writes httpd.conf for `port` into `dir`, starts Apache in the foreground and waits for the port. */
async function launch(apache: string, dir: string, www: string, realm: string, port: number): Promise<ApacheDigestServer> {
  const root = process.getuid?.() === 0;
  const account = unprivilegedAccount();
  const conf = [
    `ServerRoot "${dir}"`,
    'ServerName 127.0.0.1',
    `Listen 127.0.0.1:${port}`,
    `PidFile "${dir}/httpd.pid"`,
    `DefaultRuntimeDir "${dir}"`,
    `ErrorLog "${dir}/error.log"`,
    'LogLevel warn',
    ...MODULES.map((m) => `LoadModule ${m}_module "${MODULES_DIR}/mod_${m}.so"`),
    ...(root ? [`User ${account.user}`, `Group ${account.group}`] : []),
    'StartServers 1',
    'ServerLimit 1',
    'ThreadsPerChild 16',
    'MaxRequestWorkers 16',
    'KeepAlive On',
    `TypesConfig "${dir}/mime.types"`,
    `DocumentRoot "${www}"`,
    '<Directory />',
    '  AllowOverride None',
    '  Require all denied',
    '</Directory>',
    `<Directory "${www}">`,
    '  Require all granted',
    '</Directory>',
    '<Location "/api/atlas/v2/">',
    '  AuthType Digest',
    `  AuthName "${realm}"`,
    '  AuthDigestProvider file',
    `  AuthUserFile "${dir}/htdigest"`,
    '  Require valid-user',
    '  ForceType application/json',
    // A static file takes no POST under the default handler: reflect the body back with a 200.
    '  <If "%{REQUEST_METHOD} == \'POST\'">',
    '    SetHandler reflector',
    '    ReflectorHeader Content-Type',
    '  </If>',
    '</Location>',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'httpd.conf'), conf);

  const env = { ...process.env, APACHE_RUN_DIR: dir, APACHE_LOCK_DIR: dir, APACHE_LOG_DIR: dir, APACHE_PID_FILE: join(dir, 'httpd.pid') };
  const check = spawnSync(apache, ['-t', '-f', join(dir, 'httpd.conf')], { env, encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`Apache rejected its config: ${`${check.stderr ?? ''}${check.stdout ?? ''}`.trim() || String(check.error)}`);

  rmSync(join(dir, 'error.log'), { force: true });
  // Its own process group, so that a SIGKILL reaches the workers as well as the parent.
  const child = spawn(apache, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  let hasExited = false;
  const exited = new Promise<void>((resolveExit) => {
    const done = (): void => {
      hasExited = true;
      resolveExit();
    };
    child.once('exit', done);
    child.once('error', done);
  });
  const signal = (sig: NodeJS.Signals): void => {
    if (hasExited || child.pid === undefined) return;
    try {
      process.kill(sig === 'SIGKILL' ? -child.pid : child.pid, sig);
    } catch {
      // Already gone.
    }
  };
  // If the test process exits without calling stop(), leave neither Apache nor its files behind.
  const onExit = (): void => {
    signal('SIGKILL');
    cleanup(dir);
  };
  process.once('exit', onExit);

  let stopping: Promise<void> | undefined;
  const stop = (removeDir = true): Promise<void> =>
    (stopping ??= (async () => {
      process.removeListener('exit', onExit);
      signal('SIGTERM'); // Apache's stop signal: the parent takes its workers down, then exits.
      const timer = setTimeout(() => signal('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      if (removeDir) cleanup(dir);
    })());

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (hasExited || Date.now() > deadline) {
      const why = hasExited ? `exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)})` : `did not listen within ${START_TIMEOUT_MS} ms`;
      const log = [stderr.trim(), tail(join(dir, 'error.log'))].filter(Boolean).join('\n');
      await stop(false);
      throw new Error(`Apache ${why} on 127.0.0.1:${port}${log ? `:\n${log}` : ''}`);
    }
    // Polling: nothing signals that Apache's listener is up; each try is a real connect.
    await new Promise((r) => setTimeout(r, 25));
  }
  return { url: `http://127.0.0.1:${port}`, stop: () => stop() };
}
