// Bolt's Logger interface on top of pino, so Bolt's own lines are JSON and redacted like ours.
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from './log.js';

export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const text = (msgs: unknown[]) => msgs.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    // Bolt logs whole request bodies (modal contents, so secrets) at DEBUG: those lines are dropped.
    debug: () => undefined,
    info: (...msgs: unknown[]) => child.info(text(msgs)),
    warn: (...msgs: unknown[]) => child.warn(text(msgs)),
    error: (...msgs: unknown[]) => child.error(text(msgs)),
    // Bolt's WebClient also logs request bodies at DEBUG: never let it go below INFO.
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
