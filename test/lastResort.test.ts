// The last resort, in a real Node process: an error nobody caught inside a Slack delivery is logged
// and the process goes on; one anywhere else is logged and the process exits 1 to be restarted.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const src = (file: string) => new URL(`../src/${file}`, import.meta.url).pathname;

/** Runs `body` in a process with the last resort installed; resolves with its exit code and log lines. */
function run(body: string): Promise<{ code: number | null; lines: Array<{ level?: number; msg?: string; requestId?: string; err?: { message: string } }>; stdout: string }> {
  const script = `
    import { installLastResort } from '${src('lastResort.ts')}';
    import { createLogger } from '${src('log.ts')}';
    import { forRequest, inNewScope } from '${src('logContext.ts')}';
    installLastResort(createLogger());
    ${body}
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  return new Promise((resolve) => {
    child.once('close', (code) => {
      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level?: number; msg?: string });
      resolve({ code, lines, stdout });
    });
  });
}

describe('an error nobody caught', () => {
  it('inside a Slack delivery, thrown or rejected, is logged at fatal with its request id and the process keeps serving', async () => {
    const { code, lines, stdout } = await run(`
      inNewScope(() => setTimeout(() => { throw new Error('thrown in a delivery'); }, 1));
      inNewScope(() => { void (async () => { await null; throw new Error('rejected in a delivery'); })(); });
      // Timers of one delay run in the order they were set: this one runs after the throw.
      setTimeout(() => console.log('still serving'), 1);
    `);
    expect(code).toBe(0);
    expect(stdout).toContain('still serving');
    const fatal = lines.filter((l) => l.level === 60);
    expect(fatal.map((l) => l.err?.message).sort()).toEqual(['rejected in a delivery', 'thrown in a delivery']);
    expect(fatal.every((l) => l.msg?.includes('still serving') && /^[0-9a-f]{12}$/.test(l.requestId ?? ''))).toBe(true);
  });

  it('outside any delivery is logged at fatal and the process exits 1', async () => {
    const { code, lines, stdout } = await run(`
      setTimeout(() => { throw new Error('thrown by a timer'); }, 1);
      setTimeout(() => console.log('still serving'), 1);
    `);
    expect(code).toBe(1);
    expect(stdout).not.toContain('still serving');
    expect(lines).toContainEqual(expect.objectContaining({ level: 60, msg: expect.stringContaining('exiting'), err: expect.objectContaining({ message: 'thrown by a timer' }) }));
  });

  it('in work for a request that a delivery handed on is logged at fatal and the process exits 1', async () => {
    const { code, lines } = await run(`
      inNewScope(() => forRequest('0123456789ab', () => { void (async () => { await null; throw new Error('rejected in a request'); })(); }));
    `);
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.objectContaining({ level: 60, requestId: '0123456789ab', err: expect.objectContaining({ message: 'rejected in a request' }) }));
  });
});
