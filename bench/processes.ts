// What the benches do with the processes they measure: start one with its output in a log file (as
// a container runtime takes it), read the port it listens on from that log, and read its CPU time
// and memory from /proc (Linux).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url).pathname;

/**
 * `node <argv>` in the repository's root with only `env` (and PATH) set, stdout written to
 * `logFile`; stderr too with `stderr: 'log'`, else to the bench's own stderr.
 */
export function spawnLogged(argv: string[], env: Record<string, string>, logFile: string, stderr: 'log' | 'inherit' = 'log'): ChildProcess {
  const out = openSync(logFile, 'w');
  try {
    return spawn(process.execPath, argv, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
      stdio: ['ignore', out, stderr === 'log' ? out : 'inherit'],
    });
  } finally {
    closeSync(out);
  }
}

/**
 * The port from the first `"port":N` in the process's log, looked for every `pollMs` (start-up is
 * timed to within it). Rejects, naming the log, if the process exits first.
 */
export function portFromLog(child: ChildProcess, logFile: string, what: string, pollMs = 20): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /"port":(\d+)/.exec(readFileSync(logFile, 'utf8'));
      if (!m) return;
      clearInterval(poll);
      resolve(Number(m[1]));
    }, pollMs);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`${what} exited with ${code}; its output is in ${logFile}`));
    });
  });
}

/** CPU time a process has used so far (user + system), in ms; Linux reports it in 1/100 s. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export const cpuSeconds = (pid: number): number => cpuMs(pid) / 1000;

/** A process's resident memory now and at its peak, in MB; 0 once it has gone. */
export function memoryMb(pid: number): { rssMb: number; peakMb: number } {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssMb: 0, peakMb: 0 };
  }
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
