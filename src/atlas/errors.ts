// The one error type every Atlas call throws, built from Atlas's error envelope.
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import { escapeMrkdwn } from '../modals/blocks.js';

export const atlasErrorEnvelopeSchema = z.looseObject({
  error: z.number().optional(),
  errorCode: z.string().optional(),
  detail: z.string().optional(),
  reason: z.string().optional(),
});

/** What to tell a person for the codes they are likely to meet. */
const HINTS: Record<string, string> = {
  STREAM_CONNECTION_NAME_ALREADY_EXISTS: 'A connection with this name already exists in the instance: pick another name.',
  STREAM_KAFKA_CONNECTION_IS_DEPLOYING: 'The connection is still deploying; try again in a few minutes.',
  RATE_LIMIT_EXCEEDED: 'Atlas is rate-limiting this project; spconn retried and gave up.',
};

export class AtlasApiError extends SpconnError {
  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    readonly detail: string | undefined,
    readonly operation: string,
  ) {
    const hint = errorCode ? HINTS[errorCode] : undefined;
    // Atlas's words reach Slack as mrkdwn: escaped here, where they enter spconn's message.
    const what = detail === undefined ? `HTTP ${status}` : escapeMrkdwn(detail);
    const code = errorCode ? ` (${escapeMrkdwn(errorCode)})` : '';
    super(
      'ATLAS_API_ERROR',
      status === 401
        ? `Atlas rejected spconn's API key or service account token while trying to ${operation} (401). An operator should check the credential in Secrets Manager and its access list.`
        : status === 403
          ? `spconn's API key is not allowed to ${operation} (403${code}): ${what}. It needs the Project Stream Processing Owner role.`
          : `Atlas could not ${operation}${code}: ${what}${hint ? ` ${hint}` : ''}`,
    );
    this.name = 'AtlasApiError';
  }
}

export class AtlasUnreachableError extends SpconnError {
  constructor(operation: string, cause: unknown) {
    super('ATLAS_UNREACHABLE', `Atlas did not answer while trying to ${operation}; spconn retried and gave up. Try again later.`, {
      cause,
    });
    this.name = 'AtlasUnreachableError';
  }
}
