// Bolt's Logger interface on top of pino, so Bolt's own lines are JSON and redacted like ours.
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from './log.js';

export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const text = (msgs: unknown[]) => msgs.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...msgs: unknown[]) => child.debug(text(msgs)),
    info: (...msgs: unknown[]) => child.info(text(msgs)),
    warn: (...msgs: unknown[]) => child.warn(text(msgs)),
    error: (...msgs: unknown[]) => child.error(text(msgs)),
    // Bolt's WebClient logs request bodies (modal contents) at DEBUG: never go below INFO.
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
