// The request id every log line carries: set when a Slack delivery arrives, rebound to the spconn
// request it concerns as soon as that is known, and inherited by everything it starts (Atlas calls,
// workflow steps). AsyncLocalStorage carries it; nothing has to pass it by hand.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface LogScope {
  requestId: string;
  /** What kind of Slack delivery started this work, once Bolt has parsed it (for the metrics; not logged). */
  slackKind?: string;
  /** Set on a Slack delivery's own scope, not on work for a request (`forRequest`): see lastResort.ts. */
  slackDelivery?: true;
}

const storage = new AsyncLocalStorage<LogScope>();

/** A new request id: 12 hex characters, short enough to type in `/spconn status`. */
export function newRequestId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12);
}

export const REQUEST_ID_PATTERN = /^[0-9a-f]{12}$/;

/** Runs `fn` with its own scope (a Slack delivery), starting with a fresh request id. */
export function inNewScope<T>(fn: (scope: LogScope) => T): T {
  const scope: LogScope = { requestId: newRequestId(), slackDelivery: true };
  return storage.run(scope, () => fn(scope));
}

/** Runs `fn` (and everything it starts) as work on one spconn request. */
export function forRequest<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The delivery being handled turns out to concern this request: later lines say so. */
export function bindRequest(requestId: string): void {
  const scope = storage.getStore();
  if (scope) scope.requestId = requestId;
}

/** The current request id, if this code runs inside a scope. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The scope this code runs in, if any (a Slack delivery sets its kind on it). */
export function currentScope(): LogScope | undefined {
  return storage.getStore();
}

/** pino's mixin: the scope's fields on every line. */
export function logScopeFields(): Partial<LogScope> {
  const scope = storage.getStore();
  return scope ? { requestId: scope.requestId } : {};
}
