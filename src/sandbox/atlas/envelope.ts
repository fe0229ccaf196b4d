// Atlas's error envelope (the spec's ApiError), the error codes the emulator answers with, and the
// reply shape every emulated operation returns.
import { STATUS_CODES } from 'node:http';

/**
 * Every errorCode the emulator can answer with. Codes marked "seen" appear in Atlas answers quoted
 * by the Terraform provider's test reports, the Atlas CLI or the README; the others are plausible
 * stand-ins (clients should branch on the status first, as the README says).
 */
export const ATLAS_ERROR_CODES = {
  /** 400, seen: a body attribute breaks the schema or a rule; detail names the attribute. */
  invalidAttribute: 'INVALID_ATTRIBUTE',
  /** 400: the body is not JSON, or a POST/PATCH has none. */
  invalidJson: 'INVALID_JSON',
  /** 400: the groupId in the path is not 24 hex digits. */
  invalidGroupId: 'INVALID_GROUP_ID',
  /** 400: itemsPerPage / pageNum / accountDetails query out of range or missing. */
  invalidQueryParameter: 'INVALID_QUERY_PARAMETER',
  /** 404: no project with that id. */
  groupNotFound: 'GROUP_NOT_FOUND',
  /** 404, seen: no stream processing instance (workspace) of that name. */
  tenantNotFound: 'STREAM_TENANT_NOT_FOUND_FOR_NAME',
  /** 404, seen: no connection of that name in the instance. */
  connectionNotFound: 'STREAM_CONNECTION_NOT_FOUND_FOR_NAME',
  /** 404: no Private Link connection with that id. */
  privateLinkNotFound: 'STREAM_PRIVATE_LINK_NOT_FOUND',
  /** 404: no cloud provider access role with that id. */
  roleNotFound: 'CLOUD_PROVIDER_ACCESS_ROLE_NOT_FOUND',
  /** 404: no such API resource. */
  resourceNotFound: 'RESOURCE_NOT_FOUND',
  /** 405: the resource exists but not with this method. */
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  /** 406, seen: missing or wrong `Accept: application/vnd.atlas.<date>+json`. */
  invalidVersionDate: 'INVALID_VERSION_DATE',
  /** 409, seen: a connection of that name exists in the instance. */
  connectionNameExists: 'STREAM_CONNECTION_NAME_ALREADY_EXISTS',
  /** 409: a (test-marked) stream processor uses the connection. */
  connectionInUse: 'STREAM_CONNECTION_HAS_STREAM_PROCESSORS',
  /** 409, per README: a Kafka connection over private networking is still PENDING. */
  kafkaConnectionDeploying: 'STREAM_KAFKA_CONNECTION_IS_DEPLOYING',
  /** 400, per README: a PATCH that changes a connection's type or networking (Atlas cannot in place). */
  networkingCannotBeModified: 'STREAM_NETWORKING_CANNOT_BE_MODIFIED',
  /** 400, seen: a Private Link to the same endpoint service or DNS domain exists. */
  privateLinkExists: 'STREAM_PRIVATE_LINK_ALREADY_EXISTS',
  /** 400, seen: a connection still uses the Private Link. */
  privateLinkInUse: 'STREAM_PRIVATE_LINK_IN_USE',
  /** 403: the key lacks the role the endpoint needs (e.g. Project Read Only for `GET /rateLimits?groupId=`). */
  userUnauthorized: 'USER_UNAUTHORIZED',
  /** 415: a body sent as something other than JSON. */
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** 429, per README: the project's token bucket (option rateLimit) is empty, or an injected 429 fault. */
  rateLimitedTokenBucket: 'RATE_LIMITED_TOKEN_BUCKET',
  /** 500, seen: an injected server fault (or an emulator bug). */
  unexpectedError: 'UNEXPECTED_ERROR',
  /** 503: an injected 502/503/504 fault. */
  serviceUnavailable: 'SERVICE_UNAVAILABLE',
} as const;

export type AtlasErrorCode = (typeof ATLAS_ERROR_CODES)[keyof typeof ATLAS_ERROR_CODES];

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiErrorBody {
  error: number;
  errorCode?: string;
  detail: string;
  reason: string;
  parameters?: unknown[];
  badRequestDetail?: { fields: Array<{ field: string; description: string }> };
}

export const reasonPhrase = (status: number): string => STATUS_CODES[status] ?? 'Error';

export function apiError(status: number, errorCode: AtlasErrorCode, detail: string, parameters: unknown[] = []): Reply {
  const body: ApiErrorBody = { error: status, errorCode, detail, reason: reasonPhrase(status), parameters };
  return { status, body };
}

/** Atlas's wording is "Invalid attribute X specified."; the emulator adds why, for people. */
export function invalidAttribute(field: string, why: string): Reply {
  const body: ApiErrorBody = {
    error: 400,
    errorCode: ATLAS_ERROR_CODES.invalidAttribute,
    detail: `Invalid attribute ${field} specified: ${why}.`,
    reason: reasonPhrase(400),
    parameters: [field],
    badRequestDetail: { fields: [{ field, description: why }] },
  };
  return { status: 400, body };
}

export function errorCodeOf(reply: Reply): string | undefined {
  const body = reply.body;
  if (typeof body !== 'object' || body === null || !('errorCode' in body)) return undefined;
  return typeof body.errorCode === 'string' ? body.errorCode : undefined;
}
