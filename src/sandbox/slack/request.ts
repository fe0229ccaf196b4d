// Decodes a Web API request the way Slack does: the method from the path, arguments from a form or
// JSON body (and the query string), `view`/`blocks` given as JSON strings in forms, the token from
// `Authorization: Bearer` or a `token` argument. Also the zod schemas of each method's arguments.
import { z } from 'zod';

export const SLACK_METHODS = [
  'auth.test',
  'views.open',
  'views.update',
  'views.push',
  'views.publish',
  'chat.postMessage',
  'chat.update',
  'chat.postEphemeral',
  'chat.getPermalink',
  'usergroups.users.list',
  'users.info',
] as const;

export type SlackMethod = (typeof SLACK_METHODS)[number];

export function isSlackMethod(name: string): name is SlackMethod {
  return (SLACK_METHODS as readonly string[]).includes(name);
}

/** Arguments @slack/web-api JSON-encodes inside a form body because they are objects or arrays. */
const JSON_ARGUMENTS = ['view', 'blocks', 'attachments', 'metadata'];

export interface WebApiRequest {
  method: string;
  args: Record<string, unknown>;
  /** The bearer token, else a `token` argument; undefined when neither was sent. */
  token: string | undefined;
}

const jsonObject = z.record(z.string(), z.unknown());

export function parseWebApiRequest(url: string, headers: { authorization?: string; 'content-type'?: string }, raw: string): WebApiRequest {
  const parsedUrl = new URL(url, 'http://emulator.invalid');
  const method = parsedUrl.pathname.replace(/^\/api\//, '').replace(/\/+$/, '');
  const args: Record<string, unknown> = Object.fromEntries(parsedUrl.searchParams);
  const contentType = (headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    const body = jsonObject.safeParse(safeJsonParse(raw));
    if (body.success) Object.assign(args, body.data);
  } else if (raw.length > 0) {
    Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
  }
  for (const key of JSON_ARGUMENTS) {
    const value = args[key];
    // Left as the string when it is not JSON, so validation can report the bad format.
    if (typeof value === 'string') args[key] = safeJsonParse(value) ?? value;
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  const token = bearer ?? (typeof args.token === 'string' && args.token.length > 0 ? args.token : undefined);
  return { method, args, token };
}

function safeJsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// ---- argument schemas: forms carry every value as a string, JSON bodies as typed values ----

const id = z.string().min(1);
const ts = z.union([z.string(), z.number().transform(String)]);
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

export const argsSchemas = {
  viewsOpen: z.object({ trigger_id: z.string().optional(), view: z.unknown().optional() }),
  viewsUpdate: z.object({ view_id: id.optional(), external_id: id.optional(), hash: z.string().optional(), view: z.unknown().optional() }),
  viewsPublish: z.object({ user_id: z.string().optional(), view: z.unknown().optional(), hash: z.string().optional() }),
  postMessage: z.object({
    channel: z.string().optional(),
    text: z.unknown().optional(),
    blocks: z.unknown().optional(),
    attachments: z.unknown().optional(),
    thread_ts: ts.optional(),
    reply_broadcast: flag.optional(),
  }),
  update: z.object({ channel: z.string().optional(), ts: ts.optional(), text: z.unknown().optional(), blocks: z.unknown().optional(), attachments: z.unknown().optional() }),
  postEphemeral: z.object({ channel: z.string().optional(), user: z.string().optional(), text: z.unknown().optional(), blocks: z.unknown().optional(), attachments: z.unknown().optional(), thread_ts: ts.optional() }),
  getPermalink: z.object({ channel: z.string().optional(), message_ts: ts.optional() }),
  usergroupUsers: z.object({ usergroup: z.string().optional() }),
  usersInfo: z.object({ user: z.string().optional() }),
};

/** zod problems in Slack's words, for `invalid_arguments`. */
export function argumentProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => `[ERROR] ${issue.message} [json-pointer:/${issue.path.map(String).join('/')}]`);
}
