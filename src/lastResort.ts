// What the process does with an error nobody caught: log it, and keep serving only when it is
// known to have ended no more than one Slack delivery.
//
// Nothing Slack sends should get this far: /slack/events and the Socket Mode receiver refuse
// malformed deliveries before Bolt sees them. This is for the bug that is left.
//
// Inside a Slack delivery's scope (logContext: `slackDelivery`) the error ended that delivery and
// its listener: the user saw it fail, and what it had written is in the store, whose writes are
// transactions. The rest of the process is as it was, so it is logged at fatal and the process
// keeps serving everyone else. Anywhere else (start-up, a timer, a sweep, the request and Private
// Link runners, which work under `forRequest`, a library's own listener) nobody can say what state
// the error left behind: it is logged at fatal and the process exits 1, for the orchestrator to
// start a clean one that resumes interrupted work from the store (resumeInterrupted,
// takeOverAbandoned). A rejection is handled as an exception: Node would exit on either.
import type { Logger } from './log.js';
import { currentScope } from './logContext.js';

/** The part of `process` this needs, so a test can give it its own. */
export interface LastResortProcess {
  on(event: 'uncaughtException', listener: (err: Error, origin: string) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  exit(code: number): void;
}

export function installLastResort(logger: Logger, proc: LastResortProcess = process): void {
  const handle = (err: unknown, what: 'exception' | 'rejection') => {
    const scope = currentScope();
    if (scope?.slackDelivery) {
      logger.fatal({ err, what }, 'an error nobody caught ended one Slack delivery; still serving');
      return;
    }
    logger.fatal({ err, what }, 'an error nobody caught, outside any Slack delivery; exiting');
    proc.exit(1);
  };
  proc.on('uncaughtException', (err) => handle(err, 'exception'));
  proc.on('unhandledRejection', (reason) => handle(reason, 'rejection'));
}
