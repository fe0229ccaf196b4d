// Errors as values with a stable code and a message a person can act on. Callers branch on `code`,
// handlers decide where the message is shown (inline, ephemeral, thread).

/** Every code, with the one situation it stands for (a code is never reused for another). */
export const ERROR_CODES = {
  CONFIG_INVALID: 'the config file is missing a key or has a bad value',
  ENV_INVALID: 'an environment variable has a bad value',
  SECRET_UNAVAILABLE: 'Secrets Manager could not be read',
  SECRET_MALFORMED: 'a secret in Secrets Manager is not in the expected shape',
  ATLAS_API_ERROR: 'Atlas answered with an error',
  ATLAS_UNREACHABLE: 'Atlas did not answer',
  REQUEST_NOT_FOUND: 'no request has this id',
  REQUEST_NOT_PENDING: 'the request was already decided, or its setup moved on',
  REQUEST_EXPIRED: 'the request expired before the decision',
  REQUEST_ENDED: 'the request no longer holds the call it was approved for',
  NOT_AUTHORISED: 'the person may not do this',
  TARGET_REMOVED: 'the request names a target that is no longer configured',
  ALREADY_APPROVED: 'the person approved this request already; a quorum counts each owner once',
  DIGEST_MISMATCH: 'the approval does not match the stored call',
  ENCRYPTION_FAILED: 'a sealed value could not be opened or sealed',
  SLACK_POST_FAILED: 'Slack refused to post the request card',
  SLACK_VIEW_FAILED: 'Slack refused to open a modal',
  UNKNOWN_TARGET: 'a command names a target that does not exist',
  ATLAS_TOKEN_LIMIT: "Atlas refused a service account's new access token: it has 100 active tokens already",
  ATLAS_TOKEN_REFUSED: "Atlas's token endpoint refused the service account's client ID or secret",
} as const;

export type SpconnErrorCode = keyof typeof ERROR_CODES;

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
