// Errors as values with a stable code and a message a person can act on. Callers branch on `code`,
// handlers decide where the message is shown (inline, ephemeral, thread).

export type SpconnErrorCode =
  | 'CONFIG_INVALID'
  | 'ENV_INVALID'
  | 'SECRET_UNAVAILABLE'
  | 'SECRET_MALFORMED'
  | 'ATLAS_API_ERROR'
  | 'ATLAS_UNREACHABLE'
  | 'REQUEST_NOT_FOUND'
  | 'REQUEST_NOT_PENDING'
  | 'NOT_AUTHORISED'
  | 'DIGEST_MISMATCH'
  | 'ENCRYPTION_FAILED'
  | 'SLACK_POST_FAILED'
  | 'SLACK_VIEW_FAILED'
  | 'UNKNOWN_TARGET';

export class SpconnError extends Error {
  constructor(
    readonly code: SpconnErrorCode,
    /** Safe to show to a Slack user: never contains a secret. */
    readonly userMessage: string,
    options?: { cause?: unknown },
  ) {
    super(userMessage, options);
    this.name = 'SpconnError';
  }
}

export function isSpconnError(e: unknown, code?: SpconnErrorCode): e is SpconnError {
  return e instanceof SpconnError && (code === undefined || e.code === code);
}
