// The shape a Slack delivery's body must have before Bolt may route it, over HTTP or Socket Mode.
//
// Bolt 5.1 trusts what it is given: it reads `body.ssl_check` of a null body, `body.user.id`,
// `body.view.app_installed_team_id`, `body.channel.id` whenever `channel` is present, iterates
// `actions`, takes `response_urls.length`. A correctly signed body without those shapes crashes the
// process or gets a 500. So each kind of delivery spconn takes is checked here for the fields Slack
// always sends with it and Bolt reads, and anything else is refused before Bolt sees it. The
// handlers still parse the fields they use (src/handlers/payloads.ts): this is the envelope only.
import { z } from 'zod';

/** A key that must be absent: its presence would make Bolt route the body as another kind. */
const absent = z.never().optional();

const userSchema = z.looseObject({ id: z.string(), team_id: z.string().optional() });
// `team` is null for an org-wide install; Bolt then takes `user.team_id`.
const teamSchema = z.looseObject({ id: z.string(), enterprise_id: z.string().optional() }).nullish();
const enterpriseSchema = z.looseObject({ id: z.string() }).nullish();
const stateValuesSchema = z.record(z.string(), z.record(z.string(), z.looseObject({ type: z.string() })));
const viewSchema = z.looseObject({
  id: z.string(),
  callback_id: z.string(),
  app_installed_team_id: z.string().optional(),
  private_metadata: z.string().optional(),
  state: z.looseObject({ values: stateValuesSchema }),
});

/** What every interactive payload carries, and what Bolt reads of it. */
const interactive = {
  user: userSchema,
  team: teamSchema,
  enterprise: enterpriseSchema,
  channel: z.looseObject({ id: z.string() }).optional(),
  response_url: z.string().optional(),
  response_urls: z.array(z.looseObject({ response_url: z.string() })).optional(),
  // Bolt tells kinds apart by these keys before it looks at `type` (helpers.js getTypeAndConversation).
  event: absent,
  command: absent,
};

/**
 * An Events API delivery (Slack's `event_callback` envelope). spconn subscribes to one event,
 * `app_home_opened`; Bolt reads the envelope's `team_id`, `enterprise_id`, `authorizations` and the
 * event's `type`, `user` and `channel` (a string for this event) to route and authorise it.
 */
const appHomeOpenedSchema = z.looseObject({
  type: z.literal('app_home_opened'),
  user: z.string(),
  channel: z.string(),
  tab: z.string().optional(),
  event_ts: z.string(),
  view: z.looseObject({ id: z.string(), type: z.string() }).optional(),
});
const eventCallbackSchema = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string(),
  api_app_id: z.string(),
  enterprise_id: z.string().nullish(),
  event: appHomeOpenedSchema,
  event_id: z.string(),
  event_time: z.number(),
  authorizations: z.array(z.looseObject({ team_id: z.string().nullish(), user_id: z.string(), is_bot: z.boolean() })).optional(),
  command: absent,
});
/** The Events API events spconn subscribes to (manifest.yml `bot_events`). */
export const SUBSCRIBED_EVENTS: readonly string[] = ['app_home_opened'];

const sslCheckSchema = z.looseObject({ ssl_check: z.literal('1') });
const urlVerificationSchema = z.looseObject({ type: z.literal('url_verification'), challenge: z.string() });

// Form-encoded over HTTP, so every field is a string; the same fields over Socket Mode.
const slashCommandSchema = z.looseObject({
  command: z.string(),
  team_id: z.string(),
  user_id: z.string(),
  channel_id: z.string(),
  text: z.string(),
  trigger_id: z.string(),
  enterprise_id: z.string().optional(),
  is_enterprise_install: z.string().optional(),
  event: absent,
});

const blockActionsSchema = z.looseObject({
  ...interactive,
  type: z.literal('block_actions'),
  trigger_id: z.string(),
  actions: z.array(z.looseObject({ type: z.string(), action_id: z.string(), block_id: z.string() })).min(1),
  container: z.looseObject({ type: z.string() }),
  view: viewSchema.optional(),
  name: absent,
});

const blockSuggestionSchema = z.looseObject({
  ...interactive,
  type: z.literal('block_suggestion'),
  action_id: z.string(),
  block_id: z.string(),
  value: z.string(),
  view: viewSchema.optional(),
});

const viewSubmissionSchema = z.looseObject({ ...interactive, type: z.literal('view_submission'), trigger_id: z.string(), view: viewSchema, name: absent, actions: absent });
const viewClosedSchema = z.looseObject({ ...interactive, type: z.literal('view_closed'), view: viewSchema, name: absent, actions: absent });

/** The kinds of delivery spconn takes; `ssl_check` and `url_verification` Bolt answers itself, over HTTP only. */
export type DeliveryKind = 'ssl_check' | 'url_verification' | 'event_callback' | 'slash_command' | 'block_actions' | 'block_suggestion' | 'view_submission' | 'view_closed';

export type DeliveryCheck = { ok: true; kind: DeliveryKind } | { ok: false; problem: string };

const record = z.record(z.string(), z.unknown());

/**
 * Decides the kind as Bolt will (HTTPReceiver: ssl_check, then url_verification; then `event`,
 * `command`, `type`), so a body that passes is routed as the kind it was checked as. The problem
 * names fields, never their values: a body can hold secrets.
 */
export function checkDeliveryBody(body: unknown): DeliveryCheck {
  const object = record.safeParse(body);
  if (!object.success) return { ok: false, problem: `the body is ${describe(body)}, not an object` };
  const b = object.data;
  if (b.ssl_check === '1') return check('ssl_check', sslCheckSchema, b);
  if (b.type === 'url_verification') return check('url_verification', urlVerificationSchema, b);
  if (b.event !== undefined) {
    const type = record.safeParse(b.event).data?.type;
    if (b.type !== 'event_callback' || typeof type !== 'string' || !SUBSCRIBED_EVENTS.includes(type)) {
      return { ok: false, problem: 'an Events API event spconn does not subscribe to' };
    }
    return check('event_callback', eventCallbackSchema, b);
  }
  if (b.command !== undefined) return check('slash_command', slashCommandSchema, b);
  switch (b.type) {
    case 'block_actions':
      return check('block_actions', blockActionsSchema, b);
    case 'block_suggestion':
      return check('block_suggestion', blockSuggestionSchema, b);
    case 'view_submission':
      return check('view_submission', viewSubmissionSchema, b);
    case 'view_closed':
      return check('view_closed', viewClosedSchema, b);
    default:
      return { ok: false, problem: typeof b.type === 'string' ? 'a kind of delivery spconn does not take' : 'neither a slash command nor an interactive payload' };
  }
}

function check(kind: DeliveryKind, schema: z.ZodType, body: Record<string, unknown>): DeliveryCheck {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, kind };
  const fields = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.code}`);
  return { ok: false, problem: `a ${kind} with ${fields.slice(0, 5).join('; ')}` };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
