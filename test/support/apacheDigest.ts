// Apache httpd with mod_auth_digest on 127.0.0.1: an independent HTTP Digest server (realm
// "MMS Public API", MD5, qop=auth) to check the Atlas client against something we did not write.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ApacheDigestServer {
  url: string;
  stop(): Promise<void>;
}

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

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

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Serves `jsonPath` (GET) behind Digest auth; `{ skipped }` says why it cannot run here. */
export async function startApacheDigest(opts: { user: string; password: string; realm?: string; jsonPath: string; json: unknown }): Promise<ApacheDigestServer | { skipped: string }> {
  if (!existsSync(APACHE) || !existsSync(join(MODULES, 'mod_auth_digest.so'))) {
    return { skipped: `Apache with mod_auth_digest is not installed (${APACHE}); .ci/run installs Debian's apache2` };
  }
  const realm = opts.realm ?? 'MMS Public API';
  const dir = mkdtempSync(join(tmpdir(), 'spconn-apache-'));
  const www = join(dir, 'www');
  const file = join(www, opts.jsonPath);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(opts.json));
  const ha1 = createHash('md5').update(`${opts.user}:${realm}:${opts.password}`).digest('hex');
  writeFileSync(join(dir, 'mime.types'), '');
  writeFileSync(join(dir, 'htdigest'), `${opts.user}:${realm}:${ha1}\n`);
  const port = await freePort();
  const modules = ['mpm_event', 'authn_core', 'authn_file', 'authz_core', 'authz_user', 'auth_digest', 'mime'];
  writeFileSync(
    join(dir, 'httpd.conf'),
    [
      'ServerName 127.0.0.1',
      `Listen 127.0.0.1:${port}`,
      `PidFile ${dir}/httpd.pid`,
      `ErrorLog ${dir}/error.log`,
      `DefaultRuntimeDir ${dir}`,
      `TypesConfig ${dir}/mime.types`,
      ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
      // Running as root needs an unprivileged user for the workers.
      ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
      `DocumentRoot ${www}`,
      `<Directory ${www}>`,
      '  Require all granted',
      '</Directory>',
      '<Location /api/atlas/v2/>',
      '  AuthType Digest',
      `  AuthName "${realm}"`,
      '  AuthDigestProvider file',
      `  AuthUserFile ${dir}/htdigest`,
      '  Require valid-user',
      '  ForceType application/json',
      '</Location>',
      '',
    ].join('\n'),
  );
  // The workers read the files as www-data.
  for (const p of [dir, www]) chmodSync(p, 0o755);
  for (const p of [join(dir, 'htdigest'), join(dir, 'mime.types'), file]) chmodSync(p, 0o644);
  for (let d = join(file, '..'); d.startsWith(www) && d !== www; d = join(d, '..')) chmodSync(d, 0o755);

  const child: ChildProcess = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8').slice(-500) : '';
      rmSync(dir, { recursive: true, force: true });
      return { skipped: `Apache did not start: ${log || 'no error log'}` };
    }
    await new Promise((r) => setTimeout(r, 50)); // polling a port that is not up yet; no event exists for it
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) {
          rmSync(dir, { recursive: true, force: true });
          return resolve();
        }
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
